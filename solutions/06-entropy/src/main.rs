//! The test kernel for exercise 06's reference solution: the exercise's own
//! tests, run against this crate.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate entropy_solution as entropy;

#[path = "../../../exercises/06-entropy/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
