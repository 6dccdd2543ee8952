//! Exercise 06's kernel tests: the real instruction, on two CPUs.
//!
//! The grader boots these tests on QEMU's `max` CPU model, which has RDRAND
//! and RDSEED, except the one marked `cpu = "qemu64,-rdrand,-rdseed"` in
//! exercise.toml, which gets boots of its own on a model without them. Two
//! run the `Entropy` trait's conformance suite (`fledge_conformance::entropy`),
//! which every source of randomness in Fledge must pass.

use entropy::cpuid;
use entropy::csprng::Csprng;
use entropy::rdrand::Rdrand;
use fledge_api::{Entropy, EntropyError};
use fledge_boot::Case;
use fledge_conformance::entropy as conformance;

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![
    rdrand_is_detected,
    rdrand_fills_a_buffer,
    csprng_seeded_from_rdrand,
    rdrand_conforms,
    csprng_conforms,
    no_rdrand_is_an_error
];

fn rdrand_is_detected() {
    let features = cpuid::detect();
    assert!(features.rdrand, "QEMU's `max` CPU has RDRAND, but cpuid::detect() says it does not: {features:?}");
}

/// How many of the 256 byte values occur in `bytes`.
fn distinct(bytes: &[u8]) -> usize {
    let mut seen = [false; 256];
    for &b in bytes {
        seen[b as usize] = true;
    }
    seen.iter().filter(|&&s| s).count()
}

fn rdrand_fills_a_buffer() {
    let mut source = Rdrand::new().expect("this CPU has RDRAND");
    let (mut a, mut b) = ([0u8; 4096], [0u8; 4096]);
    source.fill(&mut a).expect("RDRAND filled the buffer");
    source.fill(&mut b).expect("RDRAND filled the buffer again");
    assert_ne!(a, b, "two fills gave the same 4096 bytes");
    // 4096 uniform bytes miss a given value with probability (255/256)^4096,
    // about 1.1e-7, and miss two or more of the 256 with a probability
    // below 4e-10 (asking for all 256 would fail a perfect source about
    // once in 36,000 runs). 255 or more, or something is badly wrong.
    let values = distinct(&a);
    assert!(values >= 255, "4096 random bytes should contain at least 255 of the 256 byte values, not {values}");
    let mut odd = [0u8; 13];
    source.fill(&mut odd).expect("an odd length works too");
    assert_ne!(odd, [0u8; 13], "13 zero bytes: the last piece was not filled");
}

fn csprng_seeded_from_rdrand() {
    let mut hardware = Rdrand::new().expect("this CPU has RDRAND");
    let mut first = Csprng::seed_from(&mut hardware).expect("seeding from RDRAND");
    let mut second = Csprng::seed_from(&mut hardware).expect("seeding from RDRAND again");
    let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
    first.fill(&mut a).expect("a seeded generator never fails");
    second.fill(&mut b).expect("a seeded generator never fails");
    assert_ne!(a, b, "two generators seeded from RDRAND gave the same bytes");
}

/// The `Entropy` conformance suite on `Rdrand`: empty fills, every byte of
/// fills of every length from 1 to 17 and longer ones written, fills that
/// differ, every byte value used. Its messages name the fill and the byte.
fn rdrand_conforms() {
    conformance::all(&mut Rdrand::new().expect("this CPU has RDRAND"));
}

/// The same suite on the generator, seeded from `Rdrand`.
fn csprng_conforms() {
    let mut hardware = Rdrand::new().expect("this CPU has RDRAND");
    conformance::all(&mut Csprng::seed_from(&mut hardware).expect("seeding from RDRAND"));
}

fn no_rdrand_is_an_error() {
    assert!(!cpuid::detect().rdrand, "this test runs on `-cpu qemu64,-rdrand,-rdseed`, which has no RDRAND");
    match Rdrand::new() {
        Err(EntropyError::Absent) => {}
        Err(other) => panic!("Rdrand::new() said {other:?}; without the instruction it is `Absent`"),
        Ok(_) => panic!("Rdrand::new() succeeded on a CPU without RDRAND: check cpuid::detect() first"),
    }
}
