//! [`Yielding`]: gives up the CPU after every operation.
//!
//! A race between two threads that share an implementation shows up only
//! if one thread is interrupted in the middle of the other's work. On an
//! idle machine a short write runs to the end in one time slice, and a
//! missing lock goes unnoticed. `Yielding` makes the scheduler run the
//! other thread after every operation; under a `Bytewise`, after every
//! byte, so that two threads that write without a lock around whole lines
//! really do interleave.

use fledge_api::{Console, ConsoleError, Entropy, EntropyError};

/// Wraps `T` and calls `std::thread::yield_now` after each operation.
///
/// ```
/// use fledge_api::Console;
/// use fledge_fakes::{Bytewise, Recorder, Sink, Yielding};
///
/// // Every byte is a chance for another thread to run.
/// let recorder = Recorder::new(Sink);
/// let log = recorder.log();
/// let mut console = Bytewise::new(Yielding::new(recorder));
/// console.write_bytes(b"whole line\n").unwrap();
/// assert_eq!(log.text(), "whole line\n");
/// ```
#[derive(Clone, Debug)]
pub struct Yielding<T> {
    inner: T,
}

impl<T> Yielding<T> {
    /// Yields after every operation on `inner`.
    pub fn new(inner: T) -> Yielding<T> {
        Yielding { inner }
    }

    /// Gives back the wrapped implementation.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Console> Console for Yielding<T> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        let result = self.inner.write_bytes(bytes);
        std::thread::yield_now();
        result
    }
}

impl<T: Entropy> Entropy for Yielding<T> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        let result = self.inner.fill(buf);
        std::thread::yield_now();
        result
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::{FailAfter, ListEntropy, Recorder, Sink};

    #[test]
    fn passes_operations_and_results_through() {
        let recorder = Recorder::new(Sink);
        let log = recorder.log();
        let mut console = Yielding::new(FailAfter::new(recorder, 1, ConsoleError::Full));
        console.write_bytes(b"one").unwrap();
        assert_eq!(console.write_bytes(b"two"), Err(ConsoleError::Full));
        assert_eq!(log.text(), "one");
        let mut source = Yielding::new(ListEntropy::new([5]));
        let mut one = [0];
        source.fill(&mut one).unwrap();
        assert_eq!((one, source.fill(&mut one)), ([5], Err(EntropyError::WouldBlock)));
    }
}
