//! The test kernel for exercise 07.
//!
//! `cargo grade exercise-07` builds this for the bare-metal target, boots it
//! in QEMU and reads its report, and the scheduler traces its tests dump on
//! COM2. You do not need to change it: the tests it runs are in
//! `tests/cases/kernel.rs`, the code they test is yours in `src/`. Its
//! panic handler is `fledge_tasks`', whose report names the task that
//! panicked as well as the test.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(
    cases::CASES,
    panic_handler = fledge_tasks::running::panic_report,
    exit = fledge_boot::exit::exit_qemu
);
