//! [`Recorder`]: passes every operation through and writes it down.
//!
//! The recording lives in a [`Log`] that the test keeps a handle on, while
//! the recorder itself disappears into the code under test (installed in a
//! `Printer`, say, or moved into another thread). Clones of a `Log` share
//! one recording.
//!
//! What is recorded is what the wrapped implementation accepted: the bytes
//! of every write that returned `Ok` (for a `Console`), the bytes every
//! successful fill gave (for an `Entropy`). A call that failed is counted,
//! but its bytes are not recorded: the trait does not say how many of them
//! went through. To record up to the byte where a failure struck, split the
//! writes first: `Bytewise<FailAfter<Recorder<Sink>>>`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fledge_api::{Console, ConsoleError, Entropy, EntropyError};

/// Wraps `T` and records each operation in a shared [`Log`].
///
/// ```
/// use fledge_api::{Console, ConsoleError};
/// use fledge_fakes::{Recorder, Sink};
///
/// let mut console = Recorder::new(Sink);
/// let log = console.log();
/// console.write_bytes(b"hello, ").unwrap();
/// console.write_bytes(b"world\n").unwrap();
/// assert_eq!(log.text(), "hello, world\n");
/// assert_eq!(log.calls(), 2);
/// ```
#[derive(Debug)]
pub struct Recorder<T> {
    inner: T,
    log: Log,
}

impl<T> Recorder<T> {
    /// Records what passes through to `inner`.
    pub fn new(inner: T) -> Recorder<T> {
        Recorder { inner, log: Log::default() }
    }

    /// A handle on the recording.
    pub fn log(&self) -> Log {
        self.log.clone()
    }

    /// Gives back the wrapped implementation.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// What a [`Recorder`] has seen so far.
#[derive(Clone, Debug, Default)]
pub struct Log {
    inner: Arc<Mutex<Entries>>,
}

#[derive(Debug, Default)]
struct Entries {
    bytes: Vec<u8>,
    calls: usize,
    errors: usize,
}

impl Log {
    fn lock(&self) -> MutexGuard<'_, Entries> {
        // A test thread that panicked mid-call leaves whole entries behind;
        // the recording is still worth reading.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record<E>(&self, bytes: &[u8], result: &Result<(), E>) {
        let mut entries = self.lock();
        entries.calls += 1;
        match result {
            Ok(()) => entries.bytes.extend_from_slice(bytes),
            Err(_) => entries.errors += 1,
        }
    }

    /// Every byte of every successful operation, in order.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// [`bytes`](Log::bytes) as text (invalid UTF-8 is replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.lock().bytes).into_owned()
    }

    /// How many operations were passed through, failed ones included.
    pub fn calls(&self) -> usize {
        self.lock().calls
    }

    /// How many of them failed.
    pub fn errors(&self) -> usize {
        self.lock().errors
    }
}

impl<T: Console> Console for Recorder<T> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        let result = self.inner.write_bytes(bytes);
        self.log.record(bytes, &result);
        result
    }
}

impl<T: Entropy> Entropy for Recorder<T> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        let result = self.inner.fill(buf);
        self.log.record(buf, &result);
        result
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::{BlockingEntropy, ListEntropy, Sink};

    #[test]
    fn records_writes_in_order_and_counts_calls() {
        let mut console = Recorder::new(Sink);
        let log = console.log();
        console.write_bytes(b"ab").unwrap();
        console.write_bytes(b"").unwrap();
        console.write_bytes(b"c\n").unwrap();
        assert_eq!(log.bytes(), b"abc\n");
        assert_eq!((log.calls(), log.errors()), (3, 0));
    }

    #[test]
    fn records_fills_and_counts_failures() {
        let mut source = Recorder::new(ListEntropy::new([1, 2, 3]));
        let log = source.log();
        let mut two = [0; 2];
        source.fill(&mut two).unwrap();
        assert_eq!(source.fill(&mut two), Err(EntropyError::WouldBlock));
        assert_eq!(log.bytes(), [1, 2]);
        assert_eq!((log.calls(), log.errors()), (2, 1));
        let mut blocked = Recorder::new(BlockingEntropy);
        assert_eq!(blocked.fill(&mut two), Err(EntropyError::WouldBlock));
        assert_eq!(blocked.log().bytes(), []);
    }

    #[test]
    fn a_log_outlives_a_thread_that_panicked_holding_it() {
        let log = Log::default();
        let poisoner = log.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.inner.lock().unwrap();
            panic!("poisons the lock");
        })
        .join();
        assert!(log.inner.is_poisoned());
        log.record(b"still", &Ok::<(), ()>(()));
        assert_eq!(log.text(), "still");
    }
}
