//! Randomness: the [`Entropy`] trait.
//!
//! A kernel needs unpredictable bytes: for TCP's initial sequence numbers,
//! for the hash seeds that stop an attacker from flooding one bucket, for
//! keys. Where they come from differs: an instruction of the CPU (RDRAND,
//! RDSEED), a virtio device, the host's `getrandom`, a generator seeded
//! from one of those. What a caller needs to know is the same everywhere:
//! did it get bytes, and if not, why not. So a fill returns a `Result`, and
//! the error tells *would block* (try again later) from *absent* (this
//! machine has no such source; pick another) from *failed* (the source
//! reported a fault).
//!
//! Implementations: exercise 06's RDRAND source and ChaCha20 generator;
//! `fledge_hosted::HostEntropy`, over the host's `getrandom`; and the fakes
//! in `fledge_fakes`, which replay a list or always block, and wrap any
//! source to fail after a number of bytes, so that every error path can be
//! tested.

use core::fmt;

/// Why a source gave no bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntropyError {
    /// Nothing to give right now; asking again later may work.
    WouldBlock,
    /// This machine has no such source; asking again will not help.
    Absent,
    /// The source reported a fault (a hardware generator that keeps
    /// failing its own health checks).
    Failed,
}

impl fmt::Display for EntropyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntropyError::WouldBlock => "the entropy source has nothing to give right now",
            EntropyError::Absent => "this machine has no such entropy source",
            EntropyError::Failed => "the entropy source reported a fault",
        })
    }
}

impl core::error::Error for EntropyError {}

// ANCHOR: trait
/// A source of unpredictable bytes.
///
/// # Contract
///
/// - `Ok(())` means every byte of `buf` was written with unpredictable
///   data. An error means no promise about `buf` at all: do not use it.
/// - `fill` never waits for long: when the source has nothing to give, it
///   returns [`EntropyError::WouldBlock`] instead of spinning.
/// - An empty `buf` succeeds.
///
/// `fledge_conformance::entropy` checks a source against this contract
/// (and against the plainest ways of being predictable).
pub trait Entropy {
    /// Fills `buf` with unpredictable bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError>;
}
// ANCHOR_END: trait

impl<E: Entropy + ?Sized> Entropy for &mut E {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        (**self).fill(buf)
    }
}
