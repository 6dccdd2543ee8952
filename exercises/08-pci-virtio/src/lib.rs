//! Exercise 08: PCI and virtio.
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
//! Your part is the `todo!()`s, in the order of the chapter
//! (`book/src/ch08-pci-virtio.md`): `config.rs`, `scan.rs`, `bar.rs`,
//! `dma.rs`, `rng.rs`. The API is the upstream crate's (`kernel/pc/pci`),
//! so a finished exercise can stand in for it.
//!
//! [`Entropy`]: fledge_api::Entropy

#![no_std]
// The holes leave imports and helpers unused until you fill them in.
#![allow(unused_imports, dead_code)]

pub mod bar;
pub mod config;
pub mod dma;
pub mod rng;
pub mod scan;
pub mod virtio;
