//! [`Interrupts`]: how an interrupt handler tells the executor, and its
//! trace, that it is running.
//!
//! A handler that wakes a task (the serial port's receive interrupt waking
//! the task that reads it) runs its work inside [`Interrupts::handle`].
//! That records an `Interrupt` event, and while the work runs, every wake
//! is traced as *by* that interrupt's vector. A handler that wakes nobody,
//! such as the timer's (whose tick only has to end the halt: the executor
//! then finds its due timers itself), may still use it so that the trace
//! shows each tick.
//!
//! It holds only atomics and the trace, so it is `Send + Sync + 'static`
//! and can be kept where a handler reaches it, in a `static`.

use alloc::sync::Arc;
use core::fmt;

use fledge_api::Event;

use crate::waker::Signals;

/// An executor's door for interrupt handlers (see [`Executor::interrupts`](crate::Executor::interrupts)).
#[derive(Clone)]
pub struct Interrupts {
    pub(crate) signals: Arc<Signals>,
}

impl Interrupts {
    /// Records that the interrupt with `vector` was taken, and runs `work`
    /// with wakes traced as by that interrupt.
    pub fn handle<R>(&self, vector: u8, work: impl FnOnce() -> R) -> R {
        self.signals.trace.record(Event::Interrupt { vector });
        let before = self.signals.enter_interrupt(vector);
        let result = work();
        self.signals.leave_interrupt(before);
        result
    }
}

impl fmt::Debug for Interrupts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interrupts").finish_non_exhaustive()
    }
}
