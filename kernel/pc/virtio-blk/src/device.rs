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
    match error {
        // The queue is full, or the device is not ready yet: a refusal,
        // and asking again later may work.
        Error::QueueFull | Error::NotReady => BlockError::Busy,
        // Anything else (the device's I/O error status, a request it
        // calls unsupported, a broken queue) is the device failing: the
        // blocks of the request may hold anything.
        _ => BlockError::Io,
    }
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
        check_request(block, buf.len(), self.blocks)?;
        for (i, piece) in buf.chunks_mut(MAX_REQUEST).enumerate() {
            let sector = block as usize + i * (MAX_REQUEST / SECTOR_SIZE);
            self.device.read_sectors(sector, piece).map_err(failure)?;
        }
        Ok(())
    }
    // ANCHOR_END: read

    // ANCHOR: write
    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        check_request(block, buf.len(), self.blocks)?;
        if self.read_only {
            return Err(BlockError::ReadOnly);
        }
        for (i, piece) in buf.chunks(MAX_REQUEST).enumerate() {
            let sector = block as usize + i * (MAX_REQUEST / SECTOR_SIZE);
            self.device.write_sectors(sector, piece).map_err(failure)?;
        }
        Ok(())
    }
    // ANCHOR_END: write

    // ANCHOR: flush
    fn flush(&mut self) -> Result<(), BlockError> {
        self.device.flush().map_err(failure)
    }
    // ANCHOR_END: flush
}
