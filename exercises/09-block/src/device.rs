//! [`VirtioBlock`]: a disk of sectors as a [`BlockDevice`].
//!
//! The contract of `BlockDevice` (in `kernel/api/src/block.rs`) is
//! stricter than the device: a bad request must be refused with an error
//! and change nothing, where `virtio-drivers` would panic on a bad length
//! and the device would fail a write past the end only after taking it;
//! a read-only drive must refuse writes before sending anything. So every
//! request is checked first. Fledge's blocks and virtio's sectors are
//! both 512 bytes, so block n is sector n.
//!
//! Each request the device sees is at most [`MAX_REQUEST`] bytes: the
//! `Hal` bounces every buffer through contiguous DMA pages (chapter 8),
//! and a 1 MiB read should not need 256 contiguous free frames.

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError, check_request};
use virtio_drivers::Error;

use crate::sectors::{SECTOR_SIZE, Sectors};

/// The most bytes one request to the device carries: 64 KiB, 16 pages
/// of bounce buffer.
pub const MAX_REQUEST: usize = 64 * 1024;

const _: () = assert!(BLOCK_SIZE == SECTOR_SIZE, "a Fledge block is one virtio sector");

/// A virtio block device, as a [`BlockDevice`].
pub struct VirtioBlock<S> {
    device: S,
    blocks: u64,
    read_only: bool,
}

impl<S: Sectors> VirtioBlock<S> {
    /// The block device over `device`.
    pub fn new(device: S) -> VirtioBlock<S> {
        let blocks = device.capacity();
        let read_only = device.readonly();
        VirtioBlock { device, blocks, read_only }
    }

    /// The device underneath.
    pub fn device(&self) -> &S {
        &self.device
    }
}

// ANCHOR: failure
/// What a failure of the device means under the [`BlockDevice`] contract.
pub fn failure(error: Error) -> BlockError {
    let _ = error;
    todo!("tell the errors worth retrying from the device failing")
}
// ANCHOR_END: failure

impl<S: Sectors> BlockDevice for VirtioBlock<S> {
    fn block_count(&self) -> u64 {
        self.blocks
    }

    fn read_only(&self) -> bool {
        self.read_only
    }

    // ANCHOR: read
    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        let _ = (block, buf, check_request, &mut self.device);
        todo!("check the request, then read it in pieces of at most MAX_REQUEST bytes")
    }
    // ANCHOR_END: read

    // ANCHOR: write
    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        let _ = (block, buf);
        todo!("check the request, refuse it on a read-only drive, then write it in pieces")
    }
    // ANCHOR_END: write

    // ANCHOR: flush
    fn flush(&mut self) -> Result<(), BlockError> {
        todo!("make every completed write durable")
    }
    // ANCHOR_END: flush
}
