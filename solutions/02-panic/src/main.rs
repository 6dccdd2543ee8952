//! The test kernel of exercise 02's reference solution: the exercise's own
//! tests, run with the upstream panic handler and exit of `kernel/boot`.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../../../exercises/02-panic/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(
    cases::CASES,
    panic_handler = fledge_boot::handler::handle,
    exit = fledge_boot::exit::exit_qemu
);
