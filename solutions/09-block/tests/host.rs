//! Exercise 09's host tests, run against the upstream crate `fledge_virtio_blk`.

extern crate fledge_virtio_blk as virtio_blk;

#[path = "../../../exercises/09-block/tests/cases/host.rs"]
mod cases;
