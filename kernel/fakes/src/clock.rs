//! A clock that moves only when told to, and an idle that moves it.

use core::time::Duration;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use fledge_api::{Clock, Idle, Instant};

/// A [`Clock`] whose time is set by the test.
///
/// ```
/// use core::time::Duration;
/// use fledge_api::Clock;
/// use fledge_fakes::ManualClock;
///
/// let clock = ManualClock::new(Duration::from_millis(10));
/// clock.advance(Duration::from_millis(25));
/// assert_eq!(clock.now().since_start(), Duration::from_millis(20)); // whole steps only
/// ```
#[derive(Debug)]
pub struct ManualClock {
    /// True time since the start; readings round it down to `resolution`.
    elapsed: Mutex<Duration>,
    resolution: Duration,
}

impl ManualClock {
    /// A clock at zero that advances in steps of `resolution` (zero for a
    /// clock that shows time exactly).
    pub const fn new(resolution: Duration) -> ManualClock {
        ManualClock { elapsed: Mutex::new(Duration::ZERO), resolution }
    }

    /// Moves true time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut elapsed = self.elapsed.lock().unwrap_or_else(|e| e.into_inner());
        *elapsed += by;
    }

    /// True time since the start, before rounding to the resolution.
    pub fn elapsed(&self) -> Duration {
        *self.elapsed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        let elapsed = self.elapsed();
        let shown = match self.resolution.as_nanos() {
            0 => elapsed,
            step => {
                let nanos = elapsed.as_nanos() / step * step;
                Duration::new((nanos / 1_000_000_000) as u64, (nanos % 1_000_000_000) as u32)
            }
        };
        Instant::from_since_start(shown)
    }

    fn resolution(&self) -> Duration {
        self.resolution
    }
}

/// An [`Idle`] whose every wait advances a [`ManualClock`] by a fixed step,
/// as if a timer interrupt had ended it. It counts its waits: the calls
/// whose check said "not yet" and so waited, not the ones that returned at
/// once.
#[derive(Debug)]
pub struct TickingIdle<'a> {
    clock: &'a ManualClock,
    step: Duration,
    waits: AtomicUsize,
}

impl<'a> TickingIdle<'a> {
    /// Each wait advances `clock` by `step`.
    pub fn new(clock: &'a ManualClock, step: Duration) -> TickingIdle<'a> {
        TickingIdle { clock, step, waits: AtomicUsize::new(0) }
    }

    /// How many times it waited.
    pub fn waits(&self) -> usize {
        self.waits.load(Ordering::SeqCst)
    }
}

impl Idle for TickingIdle<'_> {
    /// A fake has no interrupts to hold off: the check runs, and if it says
    /// "not yet", the clock moves one step.
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        if ready() {
            return true;
        }
        self.waits.fetch_add(1, Ordering::SeqCst);
        self.clock.advance(self.step);
        false
    }
}
