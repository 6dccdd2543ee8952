//! The test kernel for exercise 05's reference solution: the exercise's own
//! tests, run against this crate.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate memory_solution as memory;

#[path = "../../../exercises/05-memory/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
