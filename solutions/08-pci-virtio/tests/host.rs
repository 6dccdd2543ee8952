//! Exercise 08's host tests, run against the upstream crate `fledge_pci`.

extern crate fledge_pci as pci;

#[path = "../../../exercises/08-pci-virtio/tests/cases/host.rs"]
mod cases;
