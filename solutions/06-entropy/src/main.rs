//! The test kernel of exercise 06's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_entropy` (the RDRAND source and the ChaCha20 generator).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_entropy as entropy;

#[path = "../../../exercises/06-entropy/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
