//! Exercise 11's host tests, run against the upstream crate `fledge_virtio_net`.

extern crate fledge_virtio_net as virtio_net;

#[path = "../../../exercises/11-network/tests/cases/host.rs"]
mod cases;
