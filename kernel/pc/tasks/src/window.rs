//! An idle that puts COM2's interrupt in the window between an executor's
//! decision to halt and its halt.
//!
//! An executor with nothing to run asks "was anything woken?" and halts
//! if not. If it asks first and halts second, in two steps, an interrupt
//! that wakes a task between the two is slept through: the CPU halts with
//! a task runnable, until some other interrupt ends the halt. The window
//! is a few instructions wide, so a test that waits for the race to come
//! by chance waits for ever. This idle makes it come every time it is
//! asked to:
//!
//! ```text
//!   the executor                    InTheWindow::wait_unless(question)
//!   ------------                    ----------------------------------
//!   (asked "woken?" out here: no)   sends the queued byte through COM2's
//!   calls wait_unless(question)     loopback, and waits, interrupts on,
//!                                   until IRQ 3's handler has taken it in
//!                                   (and woken the reader)
//!                                   then TracedHalt: `question` with
//!                                   interrupts off, and `halt` in the
//!                                   trace and `sti; hlt` only if it says no
//! ```
//!
//! An executor that asks its question inside `wait_unless`, where the
//! `Idle` contract wants it, hears "yes, woken" and does not halt. One that
//! asked before the call, and hands in a question that cannot see the
//! wake, halts: the trace shows the wake, then a `halt` before the task's
//! poll (the CPU sleeps until the timer's next tick), which the grader's
//! `irq_wakes` check calls a lost wake-up. Like the host tests' fakes it injects a fault on purpose;
//! here the hardware is real and only the timing is arranged.

use core::sync::atomic::{AtomicU16, Ordering};

use fledge_api::Idle;
use fledge_cpu::tsc::rdtsc;
use x86_64::instructions::interrupts;

use crate::dump::tsc_hz;
use crate::serial_input;
use crate::traced_halt::TracedHalt;

/// No byte queued: outside `u8`'s range.
const NOTHING: u16 = u16::MAX;

/// The byte the next wait sends first, or [`NOTHING`].
static QUEUED: AtomicU16 = AtomicU16::new(NOTHING);

/// Has the next [`InTheWindow`] wait send `byte` through COM2's loopback,
/// and let its interrupt be handled, before it asks the executor's
/// question. [`serial_input::listen`] must have been called.
pub fn send_in_the_window(byte: u8) {
    QUEUED.store(u16::from(byte), Ordering::Release);
}

/// The PC's idle ([`TracedHalt`]), which first delivers a byte queued with
/// [`send_in_the_window`], so that its interrupt comes after the
/// executor's decision and before the halt.
#[derive(Clone, Copy, Debug, Default)]
pub struct InTheWindow;

impl Idle for InTheWindow {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        if let Ok(byte) = u8::try_from(QUEUED.swap(NOTHING, Ordering::AcqRel)) {
            deliver(byte);
        }
        TracedHalt.wait_unless(ready)
    }
}

/// Sends `byte` through COM2's loopback and waits until the receive
/// interrupt's handler has taken it in. Panics if that takes a second: the
/// interrupt is masked, or the caller holds interrupts off.
fn deliver(byte: u8) {
    assert!(
        interrupts::are_enabled(),
        "the executor called wait_unless with interrupts off: COM2's interrupt cannot be delivered before the halt"
    );
    let before = serial_input::received();
    serial_input::send_looped_back(byte);
    let (start, limit) = (rdtsc(), tsc_hz());
    while serial_input::received() == before {
        assert!(rdtsc() - start < limit, "COM2's receive interrupt did not come within a second of sending a byte");
        core::hint::spin_loop();
    }
}
