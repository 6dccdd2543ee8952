//! The test kernel for exercise 01's reference solution: the exercise's own
//! tests, run against this crate.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate serial_solution as serial;

#[path = "../../../exercises/01-serial/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
