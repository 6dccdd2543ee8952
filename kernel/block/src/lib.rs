//! Block devices that are not drivers of a PC's hardware.
//!
//! The [`BlockDevice`](fledge_api::BlockDevice) trait lives in `fledge-api`;
//! its implementations live where what they stand on does: exercise 09's
//! virtio-blk driver with the PC's drivers, `fledge_hosted::HostDisk` with
//! the other implementations over the host, the fakes that misbehave on
//! purpose in `fledge-fakes`. This crate holds the ones that need nothing
//! but memory, so that a test kernel and a host test can both use them:
//!
//! | device | what it is |
//! |---|---|
//! | [`RamDisk`] | a disk in a buffer (a `Vec`, an array, a slice); every write is durable at once |
//!
//! The crate is `no_std` and needs no allocator: a `RamDisk` holds
//! whatever buffer it is given.

#![no_std]

pub mod ram;

pub use ram::RamDisk;
