//! The host's monotonic clock, and waiting by sleeping.

use core::time::Duration;

use fledge_api::{Clock, Idle, Instant};

/// A [`Clock`] over `std::time::Instant`, starting when it is made.
#[derive(Clone, Copy, Debug)]
pub struct HostClock {
    start: std::time::Instant,
}

impl HostClock {
    /// A clock that starts now.
    pub fn new() -> HostClock {
        HostClock { start: std::time::Instant::now() }
    }
}

impl Default for HostClock {
    fn default() -> Self {
        HostClock::new()
    }
}

impl Clock for HostClock {
    fn now(&self) -> Instant {
        Instant::from_since_start(self.start.elapsed())
    }

    /// The operating system does not say; Linux's monotonic clock reads in
    /// nanoseconds, and a microsecond is a safe upper bound on its steps.
    fn resolution(&self) -> Duration {
        Duration::from_micros(1)
    }
}

/// An [`Idle`] that sleeps for a short while: a process has no interrupts
/// to wait for.
///
/// It cannot hold wake-ups off while the check runs (another thread may
/// change the state at any moment), so a change that lands between the
/// check and the sleep is noticed only when the sleep ends: a wake-up is
/// late by at most one sleep, never lost, as with a periodic tick.
#[derive(Clone, Copy, Debug)]
pub struct SleepIdle(pub Duration);

impl Idle for SleepIdle {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        if ready() {
            return true;
        }
        std::thread::sleep(self.0);
        false
    }
}
