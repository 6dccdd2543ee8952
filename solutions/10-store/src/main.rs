//! The test kernel of exercise 10's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_store`.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_store as store;

#[path = "../../../exercises/10-store/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
