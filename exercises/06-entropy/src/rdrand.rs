//! An [`Entropy`] source over the `RDRAND` instruction.
//!
//! `RDRAND r64` puts 64 random bits in a register and sets the carry flag.
//! If the generator has no fresh output ready, it clears the carry flag
//! instead, and the register is zero: the caller must check the flag, every
//! time. Intel's guidance is to retry a failed `RDRAND` up to ten times;
//! ten failures in a row mean the generator is broken, not busy. (`RDSEED`
//! can run dry for longer, so its failures mean "would block".)

use core::arch::asm;

use fledge_api::{Entropy, EntropyError};

use crate::cpuid;

/// How many times one 64-bit read is tried before giving up.
pub const RETRIES: usize = 10;

// ANCHOR: fill_with
/// Fills `buf` with 64-bit values from `step`, each tried up to [`RETRIES`]
/// times (`step` returns `None` for a failed try), in little-endian byte
/// order; a last piece shorter than 8 bytes takes the low bytes of one
/// more value. If a value fails [`RETRIES`] times, returns `give_up`.
pub fn fill_with(
    buf: &mut [u8],
    mut step: impl FnMut() -> Option<u64>,
    give_up: EntropyError,
) -> Result<(), EntropyError> {
    // For each 8-byte chunk of `buf` (`chunks_mut(8)`): up to `RETRIES`
    // calls of `step` until one gives a value, or `Err(give_up)`; then the
    // value's little-endian bytes, as many as the chunk holds.
    let _ = (buf, &mut step, give_up);
    todo!("fill the buffer, retrying each value")
}
// ANCHOR_END: fill_with

// ANCHOR: rdrand64
/// One try of `RDRAND`: the value, or `None` when the carry flag says the
/// generator had nothing ready.
///
/// # Safety
///
/// The CPU must have `RDRAND` ([`cpuid::detect`]); on one that does not,
/// the instruction raises an invalid-opcode exception.
pub unsafe fn rdrand64() -> Option<u64> {
    // `asm!` with `rdrand {value}` then `setc {ok}`: the carry flag says
    // whether `value` is good. `ok = out(reg_byte) ok` takes `setc`'s byte.
    todo!("execute RDRAND once")
}
// ANCHOR_END: rdrand64

/// The CPU's `RDRAND`, as an entropy source. Only [`Rdrand::new`] makes
/// one, and only on a CPU that has the instruction.
#[derive(Debug)]
pub struct Rdrand(());

// ANCHOR: rdrand
impl Rdrand {
    /// The source, or [`EntropyError::Absent`] if this CPU has no `RDRAND`.
    pub fn new() -> Result<Rdrand, EntropyError> {
        // `Err(EntropyError::Absent)` unless `cpuid::detect().rdrand`.
        todo!("check for RDRAND, then make the source")
    }
}

impl Entropy for Rdrand {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        // `fill_with`, with `rdrand64` as the step (an `unsafe` call: say why
        // it is fine here) and `EntropyError::Failed` when it keeps failing.
        let _ = buf;
        todo!("fill from RDRAND")
    }
}
// ANCHOR_END: rdrand
