//! The test kernel of exercise 12's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_http`.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_http as http;
// The tests' `alloc::` paths.
extern crate alloc;

#[path = "../../../exercises/12-website/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
