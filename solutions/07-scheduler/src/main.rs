//! The test kernel of exercise 07's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_executor` (the executor, its
//! wakers, yield, sleep and idle), with the exercise kernel's panic handler.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_executor as scheduler;

#[path = "../../../exercises/07-scheduler/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(
    cases::CASES,
    panic_handler = fledge_tasks::running::panic_report,
    exit = fledge_boot::exit::exit_qemu
);
