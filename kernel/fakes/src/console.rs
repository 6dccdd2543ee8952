//! A console that records what it is given.

use std::sync::{Arc, Mutex, PoisonError};

use fledge_api::{Console, ConsoleError};

/// A [`Console`] that appends every byte to a shared [`Recording`].
///
/// ```
/// use fledge_api::{Console, ConsoleError};
/// use fledge_fakes::RecordingConsole;
///
/// let mut console = RecordingConsole::failing_after(3);
/// let recording = console.recording();
/// assert_eq!(console.write_bytes(b"hello"), Err(ConsoleError::Unavailable));
/// assert_eq!(recording.text(), "hel");
/// ```
#[derive(Clone, Debug, Default)]
pub struct RecordingConsole {
    recording: Recording,
    fail_after: Option<usize>,
    yield_between_bytes: bool,
}

/// What a [`RecordingConsole`] has been given so far. Clones share the data,
/// so a test keeps one while the console itself goes into the code under
/// test.
#[derive(Clone, Debug, Default)]
pub struct Recording {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    bytes: Vec<u8>,
    calls: usize,
}

impl RecordingConsole {
    /// A console that accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// A console that accepts `limit` bytes in all, then fails every write
    /// with [`ConsoleError::Unavailable`], as a UART whose transmitter stops
    /// would.
    pub fn failing_after(limit: usize) -> Self {
        RecordingConsole { fail_after: Some(limit), ..Self::default() }
    }

    /// Makes the console give up the CPU between bytes. Two threads that
    /// share it without a lock around whole writes then interleave in the
    /// recording, where without it they would almost never.
    pub fn yielding(mut self) -> Self {
        self.yield_between_bytes = true;
        self
    }

    /// A handle on what this console records.
    pub fn recording(&self) -> Recording {
        self.recording.clone()
    }
}

impl Console for RecordingConsole {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        self.recording.lock().calls += 1;
        for &byte in bytes {
            {
                let mut inner = self.recording.lock();
                if self.fail_after.is_some_and(|limit| inner.bytes.len() >= limit) {
                    return Err(ConsoleError::Unavailable);
                }
                inner.bytes.push(byte);
            }
            if self.yield_between_bytes {
                std::thread::yield_now();
            }
        }
        Ok(())
    }
}

impl Recording {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A test thread that panicked mid-write leaves whole bytes behind;
        // the recording is still worth reading.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every byte written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// Every byte written so far, as text (invalid UTF-8 is replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.lock().bytes).into_owned()
    }

    /// How many times `write_bytes` was called.
    pub fn write_calls(&self) -> usize {
        self.lock().calls
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn records_in_order_and_counts_calls() {
        let mut console = RecordingConsole::new();
        let recording = console.recording();
        console.write_bytes(b"ab").unwrap();
        console.write_bytes(b"").unwrap();
        console.write_bytes(b"c\n").unwrap();
        assert_eq!(recording.bytes(), b"abc\n");
        assert_eq!(recording.write_calls(), 3);
    }

    #[test]
    fn fails_exactly_at_its_limit() {
        let mut console = RecordingConsole::failing_after(4);
        let recording = console.recording();
        console.write_bytes(b"abcd").unwrap();
        assert_eq!(console.write_bytes(b"e"), Err(ConsoleError::Unavailable));
        assert_eq!(recording.text(), "abcd");
    }

    #[test]
    fn clones_share_one_recording() {
        let mut a = RecordingConsole::new().yielding();
        let mut b = a.clone();
        a.write_bytes(b"1").unwrap();
        b.write_bytes(b"2").unwrap();
        assert_eq!(a.recording().text(), "12");
    }
}
