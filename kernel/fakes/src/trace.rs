//! [`Tracer`]: tells a function about every operation and its result.
//!
//! smoltcp's `Tracer` device calls a function with each packet that goes
//! through it; this one calls a function with an [`Event`] for each
//! operation: which method, the bytes it carried (written, or given by a
//! fill), and the result. The function decides what to do with it: print
//! it while a test is being debugged, push it onto a list the test checks,
//! count the errors.

use core::fmt;

use fledge_api::{Console, ConsoleError, Entropy, EntropyError};

/// One operation a [`Tracer`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a, E> {
    /// The trait method: `"write_bytes"`, `"fill"`.
    pub method: &'static str,
    /// The bytes written, or the bytes a fill gave (after an error, what is
    /// in the buffer, which the contract says nothing about).
    pub bytes: &'a [u8],
    /// What the wrapped implementation returned.
    pub result: Result<(), E>,
}

impl<E: fmt::Debug> fmt::Display for Event<'_, E> {
    /// `write_bytes(6 bytes: "hello\n") -> Ok(())`; bytes past the 32nd are
    /// left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 32;
        let shown = &self.bytes[..self.bytes.len().min(SHOWN)];
        let more = if self.bytes.len() > SHOWN { "..." } else { "" };
        write!(
            f,
            "{}({} bytes: \"{}\"{more}) -> {:?}",
            self.method,
            self.bytes.len(),
            shown.escape_ascii(),
            self.result
        )
    }
}

/// Wraps `T` and calls `F` with an [`Event`] after each operation.
///
/// ```
/// use fledge_api::{Console, ConsoleError};
/// use fledge_fakes::{Event, FailAfter, Sink, Tracer};
///
/// let mut trace = Vec::new();
/// let stopping = FailAfter::new(Sink, 1, ConsoleError::Unavailable);
/// let mut console = Tracer::new(stopping, |event: &Event<'_, ConsoleError>| trace.push(event.to_string()));
/// console.write_bytes(b"hi\n").unwrap();
/// let _ = console.write_bytes(b"lost");
/// drop(console);
/// assert_eq!(trace, [
///     r#"write_bytes(3 bytes: "hi\n") -> Ok(())"#,
///     r#"write_bytes(4 bytes: "lost") -> Err(Unavailable)"#,
/// ]);
/// ```
#[derive(Debug)]
pub struct Tracer<T, F> {
    inner: T,
    trace: F,
}

impl<T, F> Tracer<T, F> {
    /// Calls `trace` with every operation on `inner`.
    pub fn new(inner: T, trace: F) -> Tracer<T, F> {
        Tracer { inner, trace }
    }

    /// Gives back the wrapped implementation.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Console, F: FnMut(&Event<'_, ConsoleError>)> Console for Tracer<T, F> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        let result = self.inner.write_bytes(bytes);
        (self.trace)(&Event { method: "write_bytes", bytes, result });
        result
    }
}

impl<T: Entropy, F: FnMut(&Event<'_, EntropyError>)> Entropy for Tracer<T, F> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyError> {
        let result = self.inner.fill(buf);
        (self.trace)(&Event { method: "fill", bytes: buf, result });
        result
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::{BlockingEntropy, ListEntropy, Sink};

    #[test]
    fn every_operation_is_traced_with_its_result() {
        let mut events = Vec::new();
        let mut source = Tracer::new(ListEntropy::new([0xab, 0x0a]), |event: &Event<'_, EntropyError>| {
            events.push((event.method, event.bytes.to_vec(), event.result))
        });
        source.fill(&mut [0; 2]).unwrap();
        assert_eq!(source.fill(&mut [0; 1]), Err(EntropyError::WouldBlock));
        drop(source);
        assert_eq!(events, [("fill", vec![0xab, 0x0a], Ok(())), ("fill", vec![0], Err(EntropyError::WouldBlock))]);
    }

    #[test]
    fn events_read_as_calls() {
        let lines = std::cell::RefCell::new(Vec::new());
        let mut source =
            Tracer::new(BlockingEntropy, |event: &Event<'_, EntropyError>| lines.borrow_mut().push(event.to_string()));
        let _ = source.fill(&mut [0; 3]);
        let mut console =
            Tracer::new(Sink, |event: &Event<'_, ConsoleError>| lines.borrow_mut().push(event.to_string()));
        console.write_bytes(&[b'x'; 40]).unwrap();
        assert_eq!(
            lines.into_inner(),
            [
                r#"fill(3 bytes: "\x00\x00\x00") -> Err(WouldBlock)"#.to_string(),
                format!(r#"write_bytes(40 bytes: "{}"...) -> Ok(())"#, "x".repeat(32)),
            ]
        );
    }
}
