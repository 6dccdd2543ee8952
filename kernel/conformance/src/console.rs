//! The [`Console`] contract, checked.
//!
//! A console's promise is about what arrives at the other end: every byte,
//! in order, nothing added, nothing dropped. So the suite is a *script* of
//! writes, and a check of what arrived against it:
//!
//! - [`write_script`] makes the writes: empty writes, single bytes, a line
//!   split across calls, a write that ends mid-line, every printable ASCII
//!   character, a `\r\n` line end and a lone `\n`, an empty line, and one
//!   write of 1,040 bytes (sixteen lines, far more than a 16-byte UART
//!   FIFO), framed by the marker lines [`BEGIN`] and [`END`];
//! - [`check_received`] takes everything the other end received, finds the
//!   begin marker in it (other output may come before and after the frame)
//!   and compares the frame byte for byte, naming the first difference.
//!
//! On the host, [`all`] does both, with a function that reads back what
//! the console wrote, and also wants nothing outside the frame. On bare
//! metal the kernel cannot read back what a serial port sent: a kernel test
//! runs [`write_script`] on the port, and the grader, which captures the
//! port on the host, runs [`check_received`] on the capture.
//!
//! The frame as it arrives, with `␍` for the one carriage return:
//!
//! ```text
//! [console begin]
//! bytes one at a time: 0123456789
//! a line split across three writes
//! ends in the middle of a line
//! and starts the next one
//! printable:  !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~
//! this line ends in CR LF␍
//! this line ends in a lone LF
//!
//! long 01/16: the whole of this line and the next 15 are one write
//! long 02/16: ...
//! [console end]
//! ```

use core::fmt;

use fledge_api::{Console, ConsoleError};

/// The line that opens the frame: 16 bytes, so that it gets through even a
/// console that drops everything after a FIFO's worth of each write.
pub const BEGIN: &[u8] = b"[console begin]\n";

/// The line that closes the frame.
pub const END: &[u8] = b"[console end]\n";

/// Every printable ASCII character, space to tilde, after a label.
const PRINTABLE: [u8; 107] = {
    let mut line = [0u8; 107];
    let label = b"printable: ";
    let mut i = 0;
    while i < label.len() {
        line[i] = label[i];
        i += 1;
    }
    let mut c = b' ';
    while c <= b'~' {
        line[i] = c;
        i += 1;
        c += 1;
    }
    line[i] = b'\n';
    line
};

/// The sixteen lines of the long write, 65 bytes each: `long NN/16: `,
/// then text that differs from line to line (so that a repeated or skipped
/// chunk shows), then `\n`.
const LONG: [u8; 16 * 65] = {
    const TEXT: &[u8; 52] = b"the whole of this line and the next 15 are one write";
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut long = [0u8; 16 * 65];
    let mut line = 0;
    while line < 16 {
        let row = line * 65;
        let number = line + 1;
        let head = [b'l', b'o', b'n', b'g', b' ', b'0' + (number / 10) as u8, b'0' + (number % 10) as u8];
        let mut i = 0;
        while i < head.len() {
            long[row + i] = head[i];
            i += 1;
        }
        let tail = b"/16: ";
        let mut j = 0;
        while j < tail.len() {
            long[row + i] = tail[j];
            i += 1;
            j += 1;
        }
        // Line 1 says what the write is; the others count through the
        // alphabet from a different place each.
        let mut k = 0;
        while i < 64 {
            long[row + i] = if line == 0 { TEXT[k] } else { ALPHABET[(line * 5 + k) % ALPHABET.len()] };
            i += 1;
            k += 1;
        }
        long[row + 64] = b'\n';
        line += 1;
    }
    long
};

/// The script: each entry is one call of `write_bytes`, in order.
const SCRIPT: [&[u8]; 29] = [
    b"",
    BEGIN,
    b"",
    b"bytes one at a time: ",
    b"0",
    b"1",
    b"2",
    b"3",
    b"4",
    b"5",
    b"6",
    b"7",
    b"8",
    b"9",
    b"\n",
    b"a line split ",
    b"",
    b"across three ",
    b"writes\n",
    b"ends in the middle of a li",
    b"ne\nand starts the next",
    b" one\n",
    &PRINTABLE,
    b"this line ends in CR LF\r\n",
    b"this line ends in a lone LF\n",
    b"\n",
    &LONG,
    b"",
    END,
];

/// The bytes the script writes, in order: the frame, from the first byte
/// of [`BEGIN`] to the last of [`END`].
pub fn expected() -> impl Iterator<Item = u8> + Clone {
    SCRIPT.iter().flat_map(|write| write.iter().copied())
}

/// The length of the frame, in bytes.
pub fn expected_len() -> usize {
    SCRIPT.iter().map(|write| write.len()).sum()
}

/// Makes the script's writes on `console`, stopping at the first error.
pub fn write_script(console: &mut impl Console) -> Result<(), ConsoleError> {
    run(console).map_err(|(_, error)| error)
}

/// The script, or the number of the write that failed and its error.
fn run(console: &mut impl Console) -> Result<(), (usize, ConsoleError)> {
    for (number, write) in SCRIPT.iter().enumerate() {
        console.write_bytes(write).map_err(|error| (number, error))?;
    }
    Ok(())
}

