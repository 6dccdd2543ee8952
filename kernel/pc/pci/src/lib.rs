//! PCI and virtio (exercise 08, finished).
//!
//! Until now every device the kernel drove sat at an address fixed since
//! the IBM PC: the UART at port 0x3F8, the PIC at 0x20, the PIT at 0x40.
//! Devices on the PCI bus are found instead, by asking every slot of the
//! bus who is there, and each says where its registers are. This crate
//! goes from the first question to a working device:
//!
//! - [`config`]: configuration space through ports 0xCF8 and 0xCFC, as
//!   an implementation of `virtio-drivers`' `ConfigurationAccess`;
//! - [`scan`]: every function on a bus, multi-function devices included;
//! - [`bar`]: the base address registers, decoded and sized;
//! - [`dma`]: memory the device can reach, as the crate's `Hal`: zeroed
//!   contiguous frames, and bounce buffers for the caller's own buffers;
//! - [`virtio`]: turning a PCI function into a virtio transport;
//! - [`rng`]: the virtio entropy device as an [`Entropy`] source, checked
//!   by the same conformance suite as exercise 06's RDRAND.
//!
//! The driver logic is the `virtio-drivers` crate's (the rcore-os
//! project's); what a kernel owes it is configuration access, memory,
//! and the addresses of its BARs. The host tests run the scan and the
//! BAR sizing over a fake configuration space, and the `Hal` over a fake
//! physical memory.
//!
//! # Upstream
//!
//! This crate is exercise 08 finished: its reference solution, and the
//! piece that later exercises and the capstone build on. The learner's
//! `exercises/08-pci-virtio` is the same crate with holes and the same
//! API, so a finished exercise can stand in for it.
//!
//! [`Entropy`]: fledge_api::Entropy

#![no_std]

pub mod bar;
pub mod config;
pub mod dma;
pub mod rng;
pub mod scan;
pub mod virtio;
