//! The clock suite against the host's clock and the fake one, and against
//! broken clocks, which it must reject.

use core::cell::Cell;
use core::time::Duration;

use fledge_api::{Clock, Idle, Instant};
use fledge_conformance::clock;
use fledge_fakes::{ManualClock, TickingIdle};
use fledge_hosted::{HostClock, SleepIdle};

#[test]
fn host_clock_conforms() {
    clock::all(&HostClock::new(), &SleepIdle(Duration::from_micros(50)));
}

#[test]
fn manual_clock_conforms() {
    let fake = ManualClock::new(Duration::from_millis(10));
    clock::all(&fake, &TickingIdle::new(&fake, Duration::from_millis(10)));
}

#[test]
fn manual_clock_with_small_steps_conforms() {
    let fake = ManualClock::new(Duration::from_millis(10));
    clock::all(&fake, &TickingIdle::new(&fake, Duration::from_millis(3)));
}

/// A clock that goes back after its fifth reading.
struct Backwards(Cell<u64>);

impl Clock for Backwards {
    fn now(&self) -> Instant {
        self.0.set(self.0.get() + 1);
        let n = self.0.get();
        Instant::from_since_start(Duration::from_millis(if n == 5 { 1 } else { n * 10 }))
    }
    fn resolution(&self) -> Duration {
        Duration::from_millis(10)
    }
}

struct NoWait;

impl Idle for NoWait {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        ready()
    }
}

#[test]
#[should_panic(expected = "went backwards")]
fn a_clock_that_goes_backwards_is_rejected() {
    clock::never_goes_backwards(&Backwards(Cell::new(0)), &NoWait);
}

#[test]
#[should_panic(expected = "after 1000 waits")]
fn a_stopped_clock_is_rejected() {
    let fake = ManualClock::new(Duration::from_millis(10));
    clock::advances(&fake, &NoWait);
}

#[test]
#[should_panic(expected = "smallest step")]
fn a_clock_that_understates_its_steps_is_rejected() {
    // Steps of 10 ms, but it claims 1 ms.
    struct Coarse<'a>(&'a ManualClock);
    impl Clock for Coarse<'_> {
        fn now(&self) -> Instant {
            self.0.now()
        }
        fn resolution(&self) -> Duration {
            Duration::from_millis(1)
        }
    }
    let fake = ManualClock::new(Duration::from_millis(10));
    clock::steps_by_its_resolution(&Coarse(&fake), &TickingIdle::new(&fake, Duration::from_millis(10)));
}
