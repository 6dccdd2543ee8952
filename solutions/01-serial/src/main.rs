//! The test kernel of exercise 01's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_serial` (the 16550 UART driver and `print!`).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_serial as serial;

#[path = "../../../exercises/01-serial/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