/// How what arrived differs from the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch<'a> {
    /// [`BEGIN`]'s text is nowhere in what arrived.
    NoBegin {
        /// Everything that arrived.
        received: &'a [u8],
    },
    /// From [`BEGIN`] on, what arrived differs from the script at byte
    /// `at` of the frame, or ends there (`at == framed.len()`).
    Differs {
        /// The offset of the first difference, from the start of [`BEGIN`].
        at: usize,
        /// What arrived, from the start of [`BEGIN`] on.
        framed: &'a [u8],
    },
    /// Bytes arrived before the frame ([`check_exact`] only).
    Before {
        /// How many.
        count: usize,
    },
    /// Bytes arrived after the frame ([`check_exact`] only).
    After {
        /// The bytes after [`END`].
        extra: &'a [u8],
    },
}

/// Finds the frame in everything a port received, and compares it with the
/// script byte for byte. Output before [`BEGIN`] and after [`END`] is
/// allowed; if [`BEGIN`]'s text arrived more than once, the first counts.
pub fn check_received(received: &[u8]) -> Result<(), Mismatch<'_>> {
    let start = find_begin(received).ok_or(Mismatch::NoBegin { received })?;
    let framed = &received[start..];
    match expected().zip(framed).position(|(want, &got)| want != got) {
        Some(at) => Err(Mismatch::Differs { at, framed }),
        None if framed.len() < expected_len() => Err(Mismatch::Differs { at: framed.len(), framed }),
        None => Ok(()),
    }
}

/// Where the begin marker's text starts. Its line end is left out of the
/// search, so that a console that mangles line ends still has its frame
/// found, and the comparison names the line end as the difference.
fn find_begin(received: &[u8]) -> Option<usize> {
    let text = &BEGIN[..BEGIN.len() - 1];
    received.windows(text.len()).position(|window| window == text)
}

/// [`check_received`], and nothing else arrived: the frame starts at the
/// first byte and ends at the last.
pub fn check_exact(received: &[u8]) -> Result<(), Mismatch<'_>> {
    check_received(received)?;
    let start = find_begin(received).unwrap_or(0);
    if start > 0 {
        return Err(Mismatch::Before { count: start });
    }
    match &received[expected_len()..] {
        [] => Ok(()),
        extra => Err(Mismatch::After { extra }),
    }
}

/// Runs the script on `console`, then checks what `received` reads back
/// from it with [`check_exact`]. Panics with a message that names the
/// broken promise.
pub fn all<C: Console, R: AsRef<[u8]>>(console: &mut C, received: impl FnOnce(&mut C) -> R) {
    if let Err((number, error)) = run(console) {
        let write = SCRIPT[number];
        panic!(
            "write {number} of the script ({} bytes: \"{}\") failed with {error:?}: {}",
            write.len(),
            Excerpt(write.iter().copied().take(24)),
            if write.is_empty() { "an empty write must succeed" } else { "a working console takes every write" }
        );
    }
    let received = received(console);
    if let Err(mismatch) = check_exact(received.as_ref()) {
        panic!("{mismatch}");
    }
}

/// Bytes as they would be written in a Rust byte string.
struct Excerpt<I>(I);

impl<I: Iterator<Item = u8> + Clone> fmt::Display for Excerpt<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.clone().try_for_each(|byte| write!(f, "{}", core::ascii::escape_default(byte)))
    }
}

impl fmt::Display for Mismatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const BACK: usize = 16;
        const AHEAD: usize = 24;
        match *self {
            Mismatch::NoBegin { received } => write!(
                f,
                "the console's output has no \"{}\" line: {} bytes arrived, starting \"{}\"",
                Excerpt(BEGIN[..BEGIN.len() - 1].iter().copied()),
                received.len(),
                Excerpt(received.iter().copied().take(AHEAD * 2)),
            ),
            Mismatch::Differs { at, framed } => {
                let from = at.saturating_sub(BACK);
                let line = expected().take(at).filter(|&byte| byte == b'\n').count() + 1;
                if at == framed.len() {
                    write!(f, "the console's output ends after byte {at} of the script's {}", expected_len())?;
                } else {
                    write!(f, "the console's output differs from the script at byte {at} of {}", expected_len())?;
                }
                write!(
                    f,
                    " (line {line} of the frame): expected \"{}\", received \"{}\"",
                    Excerpt(expected().skip(from).take(BACK + AHEAD)),
                    Excerpt(framed.iter().copied().skip(from).take(BACK + AHEAD)),
                )
            }
            Mismatch::Before { count } => {
                write!(f, "{count} bytes arrived before the script's first write")
            }
            Mismatch::After { extra } => write!(
                f,
                "{} bytes arrived after the script's last write: \"{}\"",
                extra.len(),
                Excerpt(extra.iter().copied().take(AHEAD * 2)),
            ),
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_frame_is_what_the_docs_say() {
        assert_eq!(PRINTABLE.len(), "printable: ".len() + 95 + 1);
        assert!(LONG.chunks(65).all(|line| line[64] == b'\n' && !line[..64].contains(&b'\n')));
        assert_eq!(&LONG[..65], b"long 01/16: the whole of this line and the next 15 are one write\n");
        assert!(expected().take(BEGIN.len()).eq(BEGIN.iter().copied()));
        assert_eq!(expected_len(), expected().count());
        assert!(expected_len() > 1000 + BEGIN.len() + END.len());
    }

    #[test]
    fn the_long_lines_all_differ() {
        for (i, a) in LONG.chunks(65).enumerate() {
            for b in LONG.chunks(65).skip(i + 1) {
                assert_ne!(a[12..], b[12..]);
            }
        }
    }
}
