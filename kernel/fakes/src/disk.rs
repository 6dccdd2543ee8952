//! Disks that refuse: [`AlwaysFull`] and [`AlwaysBusy`].
//!
//! Each wraps a working [`BlockDevice`] and keeps its shape (block count,
//! read-only or not) but answers with the error a test wants to see
//! handled: a store that must report "disk full" instead of losing a
//! commit, a driver stack that must give up on a device that stays busy
//! instead of spinning for ever. Requests that are wrong in themselves
//! (a bad length, past the end, a write to a read-only disk) still get
//! the refusal the contract asks for, so the fakes keep to it.

use fledge_api::block::{BlockDevice, BlockError, check_request};

/// Wraps `D`: reads and flushes reach it; every write fails with
/// [`BlockError::Full`] and changes nothing.
///
/// ```
/// use fledge_api::{BLOCK_SIZE, BlockDevice, BlockError};
/// use fledge_block::RamDisk;
/// use fledge_fakes::AlwaysFull;
///
/// let mut disk = AlwaysFull::new(RamDisk::new(vec![7; 4 * BLOCK_SIZE]));
/// assert_eq!(disk.write(0, &[0; BLOCK_SIZE]), Err(BlockError::Full));
/// let mut block = [0; BLOCK_SIZE];
/// disk.read(0, &mut block).unwrap();
/// assert_eq!(block, [7; BLOCK_SIZE], "the old data is still there");
/// ```
#[derive(Clone, Debug)]
pub struct AlwaysFull<D> {
    inner: D,
}

impl<D> AlwaysFull<D> {
    /// A full disk with `inner`'s data.
    pub fn new(inner: D) -> AlwaysFull<D> {
        AlwaysFull { inner }
    }

    /// Gives back the wrapped device.
    pub fn into_inner(self) -> D {
        self.inner
    }
}

/// The contract's refusal for a write of `len` bytes at `block`, if any.
fn refuse_write(device: &impl BlockDevice, block: u64, len: usize) -> Result<(), BlockError> {
    check_request(block, len, device.block_count())?;
    if device.read_only() { Err(BlockError::ReadOnly) } else { Ok(()) }
}

impl<D: BlockDevice> BlockDevice for AlwaysFull<D> {
    fn block_count(&self) -> u64 {
        self.inner.block_count()
    }

    fn read_only(&self) -> bool {
        self.inner.read_only()
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.inner.read(block, buf)
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        refuse_write(&self.inner, block, buf.len())?;
        Err(BlockError::Full)
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        self.inner.flush()
    }
}

/// Wraps `D`: every read, write and flush fails with [`BlockError::Busy`]
/// and reaches nothing.
///
/// ```
/// use fledge_api::{BLOCK_SIZE, BlockDevice, BlockError};
/// use fledge_block::RamDisk;
/// use fledge_fakes::AlwaysBusy;
///
/// let mut disk = AlwaysBusy::new(RamDisk::new(vec![0; 4 * BLOCK_SIZE]));
/// assert_eq!(disk.block_count(), 4);
/// assert_eq!(disk.read(0, &mut [0; BLOCK_SIZE]), Err(BlockError::Busy));
/// assert_eq!(disk.flush(), Err(BlockError::Busy));
/// ```
#[derive(Clone, Debug)]
pub struct AlwaysBusy<D> {
    inner: D,
}

impl<D> AlwaysBusy<D> {
    /// A busy disk of `inner`'s shape.
    pub fn new(inner: D) -> AlwaysBusy<D> {
        AlwaysBusy { inner }
    }

    /// Gives back the wrapped device.
    pub fn into_inner(self) -> D {
        self.inner
    }
}

impl<D: BlockDevice> BlockDevice for AlwaysBusy<D> {
    fn block_count(&self) -> u64 {
        self.inner.block_count()
    }

    fn read_only(&self) -> bool {
        self.inner.read_only()
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        check_request(block, buf.len(), self.inner.block_count())?;
        Err(BlockError::Busy)
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        refuse_write(&self.inner, block, buf.len())?;
        Err(BlockError::Busy)
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        Err(BlockError::Busy)
    }
}

#[cfg(test)]
mod test {
    use fledge_api::BLOCK_SIZE;
    use fledge_block::RamDisk;

    use super::*;

    #[test]
    fn bad_requests_get_their_own_refusal_first() {
        let mut full = AlwaysFull::new(RamDisk::read_only(vec![0; 2 * BLOCK_SIZE]));
        assert_eq!(full.write(0, &[0; 3]), Err(BlockError::BadLength));
        assert_eq!(full.write(2, &[0; BLOCK_SIZE]), Err(BlockError::OutOfRange));
        assert_eq!(full.write(0, &[0; BLOCK_SIZE]), Err(BlockError::ReadOnly));
        let mut busy = AlwaysBusy::new(RamDisk::new(vec![0; 2 * BLOCK_SIZE]));
        assert_eq!(busy.read(0, &mut []), Err(BlockError::BadLength));
        assert_eq!(busy.write(1, &[0; 2 * BLOCK_SIZE]), Err(BlockError::OutOfRange));
        assert_eq!(busy.write(1, &[1; BLOCK_SIZE]), Err(BlockError::Busy));
        assert_eq!(busy.into_inner().bytes(), &[0; 2 * BLOCK_SIZE]);
    }
}
