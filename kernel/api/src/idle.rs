//! Waiting: the [`Idle`] trait.
//!
//! A kernel with nothing to do should not spin: on a laptop that is a flat
//! battery, in a cloud it is CPU time somebody pays for, under an emulator
//! it slows every other guest. The x86 answer is `hlt`, which stops the CPU
//! until the next interrupt. `Idle` is that, as a service: code that waits
//! (sleeping, polling a device) calls [`Idle::wait_for_interrupt`] between
//! checks. On bare metal it halts; on the host it can sleep a little; in a
//! test it can advance a fake clock, which makes waiting code testable
//! without waiting.

// ANCHOR: trait
/// A way to wait until something may have changed.
///
/// # Contract
///
/// `wait_for_interrupt` returns after an interrupt (or, on the host, some
/// event) may have changed the state the caller is waiting on. It may return
/// early and for no reason, so callers check their condition again in a
/// loop. It must not be called from an interrupt handler.
pub trait Idle {
    /// Waits until something may have changed.
    fn wait_for_interrupt(&self);
}
// ANCHOR_END: trait

impl<I: Idle + ?Sized> Idle for &I {
    fn wait_for_interrupt(&self) {
        (**self).wait_for_interrupt()
    }
}
