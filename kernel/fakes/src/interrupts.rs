//! A CPU's interrupt flag, simulated, for tests of waiting code.
//!
//! The lost wake-up (see `fledge_api::idle`) is a race between a check and
//! a halt, and on a real machine it shows up once in a blue moon. Here it
//! shows up every time: the test decides exactly when the device's
//! interrupt arrives, and [`SimulatedInterrupts`] models what the CPU does
//! with it.
//!
//! ```text
//! raise() with interrupts on    the handler runs at once
//! raise() with interrupts off   the interrupt is held pending (one bit,
//!                               like a line of the PIC: two raises merge)
//! enable()                      a pending interrupt's handler runs
//! wait_unless(ready)            off; ready(); if "not yet": sti; hlt
//! ```
//!
//! A halt ends only when an interrupt is taken. Nothing else runs while
//! the simulated CPU is halted, so a halt with nothing pending would never
//! end: instead of hanging the test, the fake panics with a message that
//! says "lost wake-up".

use std::cell::Cell;

use fledge_api::Idle;

/// One CPU's interrupt flag and one interrupt line, with the line's
/// handler. Starts with interrupts on, as a kernel that has finished
/// bringing its devices up.
///
/// ```
/// use std::cell::Cell;
///
/// use fledge_api::Idle;
/// use fledge_fakes::SimulatedInterrupts;
///
/// let done = Cell::new(false);
/// let cpu = SimulatedInterrupts::new(|| done.set(true));
/// // The device's only interrupt comes just after the check looked.
/// let mut ready = || {
///     let seen = done.get();
///     cpu.raise();
///     seen
/// };
/// while !cpu.wait_unless(&mut ready) {}
/// assert!(done.get());
/// ```
pub struct SimulatedInterrupts<'a> {
    enabled: Cell<bool>,
    pending: Cell<bool>,
    handler: Box<dyn Fn() + 'a>,
    taken: Cell<usize>,
    halts: Cell<usize>,
}

impl<'a> SimulatedInterrupts<'a> {
    /// A CPU with interrupts on, whose interrupt runs `handler`.
    pub fn new(handler: impl Fn() + 'a) -> SimulatedInterrupts<'a> {
        SimulatedInterrupts {
            enabled: Cell::new(true),
            pending: Cell::new(false),
            handler: Box::new(handler),
            taken: Cell::new(0),
            halts: Cell::new(0),
        }
    }

    /// The device raises its interrupt: the handler runs now if interrupts
    /// are on, or when they next come on.
    pub fn raise(&self) {
        if self.enabled.get() {
            self.take();
        } else {
            self.pending.set(true);
        }
    }

    /// `cli`.
    pub fn disable(&self) {
        self.enabled.set(false);
    }

    /// `sti`: a pending interrupt is taken at once.
    pub fn enable(&self) {
        self.enabled.set(true);
        if self.pending.replace(false) {
            self.take();
        }
    }

    /// Whether interrupts are on.
    pub fn enabled(&self) -> bool {
        self.enabled.get()
    }

    /// Whether an interrupt waits for interrupts to come on.
    pub fn pending(&self) -> bool {
        self.pending.get()
    }

    /// How many times the handler ran.
    pub fn taken(&self) -> usize {
        self.taken.get()
    }

    /// How many times the CPU halted.
    pub fn halts(&self) -> usize {
        self.halts.get()
    }

    fn take(&self) {
        self.taken.set(self.taken.get() + 1);
        // An interrupt gate clears the flag while the handler runs.
        let was = self.enabled.replace(false);
        (self.handler)();
        self.enabled.set(was);
    }
}

impl Idle for SimulatedInterrupts<'_> {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        let was_enabled = self.enabled.replace(false);
        let is_ready = ready();
        if !is_ready {
            // `sti; hlt`: nothing can be taken between the two, so only an
            // interrupt pending since the check can end the halt.
            self.halts.set(self.halts.get() + 1);
            self.enabled.set(true);
            if !self.pending.replace(false) {
                panic!(
                    "lost wake-up: the CPU halted with nothing pending, and no interrupt will ever come \
                     (was the check made with interrupts on, before the wait?)"
                );
            }
            self.take();
            self.enabled.set(false);
        }
        if was_enabled {
            self.enable();
        }
        is_ready
    }
}

impl std::fmt::Debug for SimulatedInterrupts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatedInterrupts")
            .field("enabled", &self.enabled.get())
            .field("pending", &self.pending.get())
            .field("taken", &self.taken.get())
            .field("halts", &self.halts.get())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn an_interrupt_is_taken_at_once_when_on_and_later_when_off() {
        let count = Cell::new(0);
        let cpu = SimulatedInterrupts::new(|| count.set(count.get() + 1));
        cpu.raise();
        assert_eq!(count.get(), 1);
        cpu.disable();
        cpu.raise();
        cpu.raise();
        assert_eq!((count.get(), cpu.pending()), (1, true), "held pending while off; two raises merge");
        cpu.enable();
        assert_eq!((count.get(), cpu.pending(), cpu.taken()), (2, false, 2));
    }

    #[test]
    fn the_check_runs_with_interrupts_off_and_the_flag_is_restored() {
        let cpu = SimulatedInterrupts::new(|| {});
        assert!(cpu.wait_unless(&mut || !cpu.enabled()));
        assert!(cpu.enabled());
        cpu.disable();
        assert!(cpu.wait_unless(&mut || true));
        assert!(!cpu.enabled(), "the caller had interrupts off");
        assert_eq!(cpu.halts(), 0, "a ready check does not halt");
    }

    #[test]
    fn a_pending_interrupt_ends_the_halt() {
        let cpu = SimulatedInterrupts::new(|| {});
        cpu.disable();
        cpu.raise();
        assert!(!cpu.wait_unless(&mut || false));
        assert_eq!((cpu.halts(), cpu.taken(), cpu.enabled()), (1, 1, false));
    }

    #[test]
    #[should_panic(expected = "lost wake-up")]
    fn a_halt_with_nothing_pending_is_a_lost_wake_up() {
        SimulatedInterrupts::new(|| {}).wait_for_interrupt();
    }
}
