//! The test kernel of exercise 03's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_exceptions` (the GDT, TSS, IDT and exception handlers).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_exceptions as exceptions;

#[path = "../../../exercises/03-exceptions/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
