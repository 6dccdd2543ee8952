//! A [`Clock`] made of timer interrupts.
//!
//! Every timer interrupt adds one to a tick counter
//! ([`handlers::ticks`](crate::handlers::ticks)). The time since the timer
//! started is then `ticks × period`, and the clock's resolution is one
//! period: between two interrupts the reading stands still. Linux's
//! `jiffies` counter is the same idea.

use core::time::Duration;

use fledge_api::{Clock, Instant};

use crate::handlers;

/// The PIT's ticks as a clock.
#[derive(Clone, Copy, Debug)]
pub struct PitClock {
    period: Duration,
}

impl PitClock {
    /// A clock over ticks `period` apart (what `pit::program` returned).
    pub const fn new(period: Duration) -> PitClock {
        PitClock { period }
    }
}

// ANCHOR: at
/// The time `ticks` periods after the start. Saturates at `Duration::MAX`
/// instead of overflowing.
pub fn at(ticks: u64, period: Duration) -> Duration {
    let nanos = period.as_nanos().saturating_mul(u128::from(ticks));
    match u64::try_from(nanos / 1_000_000_000) {
        Ok(secs) => Duration::new(secs, (nanos % 1_000_000_000) as u32),
        Err(_) => Duration::MAX,
    }
}
// ANCHOR_END: at

// ANCHOR: clock
impl Clock for PitClock {
    fn now(&self) -> Instant {
        Instant::from_since_start(at(handlers::ticks(), self.period))
    }

    fn resolution(&self) -> Duration {
        self.period
    }
}
// ANCHOR_END: clock
