//! A cryptographically secure generator, seeded from any [`Entropy`].
//!
//! Hardware sources are slow (each `RDRAND` is a trip to a shared unit on
//! the chip) and can fail. So a kernel reads 32 bytes from one once, uses
//! them as the key of a stream cipher, and hands out the cipher's output:
//! ChaCha20, here through the `rand_chacha` crate. Without the key, its
//! output cannot be told from random or predicted; Linux's `/dev/urandom`
//! has worked this way (with ChaCha20) since 4.8.
//!
//! The generator is an `Entropy` itself, one that never fails, so code that
//! takes `impl Entropy` takes it as readily as the hardware.

use fledge_api::{Entropy, EntropyError};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// ChaCha20 with a 32-byte key from an entropy source. Not `Clone`: a copy
/// would hand out the very same bytes as the original.
#[derive(Debug)]
pub struct Csprng(ChaCha20Rng);

// ANCHOR: seed
impl Csprng {
    /// Reads a 32-byte seed from `source`; its error, if any, is passed on.
    pub fn seed_from(source: &mut impl Entropy) -> Result<Csprng, EntropyError> {
        let mut seed = [0u8; 32];
        source.fill(&mut seed)?;
        Ok(Csprng(ChaCha20Rng::from_seed(seed)))
    }
}

impl Entropy for Csprng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        self.0.fill_bytes(buf);
        Ok(())
    }
}
// ANCHOR_END: seed

impl Csprng {
    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}

// ANCHOR: below
/// A number in `0..bound`, every one equally likely, from uniform 64-bit
/// values `next` gives.
///
/// `next() % bound` is not uniform: 2⁶⁴ is rarely a multiple of `bound`,
/// so the smallest remainders come up once more often than the rest. The
/// fix is to throw away the values in the last, incomplete run of `bound`
/// values (those at or above 2⁶⁴ − (2⁶⁴ mod `bound`)) and draw again.
///
/// # Panics
///
/// If `bound` is 0.
pub fn uniform_below(bound: u64, mut next: impl FnMut() -> u64) -> u64 {
    assert!(bound > 0, "uniform_below(0): there is no number below 0");
    // 2^64 mod bound, computed without 2^64: (2^64 - bound) mod bound.
    let excess = bound.wrapping_neg() % bound;
    loop {
        let value = next();
        // Values in the last `excess` of the range are the biased ones.
        if value <= u64::MAX - excess {
            return value % bound;
        }
    }
}
// ANCHOR_END: below
