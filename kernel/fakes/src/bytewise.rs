//! [`Bytewise`]: turns each operation into one operation per byte.
//!
//! Many devices take bytes a few at a time (a UART's FIFO holds 16), and a
//! failure can strike between any two. Splitting every write or fill into
//! one-byte operations lets the wrappers underneath count, fail or yield
//! per byte: `Bytewise<FailAfter<..>>` fails after N bytes, and
//! `Bytewise<Yielding<..>>` gives other threads a chance between any two.

use fledge_api::{Console, ConsoleError, Entropy, EntropyError};

/// Wraps `T`: each write (or fill) becomes one write (or fill) per byte,
/// in order, stopping at the first error. An empty one has no bytes, so it
/// becomes no operation at all and succeeds: "fails after N bytes" does not
/// count empty writes.
///
/// ```
/// use fledge_api::Console;
/// use fledge_fakes::{Bytewise, Recorder, Sink};
///
/// let recorder = Recorder::new(Sink);
/// let log = recorder.log();
/// let mut console = Bytewise::new(recorder);
/// console.write_bytes(b"abc").unwrap();
/// assert_eq!((log.text().as_str(), log.calls()), ("abc", 3));
/// ```
#[derive(Clone, Debug)]
pub struct Bytewise<T> {
    inner: T,
}

impl<T> Bytewise<T> {
    /// Splits every operation on `inner` into bytes.
    pub fn new(inner: T) -> Bytewise<T> {
        Bytewise { inner }
    }

    /// Gives back the wrapped implementation.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Console> Console for Bytewise<T> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        bytes.chunks(1).try_for_each(|byte| self.inner.write_bytes(byte))
    }
}

impl<T: Entropy> Entropy for Bytewise<T> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        buf.chunks_mut(1).try_for_each(|byte| self.inner.fill(byte))
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::{FailAfter, ListEntropy, Recorder, Sink};

    #[test]
    fn one_operation_per_byte_and_none_for_an_empty_write() {
        let recorder = Recorder::new(Sink);
        let log = recorder.log();
        let mut console = Bytewise::new(FailAfter::new(recorder, 3, ConsoleError::Full));
        console.write_bytes(b"hi").unwrap();
        console.write_bytes(b"").unwrap();
        console.write_bytes(b"\n").unwrap();
        assert_eq!(log.text(), "hi\n");
        assert_eq!(log.calls(), 3, "one per byte; the empty write counts for nothing");
        assert_eq!(console.write_bytes(b""), Ok(()), "an empty write succeeds even after the failure");
        assert_eq!(console.write_bytes(b"!"), Err(ConsoleError::Full));
    }

    #[test]
    fn a_fill_stops_at_the_first_error() {
        let recorder = Recorder::new(ListEntropy::new([1, 2, 3, 4]));
        let log = recorder.log();
        let mut source = Bytewise::new(FailAfter::new(recorder, 2, EntropyError::Failed));
        let mut buf = [0; 4];
        assert_eq!(source.fill(&mut buf), Err(EntropyError::Failed));
        assert_eq!(log.bytes(), [1, 2]);
        assert_eq!(log.calls(), 2, "nothing after the failure");
    }
}
