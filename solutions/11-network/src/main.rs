//! The test kernel of exercise 11's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_virtio_net`.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_virtio_net as virtio_net;
// The tests' `alloc::` paths.
extern crate alloc;

#[path = "../../../exercises/11-network/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
