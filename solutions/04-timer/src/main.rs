//! The test kernel for exercise 04's reference solution: the exercise's own
//! tests, run against this crate.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate timer_solution as timer;

#[path = "../../../exercises/04-timer/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
