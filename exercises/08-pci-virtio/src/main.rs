//! The test kernel for exercise 08.
//!
//! `cargo grade exercise-08` builds this for the bare-metal target, boots it
//! in QEMU with a virtio-rng device and reads its report. You do not need
//! to change it: the tests it runs are in `tests/cases/kernel.rs`, the code
//! they test is yours in `src/`.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
