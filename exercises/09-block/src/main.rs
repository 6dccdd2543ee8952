//! The test kernel for exercise 09.
//!
//! `cargo grade exercise-09` builds this for the bare-metal target, boots it
//! in QEMU with the drives its tests ask for, reads its report, and then
//! reads the drives' images. You do not need to change it: the tests it
//! runs are in `tests/cases/kernel.rs`, the code they test is yours in
//! `src/`.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
