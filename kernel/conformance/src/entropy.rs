//! The [`Entropy`] contract, checked.
//!
//! No test can prove that bytes are unpredictable: a counter passes every
//! check here. What the suite catches are the ways a source is plainly
//! broken, each of which has happened in real drivers: an empty request
//! that fails, a short last piece left unwritten (RDRAND gives 8 bytes at
//! a time, so a buffer whose length is not a multiple of 8 has a tail to
//! get wrong), `Ok` without writing at all, the same bytes every time, and
//! output that uses only a few byte values.
//!
//! # Chance
//!
//! The checks are statistical, so a perfect source could fail them by bad
//! luck. Each check below states its false-failure probability for a truly
//! random source; together they stay below 4e-10, so a failure means a
//! broken source, not an unlucky run.
//!
//! # A source that would block
//!
//! [`EntropyError::WouldBlock`] is allowed: every fill the suite makes is
//! tried again at once, up to [`WOULD_BLOCK_TRIES`] times in a row, and the
//! suite fails only if the source never gives bytes. Any other error
//! (`Absent`, `Failed`) fails the suite: a source that is checked must be
//! there and working. The suite does not wait between tries, so a source
//! that needs an interrupt before it can give more (a device's queue) is
//! checked with interrupts on, or through a wrapper that waits.

use fledge_api::{Entropy, EntropyError};

/// How many times in a row a fill may say [`EntropyError::WouldBlock`]
/// before the suite gives up on the source.
pub const WOULD_BLOCK_TRIES: usize = 100_000;

/// How many fills of each length [`every_byte_is_written`] makes.
pub const FILLS: usize = 8;

/// The lengths [`every_byte_is_written`] fills: every length up to 17
/// (every tail of an 8-byte piece, twice over), then lengths around larger
/// powers of two, and a long one.
pub const LENGTHS: [usize; 30] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 1000,
    1024,
];

const LONGEST: usize = 1024;

/// Fills `buf` from `source`, trying again when it would block. Panics if
/// it never gives, or fails with any other error.
pub fn fill(source: &mut impl Entropy, buf: &mut [u8]) {
    for _ in 0..WOULD_BLOCK_TRIES {
        match source.fill(buf) {
            Ok(()) => return,
            Err(EntropyError::WouldBlock) => core::hint::spin_loop(),
            Err(error) => panic!(
                "a fill of {} bytes failed with {error:?} ({error}): a working source may only say WouldBlock",
                buf.len()
            ),
        }
    }
    panic!(
        "a fill of {} bytes said WouldBlock {WOULD_BLOCK_TRIES} times in a row: the source never gives bytes",
        buf.len()
    );
}

/// An empty fill succeeds, at once: not `WouldBlock`, not any error.
pub fn empty_fill_succeeds(source: &mut impl Entropy) {
    if let Err(error) = source.fill(&mut []) {
        panic!("an empty fill returned Err({error:?}): the contract says an empty buffer succeeds");
    }
}

/// Every byte of a fill is written: for each length of [`LENGTHS`], the
/// buffer is zeroed and filled [`FILLS`] times, and every position must
/// take more than one value across the fills. A position the source never
/// writes (the tail of an odd length, or all of them after an `Ok` that
/// wrote nothing) keeps its zero, and one it writes with the same value
/// every time is no better.
///
/// Chance: a random byte repeats its first value in the 7 fills after it
/// with probability 256⁻⁷ = 2⁻⁵⁶ ≈ 1.4e-17. The lengths have 3,356
/// positions in all, so the check fails a random source with probability
/// at most 3,356 × 2⁻⁵⁶ ≈ 4.7e-14.
pub fn every_byte_is_written(source: &mut impl Entropy) {
    let mut buf = [0u8; LONGEST];
    let mut first = [0u8; LONGEST];
    let mut changed = [false; LONGEST];
    for len in LENGTHS {
        changed[..len].fill(false);
        for round in 0..FILLS {
            let buf = &mut buf[..len];
            buf.fill(0);
            fill(source, buf);
            for (position, &byte) in buf.iter().enumerate() {
                if round == 0 {
                    first[position] = byte;
                } else if byte != first[position] {
                    changed[position] = true;
                }
            }
        }
        if let Some(position) = changed[..len].iter().position(|&c| !c) {
            panic!(
                "byte {position} of a {len}-byte fill was {:#04x} in all {FILLS} fills: the source never writes it \
                 (a short last piece left out?) or writes the same value every time",
                first[position]
            );
        }
    }
}

/// Two fills differ: two 32-byte fills that are equal mean a source that
/// repeats itself. Chance: 2⁻²⁵⁶.
pub fn fills_differ(source: &mut impl Entropy) {
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    fill(source, &mut a);
    fill(source, &mut b);
    assert!(a != b, "two 32-byte fills gave the same bytes: {a:02x?}");
}

/// The bytes use the whole range: a 4096-byte fill contains at least 255
/// of the 256 byte values. A constant, a source of letters or digits only,
/// or one that repeats a short pattern fails.
///
/// Chance: two given values are both missing from 4096 random bytes with
/// probability (254/256)⁴⁰⁹⁶ ≈ 1.1e-14; there are 32,640 pairs of values,
/// so two or more are missing with probability at most 3.7e-10. (Asking
/// for all 256 would fail a random source about once in 35,000 runs.)
pub fn uses_every_byte_value(source: &mut impl Entropy) {
    let mut buf = [0u8; 4096];
    fill(source, &mut buf);
    let mut seen = [false; 256];
    for &byte in &buf {
        seen[usize::from(byte)] = true;
    }
    let distinct = seen.iter().filter(|&&s| s).count();
    assert!(
        distinct >= 255,
        "a 4096-byte fill had only {distinct} of the 256 byte values (the first bytes: {:02x?})",
        &buf[..16]
    );
}

/// Every check in this suite, in order.
pub fn all(source: &mut impl Entropy) {
    empty_fill_succeeds(source);
    every_byte_is_written(source);
    fills_differ(source);
    uses_every_byte_value(source);
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_lengths_have_the_positions_the_docs_count() {
        assert_eq!(LENGTHS.iter().sum::<usize>(), 3356);
        assert!(LENGTHS.iter().all(|&len| len <= LONGEST));
    }
}
