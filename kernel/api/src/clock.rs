//! Time: the [`Clock`] trait and its [`Instant`].
//!
//! A kernel needs to know how much time has passed: to sleep, to time out a
//! device that does not answer, to retransmit a lost packet. It does not
//! need the date. So a Fledge clock is *monotonic*: it counts from some
//! start (usually boot) and only goes forward, like Linux's
//! `CLOCK_MONOTONIC` and unlike the wall clock, which can be set back.
//!
//! Implementations: exercise 04's PIT clock, which counts timer interrupts;
//! `fledge_hosted::HostClock`, over `std::time::Instant`;
//! `fledge_fakes::ManualClock`, which moves only when a test says so.
//! `fledge_conformance::clock` checks any of them against the contract
//! below.

use core::time::Duration;

/// A reading of a [`Clock`]: the time since the clock's start.
///
/// Instants of different clocks cannot be compared meaningfully; nothing in
/// the type stops it, so keep each to its clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(Duration);

impl Instant {
    /// The clock's start.
    pub const ZERO: Instant = Instant(Duration::ZERO);

    /// The instant `since_start` after the clock's start.
    pub const fn from_since_start(since_start: Duration) -> Instant {
        Instant(since_start)
    }

    /// The time from the clock's start to this instant.
    pub const fn since_start(self) -> Duration {
        self.0
    }

    /// The time from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }

    /// `self + duration`, or `None` if that cannot be represented.
    pub fn checked_add(self, duration: Duration) -> Option<Instant> {
        self.0.checked_add(duration).map(Instant)
    }
}

// ANCHOR: trait
/// A monotonic clock.
///
/// # Contract
///
/// - **Monotonic.** A reading is never earlier than a reading taken before
///   it, from any thread or interrupt handler.
/// - **Honest resolution.** The clock advances in steps; [`resolution`] is
///   the largest step. A reading lags true time by less than one
///   resolution, so two readings taken `d` apart differ by more than
///   `d - resolution`.
/// - **Cheap and non-blocking.** `now` may be called with interrupts
///   disabled and from interrupt handlers; it takes no lock that an
///   interrupt handler could hold.
///
/// [`resolution`]: Clock::resolution
pub trait Clock {
    /// The current time.
    fn now(&self) -> Instant;

    /// The largest step by which [`now`](Clock::now) advances.
    fn resolution(&self) -> Duration;
}
// ANCHOR_END: trait

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Instant {
        (**self).now()
    }

    fn resolution(&self) -> Duration {
        (**self).resolution()
    }
}
