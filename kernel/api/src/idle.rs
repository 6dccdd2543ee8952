//! Waiting: the [`Idle`] trait.
//!
//! A kernel with nothing to do should not spin: on a laptop that is a flat
//! battery, in a cloud it is CPU time somebody pays for, under an emulator
//! it slows every other guest. The x86 answer is `hlt`, which stops the CPU
//! until the next interrupt. `Idle` is that, as a service: code that waits
//! (sleeping, polling a device) hands [`Idle::wait_unless`] the check it is
//! waiting on, and the idle runs the check and waits only if it says "not
//! yet". On bare metal it halts; on the host it can sleep a little; in a
//! test it can advance a fake clock, which makes waiting code testable
//! without waiting.
//!
//! # The lost wake-up
//!
//! Why does the idle run the check, rather than the caller checking and
//! then asking to wait? Because a wake-up can slip in between. Say the
//! caller waits for a disk that raises one interrupt when it is done:
//!
//! ```text
//! caller                              disk
//! ------                              ----
//! done? no
//!                                     interrupt: the handler sets `done`
//! hlt ...   the only interrupt has come and gone: the CPU sleeps for ever
//! ```
//!
//! With [`Idle::wait_unless`], the check runs with wake-ups held off
//! (interrupts disabled), and the wait lets them in at the very instant it
//! begins. On x86 that is `sti; hlt`: `sti` takes effect only after the
//! instruction that follows it, so no interrupt can be taken between the
//! two, and an interrupt that became pending during the check is taken as
//! soon as the CPU halts, which ends the halt:
//!
//! ```text
//! caller                              disk
//! ------                              ----
//! cli
//! done? no
//!                                     interrupt: held pending
//! sti; hlt  the pending interrupt is taken at once: the handler sets
//!           `done` and the halt ends
//! done? yes
//! ```
//!
//! A wake-up that recurs, such as a timer that ticks every 10 ms, is never
//! lost for good: if one tick slips in between, the next one ends the wait.
//! That is the only case where checking first and then calling
//! [`Idle::wait_for_interrupt`] is safe.

// ANCHOR: trait
/// A way to wait until something may have changed.
///
/// # Contract
///
/// [`wait_unless`](Idle::wait_unless):
///
/// - runs `ready` exactly once, with wake-ups held off: on bare metal, with
///   interrupts disabled, so an interrupt that arrives during the check is
///   held pending rather than handled;
/// - if `ready` said `true`, returns `true` without waiting;
/// - if it said `false`, waits, letting wake-ups in at the very instant the
///   wait begins (`sti; hlt` on x86), so that a wake-up held pending since
///   the check ends the wait at once and is never lost; then returns
///   `false`;
/// - may return early and for no reason, so callers loop:
///   `while !idle.wait_unless(&mut || done()) {}`;
/// - leaves the caller's interrupt flag as it found it.
///
/// `ready` must be short and must not wait itself: it runs with interrupts
/// off. Neither method may be called from an interrupt handler, and some
/// wake-up must be able to come (a device that will interrupt, a timer), or
/// the wait never ends.
pub trait Idle {
    /// Runs `ready` with wake-ups held off; if it says `false`, waits until
    /// something may have changed. Returns what `ready` said.
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool;

    /// Waits until something may have changed, with no check first.
    ///
    /// Only safe when wake-ups recur, as a periodic timer's do: a one-off
    /// wake-up that arrives after the caller's own check and before this
    /// call is lost, and the wait may never end (see the [module
    /// documentation](self)). Prefer [`wait_unless`](Idle::wait_unless).
    fn wait_for_interrupt(&self) {
        self.wait_unless(&mut || false);
    }
}
// ANCHOR_END: trait

impl<I: Idle + ?Sized> Idle for &I {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        (**self).wait_unless(ready)
    }

    fn wait_for_interrupt(&self) {
        (**self).wait_for_interrupt()
    }
}
