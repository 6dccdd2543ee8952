//! What the driver needs of a virtio block device.
//!
//! Five calls of `virtio-drivers`' `VirtIOBlk`, as a trait: the real
//! device implements it, and so does the host tests' fake disk, which
//! records every request and keeps the crate's rules (a request is a
//! non-zero whole number of sectors; the crate *panics* otherwise, which
//! is why [`VirtioBlock`](crate::VirtioBlock) checks first).

use virtio_drivers::Error;
use virtio_drivers::device::blk::VirtIOBlk;
use virtio_drivers::transport::Transport;

/// The size of a virtio sector, whatever the device's own block size.
pub const SECTOR_SIZE: usize = virtio_drivers::device::blk::SECTOR_SIZE;

/// A disk of 512-byte sectors, as `virtio-drivers` drives it.
pub trait Sectors {
    /// How many sectors the disk has.
    fn capacity(&self) -> u64;

    /// Whether the device refuses writes (it offered the RO feature).
    fn readonly(&self) -> bool;

    /// Reads `buf.len() / SECTOR_SIZE` sectors from `sector` on. Panics
    /// unless `buf.len()` is a non-zero multiple of [`SECTOR_SIZE`].
    fn read_sectors(&mut self, sector: usize, buf: &mut [u8]) -> Result<(), Error>;

    /// Writes `buf` to `buf.len() / SECTOR_SIZE` sectors from `sector`
    /// on. Panics unless `buf.len()` is a non-zero multiple of
    /// [`SECTOR_SIZE`].
    fn write_sectors(&mut self, sector: usize, buf: &[u8]) -> Result<(), Error>;

    /// Sends a flush request, and returns when the device has answered.
    /// (`VirtIOBlk` returns `Ok` at once when the device did not offer
    /// FLUSH, since such a device has no cache to flush.)
    fn flush(&mut self) -> Result<(), Error>;
}

impl<H: virtio_drivers::Hal, T: Transport> Sectors for VirtIOBlk<H, T> {
    fn capacity(&self) -> u64 {
        VirtIOBlk::capacity(self)
    }

    fn readonly(&self) -> bool {
        VirtIOBlk::readonly(self)
    }

    fn read_sectors(&mut self, sector: usize, buf: &mut [u8]) -> Result<(), Error> {
        self.read_blocks(sector, buf)
    }

    fn write_sectors(&mut self, sector: usize, buf: &[u8]) -> Result<(), Error> {
        self.write_blocks(sector, buf)
    }

    fn flush(&mut self) -> Result<(), Error> {
        VirtIOBlk::flush(self)
    }
}
