//! The test kernel of exercise 08's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_pci` (configuration
//! access, the bus scan, BARs, the `Hal` and virtio-rng).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_pci as pci;

#[path = "../../../exercises/08-pci-virtio/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
