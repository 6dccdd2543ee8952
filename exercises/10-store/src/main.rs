//! The test kernel for exercise 10.
//!
//! `cargo grade exercise-10` builds this for the bare-metal target and
//! boots it in QEMU with a virtio disk, and after QEMU exits reads the
//! disk's image with the host's `tar`. You do not need to change it: the
//! tests it runs are in `tests/cases/kernel.rs`, the code they test is
//! yours in `src/`.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
