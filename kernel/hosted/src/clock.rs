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

/// Nanoseconds since the first call, on the host's monotonic clock: a
/// stamp for a trace (`fledge_trace::Ring::new(monotonic_nanos)`), whose
/// frequency is then 1,000,000,000 ticks a second.
pub fn monotonic_nanos() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = START.get_or_init(std::time::Instant::now);
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
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
