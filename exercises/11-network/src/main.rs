//! The test kernel for exercise 11.
//!
//! `cargo grade exercise-11` builds this for the bare-metal target, boots it
//! in QEMU with a virtio network card on QEMU's user network, reads its
//! report, and talks to it from the host (ping, a TCP echo, a connection
//! the kernel makes out). You do not need to change it: the tests it runs
//! are in `tests/cases/kernel.rs`, the code they test is yours in `src/`.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

#[path = "../tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
