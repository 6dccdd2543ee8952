//! [`RamDisk`]: a disk in memory.
//!
//! The simplest [`BlockDevice`] there is: block `n` is bytes
//! `n * 512 .. (n + 1) * 512` of a buffer. It is the device under the
//! fakes in host tests (a `PowerCut<RamDisk<Vec<u8>>>` is a disk that
//! loses writes), and a disk for a kernel that has no other.
//!
//! It has no cache, so a write is durable when it returns, and
//! [`flush`](BlockDevice::flush) has nothing to do: "durable" here means
//! "in the buffer", which is what a power cut made by `PowerCut` keeps.

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError, check_request};

/// A [`BlockDevice`] over a buffer of bytes: `S` is a `Vec<u8>`, a
/// `[u8; N]`, a `&mut [u8]`, anything that lends its bytes. A buffer whose
/// length is not a multiple of [`BLOCK_SIZE`] has a tail the disk does not
/// use.
///
/// ```
/// use fledge_api::{BLOCK_SIZE, BlockDevice, BlockError};
/// use fledge_block::RamDisk;
///
/// let mut disk = RamDisk::new([0u8; 4 * BLOCK_SIZE]);
/// assert_eq!(disk.block_count(), 4);
/// disk.write(2, &[0xab; BLOCK_SIZE]).unwrap();
/// assert_eq!(disk.bytes()[2 * BLOCK_SIZE], 0xab);
///
/// // The same bytes, read-only: every write is refused.
/// let mut image = RamDisk::read_only(disk.into_inner());
/// assert_eq!(image.write(0, &[1; BLOCK_SIZE]), Err(BlockError::ReadOnly));
/// let mut block = [0; BLOCK_SIZE];
/// image.read(2, &mut block).unwrap();
/// assert_eq!(block, [0xab; BLOCK_SIZE]);
/// ```
#[derive(Clone, Debug)]
pub struct RamDisk<S> {
    storage: S,
    read_only: bool,
}

impl<S: AsRef<[u8]> + AsMut<[u8]>> RamDisk<S> {
    /// A disk whose blocks are `storage`'s bytes, as they are.
    pub fn new(storage: S) -> RamDisk<S> {
        RamDisk { storage, read_only: false }
    }

    /// The same, refusing every write with [`BlockError::ReadOnly`].
    pub fn read_only(storage: S) -> RamDisk<S> {
        RamDisk { storage, read_only: true }
    }

    /// Every byte of the disk, for a test to look at.
    pub fn bytes(&self) -> &[u8] {
        self.storage.as_ref()
    }

    /// Gives back the buffer.
    pub fn into_inner(self) -> S {
        self.storage
    }
}

impl<S: AsRef<[u8]> + AsMut<[u8]>> BlockDevice for RamDisk<S> {
    fn block_count(&self) -> u64 {
        (self.storage.as_ref().len() / BLOCK_SIZE) as u64
    }

    fn read_only(&self) -> bool {
        self.read_only
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        let bytes = check_request(block, buf.len(), self.block_count())?;
        buf.copy_from_slice(&self.storage.as_ref()[bytes]);
        Ok(())
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        let bytes = check_request(block, buf.len(), self.block_count())?;
        if self.read_only {
            return Err(BlockError::ReadOnly);
        }
        self.storage.as_mut()[bytes].copy_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn blocks_are_the_buffers_bytes_and_the_tail_is_unused() {
        let mut storage = [0u8; 2 * BLOCK_SIZE + 100];
        let mut disk = RamDisk::new(&mut storage[..]);
        assert_eq!(disk.block_count(), 2);
        let mut two = [0u8; 2 * BLOCK_SIZE];
        two[..BLOCK_SIZE].fill(1);
        two[BLOCK_SIZE..].fill(2);
        disk.write(0, &two).unwrap();
        assert_eq!(disk.write(2, &[3; BLOCK_SIZE]), Err(BlockError::OutOfRange));
        assert_eq!(disk.read(0, &mut [0; 10]), Err(BlockError::BadLength));
        assert_eq!((storage[0], storage[BLOCK_SIZE], storage[2 * BLOCK_SIZE]), (1, 2, 0));
    }

    #[test]
    fn a_read_only_disk_checks_the_request_first() {
        let mut disk = RamDisk::read_only([0u8; BLOCK_SIZE]);
        assert_eq!(disk.write(0, &[0; 3]), Err(BlockError::BadLength));
        assert_eq!(disk.write(1, &[0; BLOCK_SIZE]), Err(BlockError::OutOfRange));
        assert_eq!(disk.write(0, &[9; BLOCK_SIZE]), Err(BlockError::ReadOnly));
        assert_eq!(disk.flush(), Ok(()));
        assert_eq!(disk.bytes(), &[0; BLOCK_SIZE]);
    }
}
