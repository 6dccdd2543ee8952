//! The test kernel for exercise 12.
//!
//! `cargo grade exercise-12` builds this for the bare-metal target, boots it
//! in QEMU with a virtio drive for the store and a virtio network card on
//! QEMU's user network, and talks HTTP to it from the host (real clients,
//! then hostile ones). You do not need to change it: the tests it runs are
//! in `tests/cases/kernel.rs`, the code they test is yours in `src/`.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

#[path = "../tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
