//! The test kernel for exercise 03's reference solution: the exercise's own
//! tests, run against this crate.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate exceptions_solution as exceptions;

#[path = "../../../exercises/03-exceptions/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
