//! Exercise 06's host tests: CPUID decoding, the retry logic with a
//! scripted instruction, and the generator with the fake sources of
//! `fledge_fakes` (a list, a source that always blocks, and a list wrapped
//! to fail after 16 bytes), which make every error path reachable.

use entropy::cpuid::{self, Features};
use entropy::csprng::{self, Csprng};
use entropy::rdrand::{self, RETRIES};
use fledge_api::{Entropy, EntropyError};
use fledge_fakes::{BlockingEntropy, Bytewise, FailAfter, ListEntropy};

#[test]
fn cpu_features_are_decoded() {
    assert_eq!(cpuid::decode(0, 0), Features { rdrand: false, rdseed: false });
    assert_eq!(cpuid::decode(1 << 30, 0), Features { rdrand: true, rdseed: false });
    assert_eq!(cpuid::decode(0, 1 << 18), Features { rdrand: false, rdseed: true });
    assert_eq!(cpuid::decode(!0, !0), Features { rdrand: true, rdseed: true });
    assert_eq!(cpuid::decode(!(1 << 30), !(1 << 18)), Features::default(), "only bit 30 and bit 18 count");
}

/// A scripted instruction: `None` for each failed try, then the values.
fn script(failures: usize, values: &[u64]) -> impl FnMut() -> Option<u64> + '_ {
    let mut failed = 0;
    let mut values = values.iter();
    move || {
        if failed < failures {
            failed += 1;
            None
        } else {
            values.next().copied()
        }
    }
}

#[test]
fn fill_takes_little_endian_values() {
    let mut buf = [0u8; 16];
    let values = [0x0807_0605_0403_0201, 0x100f_0e0d_0c0b_0a09];
    let result = rdrand::fill_with(&mut buf, script(0, &values), EntropyError::Failed);
    assert_eq!(result, Ok(()));
    assert_eq!(buf, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
}

#[test]
fn fill_handles_a_short_last_piece() {
    let mut buf = [0u8; 11];
    let result = rdrand::fill_with(&mut buf, script(0, &[u64::MAX, 0x0000_0000_00cc_bbaa]), EntropyError::Failed);
    assert_eq!(result, Ok(()));
    assert_eq!(buf, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xaa, 0xbb, 0xcc]);
    let mut empty = [0u8; 0];
    assert_eq!(rdrand::fill_with(&mut empty, || panic!("nothing to fill"), EntropyError::Failed), Ok(()));
}

#[test]
fn fill_retries_a_failing_instruction() {
    let mut buf = [0u8; 8];
    let result = rdrand::fill_with(&mut buf, script(RETRIES - 1, &[42]), EntropyError::Failed);
    assert_eq!(result, Ok(()), "{} failures and then a value must succeed", RETRIES - 1);
    assert_eq!(buf, 42u64.to_le_bytes());
}

#[test]
fn fill_gives_up_after_the_retries() {
    let mut buf = [0u8; 8];
    let mut tries = 0;
    let result = rdrand::fill_with(
        &mut buf,
        || {
            tries += 1;
            None
        },
        EntropyError::WouldBlock,
    );
    assert_eq!(result, Err(EntropyError::WouldBlock), "the caller's give_up error");
    assert_eq!(tries, RETRIES, "exactly RETRIES tries, then give up");
}

#[test]
fn seeding_passes_the_sources_error_on() {
    assert_eq!(Csprng::seed_from(&mut BlockingEntropy).err(), Some(EntropyError::WouldBlock));
    // A source that dies half way through the seed: 16 bytes, then `Failed`.
    let mut dying = Bytewise::new(FailAfter::new(ListEntropy::new([7u8; 64]), 16, EntropyError::Failed));
    assert_eq!(Csprng::seed_from(&mut dying).err(), Some(EntropyError::Failed));
    let mut short = ListEntropy::new([7u8; 31]);
    assert_eq!(Csprng::seed_from(&mut short).err(), Some(EntropyError::WouldBlock), "31 bytes are not a seed");
}

#[test]
fn the_seed_is_a_chacha20_key() {
    // ChaCha20 with an all-zero key and nonce: the keystream every
    // implementation's tests start with.
    let mut rng = Csprng::seed_from(&mut ListEntropy::new([0u8; 32])).expect("32 bytes are a seed");
    let mut out = [0u8; 16];
    rng.fill(&mut out).expect("a seeded generator never fails");
    assert_eq!(out, [0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28]);
}

#[test]
fn the_same_seed_gives_the_same_stream() {
    let seed: Vec<u8> = (0..32).collect();
    let mut a = Csprng::seed_from(&mut ListEntropy::new(seed.clone())).unwrap();
    let mut b = Csprng::seed_from(&mut ListEntropy::new(seed)).unwrap();
    let mut c = Csprng::seed_from(&mut ListEntropy::new([9u8; 32])).unwrap();
    let (mut x, mut y, mut z) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    for (rng, out) in [(&mut a, &mut x), (&mut b, &mut y), (&mut c, &mut z)] {
        rng.fill(out).unwrap();
    }
    assert_eq!(x, y, "the same seed must give the same bytes");
    assert_ne!(x, z, "a different seed must give different bytes");
}

#[test]
fn uniform_below_throws_away_the_biased_values() {
    // 2^64 mod 3 = 1: only u64::MAX is in the incomplete last run.
    let mut values = [u64::MAX, 5].into_iter();
    assert_eq!(csprng::uniform_below(3, || values.next().unwrap()), 2);
    assert_eq!(values.next(), None, "u64::MAX must be thrown away and the next value used");
    // 2^64 mod 6 = 4: the top four values go.
    let mut values = [u64::MAX - 3, u64::MAX - 4].into_iter();
    assert_eq!(csprng::uniform_below(6, || values.next().unwrap()), (u64::MAX - 4) % 6);
    // A power of two divides 2^64: nothing is thrown away.
    let mut values = [u64::MAX].into_iter();
    assert_eq!(csprng::uniform_below(8, || values.next().unwrap()), 7);
    assert_eq!(csprng::uniform_below(1, || 12345), 0);
}
