//! [`FailAfter`]: passes the first N operations through, then fails.
//!
//! This is fault injection in the manner of smoltcp's `FaultInjector`: the
//! implementation underneath is a working one, and the wrapper decides when
//! it breaks. A UART whose transmitter stops, a disk that fills up, an
//! entropy source that dies half way through a seed: each is a working
//! base and a `FailAfter` with the right error. It counts operations (calls);
//! to fail after N *bytes*, put a `Bytewise` on top, which turns each byte
//! into an operation.

use fledge_api::{BlockDevice, BlockError, Console, ConsoleError, Entropy, EntropyError};

/// Wraps `T`: the first `n` operations go through to it, every later one
/// fails with `error` without reaching it.
///
/// ```
/// use fledge_api::{Console, ConsoleError};
/// use fledge_fakes::{Bytewise, FailAfter, Recorder, Sink};
///
/// // A transmitter that stops after three bytes: each byte is an
/// // operation, the first three reach the recorder, the fourth fails.
/// let recorder = Recorder::new(Sink);
/// let log = recorder.log();
/// let mut console = Bytewise::new(FailAfter::new(recorder, 3, ConsoleError::Unavailable));
/// assert_eq!(console.write_bytes(b"hello"), Err(ConsoleError::Unavailable));
/// assert_eq!(log.text(), "hel");
/// ```
#[derive(Clone, Debug)]
pub struct FailAfter<T, E> {
    inner: T,
    left: usize,
    error: E,
}

impl<T, E: Copy> FailAfter<T, E> {
    /// Lets `n` operations through to `inner`, then fails with `error`.
    pub fn new(inner: T, n: usize, error: E) -> FailAfter<T, E> {
        FailAfter { inner, left: n, error }
    }

    /// How many more operations will go through.
    pub fn left(&self) -> usize {
        self.left
    }

    /// Gives back the wrapped implementation.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// `Ok` while operations are left, counting this one; the error after.
    fn admit(&mut self) -> Result<(), E> {
        self.left = self.left.checked_sub(1).ok_or(self.error)?;
        Ok(())
    }
}

impl<T: Console> Console for FailAfter<T, ConsoleError> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        self.admit()?;
        self.inner.write_bytes(bytes)
    }
}

impl<T: Entropy> Entropy for FailAfter<T, EntropyError> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        self.admit()?;
        self.inner.fill(buf)
    }
}

/// Reads, writes and flushes are operations; the device's shape
/// (`block_count`, `read_only`) is not, and always answers.
impl<T: BlockDevice> BlockDevice for FailAfter<T, BlockError> {
    fn block_count(&self) -> u64 {
        self.inner.block_count()
    }

    fn read_only(&self) -> bool {
        self.inner.read_only()
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.admit()?;
        self.inner.read(block, buf)
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        self.admit()?;
        self.inner.write(block, buf)
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        self.admit()?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::{ListEntropy, Recorder, Sink};

    #[test]
    fn fails_every_operation_after_the_nth() {
        let recorder = Recorder::new(Sink);
        let log = recorder.log();
        let mut console = FailAfter::new(recorder, 2, ConsoleError::Full);
        console.write_bytes(b"one").unwrap();
        console.write_bytes(b"two").unwrap();
        assert_eq!(console.write_bytes(b"three"), Err(ConsoleError::Full));
        assert_eq!(console.write_bytes(b""), Err(ConsoleError::Full), "every later operation fails");
        assert_eq!(log.text(), "onetwo");
        assert_eq!(log.calls(), 2, "failed operations never reach the inner console");
        assert_eq!(console.left(), 0);
    }

    #[test]
    fn a_disk_fails_after_n_operations_and_still_answers_its_shape() {
        use fledge_api::BLOCK_SIZE;
        let mut disk = FailAfter::new(fledge_block::RamDisk::new(vec![0; 2 * BLOCK_SIZE]), 2, BlockError::Io);
        disk.write(1, &[4; BLOCK_SIZE]).unwrap();
        disk.flush().unwrap();
        assert_eq!(disk.read(1, &mut [0; BLOCK_SIZE]), Err(BlockError::Io));
        assert_eq!((disk.block_count(), disk.read_only()), (2, false));
        assert_eq!(disk.into_inner().bytes()[BLOCK_SIZE], 4);
    }

    #[test]
    fn zero_fails_at_once_and_inner_errors_pass_through() {
        let mut source = FailAfter::new(ListEntropy::new([9; 4]), 0, EntropyError::Failed);
        assert_eq!(source.fill(&mut [0; 1]), Err(EntropyError::Failed));
        let mut source = FailAfter::new(ListEntropy::new([9; 4]), 5, EntropyError::Failed);
        assert_eq!(source.fill(&mut [0; 8]), Err(EntropyError::WouldBlock), "the list's own error");
        let mut two = [0; 2];
        assert_eq!(source.fill(&mut two), Ok(()));
        assert_eq!(two, [9, 9]);
    }
}
