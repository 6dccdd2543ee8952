//! The test kernel of exercise 09's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_virtio_blk`.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_virtio_blk as virtio_blk;

#[path = "../../../exercises/09-block/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
