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
    for chunk in buf.chunks_mut(8) {
        let value = (0..RETRIES).find_map(|_| step()).ok_or(give_up)?;
        chunk.copy_from_slice(&value.to_le_bytes()[..chunk.len()]);
    }
    Ok(())
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
    let value: u64;
    let ok: u8;
    // SAFETY: the caller promises the instruction exists; it writes only the
    // two registers named here and the flags.
    unsafe {
        asm!("rdrand {value}", "setc {ok}", value = out(reg) value, ok = out(reg_byte) ok, options(nomem, nostack))
    };
    (ok == 1).then_some(value)
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
        if cpuid::detect().rdrand { Ok(Rdrand(())) } else { Err(EntropyError::Absent) }
    }
}

impl Entropy for Rdrand {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        // SAFETY: an `Rdrand` exists only where CPUID said RDRAND does.
        fill_with(buf, || unsafe { rdrand64() }, EntropyError::Failed)
    }
}
// ANCHOR_END: rdrand
