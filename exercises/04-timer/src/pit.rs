//! The Programmable Interval Timer.
//!
//! The PIT's input is a 1,193,182 Hz clock (a third of the NTSC colour
//! burst frequency, for reasons of 1981 hardware cost). Channel 0 counts
//! down from a 16-bit *divisor*; in mode 2, the "rate generator", it raises
//! IRQ 0 each time the count runs out and starts again. So the interrupt
//! rate is `1_193_182 / divisor` Hz: 100 Hz needs a divisor of 11,932,
//! which gives 99.998 Hz, a period of 10.000 ms to within 2 µs.
//!
//! Programming it is three writes: a command byte to port 0x43 (channel 0,
//! "low byte then high byte", mode 2, binary: `0x34`), then the divisor's
//! low and high bytes to port 0x40.

use core::fmt;
use core::time::Duration;

use x86_64::instructions::port::Port;

pub use fledge_cpu::tsc::PIT_HZ;

/// Channel 0, low byte then high byte, mode 2 (rate generator), binary.
pub const CHANNEL_0_RATE_GENERATOR: u8 = 0x34;

/// A rate the PIT cannot run at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PitError {
    /// The rate that was asked for, in Hz.
    pub hz: u32,
}

impl fmt::Display for PitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the PIT cannot interrupt at {} Hz: it can do 19 Hz to {} Hz", self.hz, PIT_HZ / 2)
    }
}

impl core::error::Error for PitError {}

// ANCHOR: divisor
/// The divisor that comes closest to `hz` interrupts a second. Mode 2 needs
/// a divisor of at least 2, and it must fit in 16 bits: rates from 19 Hz to
/// `PIT_HZ / 2` work, anything else is an error (even a rate just above
/// `PIT_HZ / 2`, which would round to a divisor of 2).
pub fn divisor(hz: u32) -> Result<u16, PitError> {
    // The nearest whole number to `PIT_HZ / hz`, and an error for 0 Hz or a
    // divisor outside 2..=65535.
    let _ = hz;
    todo!("compute the PIT divisor for hz")
}
// ANCHOR_END: divisor

// ANCHOR: period
/// The time between two interrupts with `divisor`, to the nanosecond
/// (rounded down).
pub fn period(divisor: u16) -> Duration {
    let _ = divisor;
    todo!("compute the period of a divisor")
}
// ANCHOR_END: period

// ANCHOR: program
/// Programs channel 0 to interrupt `hz` times a second, and returns the
/// period it really runs at.
pub fn program(hz: u32) -> Result<Duration, PitError> {
    // `divisor(hz)?`; then three writes with `Port::<u8>`:
    // `CHANNEL_0_RATE_GENERATOR` to 0x43, the low byte to 0x40, the high byte
    // to 0x40. Return `period(divisor)`.
    let _ = (hz, Port::<u8>::new(0x43));
    todo!("program PIT channel 0")
}
// ANCHOR_END: program
