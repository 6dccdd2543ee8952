//! The test kernel of exercise 04's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_timer` (the PICs, the PIT, the tick clock and sleep).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_timer as timer;

#[path = "../../../exercises/04-timer/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
