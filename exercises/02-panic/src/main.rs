//! The test kernel for exercise 02.
//!
//! Unlike exercise 01's, this kernel's panic handler and exit path are
//! yours: `test_kernel!` installs [`panic_report::handler::handle`] as the
//! `#[panic_handler]` and ends a run that passed with
//! [`panic_report::exit::exit_qemu`]. You do not need to change this file.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../tests/cases/kernel.rs"]
mod cases;

// ANCHOR: kernel
fledge_boot::test_kernel!(
    cases::CASES,
    panic_handler = panic_report::handler::handle,
    exit = panic_report::exit::exit_qemu,
);
// ANCHOR_END: kernel
