//! The [`Clock`] contract, checked.
//!
//! Every check takes the clock and an [`Idle`] that lets time pass: a halt
//! until the next interrupt on bare metal, a short sleep on the host, a step
//! of a fake clock in tests. Where a check waits for the clock to change,
//! it hands the reading to [`Idle::wait_unless`], so that a tick between
//! the reading and the halt is not lost.

use core::time::Duration;

use fledge_api::{Clock, Idle};

/// How many waits a check allows for the clock to move before it gives up.
pub const MAX_WAITS: usize = 1000;

/// Readings never go backwards: a thousand readings, some back to back and
/// some across a wait, each no earlier than the one before.
pub fn never_goes_backwards(clock: &impl Clock, idle: &impl Idle) {
    let mut last = clock.now();
    for reading in 1..=1000 {
        if reading % 100 == 0 {
            idle.wait_for_interrupt();
        }
        let now = clock.now();
        assert!(now >= last, "reading {reading} went backwards: {now:?} came after {last:?}");
        last = now;
    }
}

/// Time passes: within [`MAX_WAITS`] waits the clock moves.
pub fn advances(clock: &impl Clock, idle: &impl Idle) {
    let start = clock.now();
    for _ in 0..MAX_WAITS {
        if idle.wait_unless(&mut || clock.now() > start) {
            return;
        }
    }
    panic!("the clock still read {start:?} after {MAX_WAITS} waits for an interrupt");
}

/// The resolution is honest: the clock steps by no more than
/// [`Clock::resolution`]. The check watches for five steps, polling the
/// clock and waiting only when polling sees no change, and wants the
/// smallest of the five to be at most the resolution (one step may look
/// bigger if the machine was busy at that moment; five in a row do not).
pub fn steps_by_its_resolution(clock: &impl Clock, idle: &impl Idle) {
    const POLLS: usize = 10_000;
    let resolution = clock.resolution();
    let mut smallest = Duration::MAX;
    let mut last = clock.now();
    let mut steps = 0;
    for _ in 0..MAX_WAITS {
        let mut now = clock.now();
        for _ in 0..POLLS {
            if now != last {
                break;
            }
            now = clock.now();
        }
        if now == last {
            idle.wait_unless(&mut || clock.now() != last);
            now = clock.now();
        }
        if now > last {
            smallest = smallest.min(now.saturating_duration_since(last));
            steps += 1;
            if steps == 5 {
                break;
            }
        }
        last = now;
    }
    assert!(steps == 5, "the clock moved only {steps} times in {MAX_WAITS} waits");
    assert!(
        smallest <= resolution,
        "the clock says its resolution is {resolution:?}, but its smallest step was {smallest:?}"
    );
}

/// Every check in this suite, in order.
pub fn all(clock: &impl Clock, idle: &impl Idle) {
    never_goes_backwards(clock, idle);
    advances(clock, idle);
    steps_by_its_resolution(clock, idle);
}
