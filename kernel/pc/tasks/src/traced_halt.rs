//! The PC's idle, with its halts in the trace.
//!
//! An executor records `idle` and `busy` around its waits: what it says
//! it does. Whether the CPU really halted, and when, only the idle knows,
//! so [`TracedHalt`] records it too, into the same ring: `halt` just
//! before `sti; hlt` (the executor's question has said nothing is ready,
//! and interrupts are off, so nothing comes between the record and the
//! halt), and `resume` once the interrupt that ended the halt has been
//! handled.
//!
//! ```text
//!   idle        the executor: nothing to run, I wait
//!   halt        the CPU halts           <- TracedHalt
//!   irq 35      the interrupt ends the halt; its handler wakes a task
//!   wake 0 irq 35
//!   resume      the CPU runs on         <- TracedHalt
//!   busy        the executor: the wait is over
//! ```
//!
//! The grader trusts these two over the executor's own: the time between
//! `halt` and `resume` is time the CPU was halted, and a `halt` that comes
//! after a task was woken, before it was polled, is a lost wake-up.

use fledge_api::{Event, Idle, Trace};
use fledge_timer::sleep::Halt;

use crate::dump::TRACE;

/// [`Halt`], recording `Halt` and `Resume` into the trace ring around
/// each halt.
#[derive(Clone, Copy, Debug, Default)]
pub struct TracedHalt;

impl Idle for TracedHalt {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        let mut halted = false;
        let is_ready = Halt.wait_unless(&mut || {
            let is_ready = ready();
            if !is_ready {
                // Interrupts are off until the halt itself.
                TRACE.record(Event::Halt);
                halted = true;
            }
            is_ready
        });
        if halted {
            TRACE.record(Event::Resume);
        }
        is_ready
    }
}
