//! The test kernel for exercise 02's reference solution: the exercise's own
//! tests, run against this crate's panic handler and exit.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../../../exercises/02-panic/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(
    cases::CASES,
    panic_handler = panic_report_solution::handler::handle,
    exit = panic_report_solution::exit::exit_qemu,
);
