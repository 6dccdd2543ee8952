//! A virtio block device (exercise 09, finished).
//!
//! QEMU's `virtio-blk-pci` is a disk whose contents are a file on the
//! host. The driver puts requests in a queue: a header (read, write or
//! flush, and the first 512-byte sector), the data, and a status byte the
//! device fills in when it is done. `virtio-drivers`' `VirtIOBlk` builds
//! and sends those; this crate puts Fledge's [`BlockDevice`] contract on
//! top of it:
//!
//! ```text
//!   BlockDevice (fledge_api::block)      blocks, whole-block requests,
//!        │                                errors as values, durability
//!   VirtioBlock<S>  (device.rs)  ◀── exercise 09
//!        │ Sectors (sectors.rs)           sectors, the crate's asserts
//!   VirtIOBlk (virtio-drivers)  or  a fake, in the host tests
//!        │ Transport
//!   PciTransport, FledgeHal (fledge-pci, chapter 8)
//! ```
//!
//! - [`sectors`]: the few calls of `VirtIOBlk` the driver uses, as a trait,
//!   so that the host tests can put a fake disk underneath;
//! - [`device`]: [`VirtioBlock`], the [`BlockDevice`]: requests checked
//!   before the device sees them, read-only drives refused, long requests
//!   split, the crate's errors turned into [`BlockError`]s;
//! - [`pci`]: finding the drives on the bus and starting them.
//!
//! [`BlockDevice`]: fledge_api::block::BlockDevice
//! [`BlockError`]: fledge_api::block::BlockError
//!
//! # Upstream
//!
//! This crate is exercise 09 finished: its reference solution, and the
//! piece that later exercises and the capstone build on. The learner's
//! `exercises/09-block` is the same crate with holes and the same API, so
//! a finished exercise can stand in for it.

#![no_std]

pub mod device;
pub mod pci;
pub mod sectors;

pub use device::VirtioBlock;
