//! Keeping a bounded record of a stream that may never end.
//!
//! A guest may print without end. The grader must not run out of memory,
//! and must not lose the evidence either: the start of the output says how
//! the run began, the end says how it ended. So a [`Capture`] keeps the
//! first [`HEAD`] bytes and the last [`TAIL`] bytes, and counts what falls
//! in between. (syzkaller and the kernel's own `kunit.py` bound their logs
//! the same way.)

use std::collections::VecDeque;

/// Bytes kept from the start of the stream.
pub const HEAD: usize = 4 << 20;
/// Bytes kept from the end of the stream.
pub const TAIL: usize = 1 << 20;

/// The head and tail of a stream, and the size of the part between them.
#[derive(Debug, Default)]
pub struct Capture {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    cut: u64,
    head_limit: usize,
    tail_limit: usize,
}

impl Capture {
    /// A capture with the standard limits.
    pub fn new() -> Capture {
        Capture::with_limits(HEAD, TAIL)
    }

    /// A capture that keeps `head` bytes from the start and `tail` from the
    /// end.
    pub fn with_limits(head: usize, tail: usize) -> Capture {
        Capture { head_limit: head, tail_limit: tail, ..Capture::default() }
    }

    /// Adds bytes from the stream.
    pub fn push(&mut self, mut bytes: &[u8]) {
        let room = self.head_limit.saturating_sub(self.head.len()).min(bytes.len());
        self.head.extend_from_slice(&bytes[..room]);
        bytes = &bytes[room..];
        if bytes.len() > self.tail_limit {
            let skipped = bytes.len() - self.tail_limit;
            self.cut += (self.tail.len() + skipped) as u64;
            self.tail.clear();
            bytes = &bytes[skipped..];
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.tail_limit);
        self.tail.drain(..overflow);
        self.cut += overflow as u64;
        self.tail.extend(bytes);
    }

    /// How many bytes the stream has had in all.
    pub fn total(&self) -> u64 {
        (self.head.len() + self.tail.len()) as u64 + self.cut
    }

    /// What was kept from the start.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// What was kept from the end (empty unless the head is full).
    pub fn tail(&self) -> Vec<u8> {
        self.tail.iter().copied().collect()
    }

    /// How many bytes between the head and the tail were dropped.
    pub fn cut(&self) -> u64 {
        self.cut
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn short_streams_are_kept_whole() {
        let mut capture = Capture::with_limits(8, 4);
        capture.push(b"abc");
        capture.push(b"def");
        assert_eq!((capture.head(), capture.tail(), capture.cut()), (&b"abcdef"[..], vec![], 0));
    }

    #[test]
    fn long_streams_keep_head_and_tail() {
        let mut capture = Capture::with_limits(4, 3);
        for chunk in [&b"0123"[..], b"45", b"6789", b"abcdefgh", b"ij"] {
            capture.push(chunk);
        }
        assert_eq!(capture.head(), b"0123");
        assert_eq!(capture.tail(), b"hij");
        assert_eq!(capture.cut(), 13);
        assert_eq!(capture.total(), 20);
    }

    #[test]
    fn memory_stays_bounded() {
        let mut capture = Capture::with_limits(16, 16);
        for _ in 0..10_000 {
            capture.push(&[b'x'; 1000]);
        }
        assert_eq!(capture.head().len() + capture.tail().len(), 32);
        assert_eq!(capture.total(), 10_000_000);
    }
}
