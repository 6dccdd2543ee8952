//! Writing KTAP version 1 lines.
//!
//! Each function writes exactly one line (or, for [`header`], the three
//! header lines) ending in `\n`. Diagnostics are squeezed onto one line: a
//! newline inside a panic message would otherwise end the result line early
//! and the rest of the message would be read as noise.

use core::fmt::{self, Write};

/// The first line of every KTAP stream.
pub const VERSION_LINE: &str = "KTAP version 1";

/// Prefix of the line that echoes the run's nonce.
pub const NONCE_PREFIX: &str = "# nonce: ";

/// Prefix of Fledge's marker line that says a test is starting.
pub const RUN_PREFIX: &str = "# run ";

/// How one test ended.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// The test returned.
    Pass,
    /// The test failed; the arguments say why (one line, no `#`).
    Fail(fmt::Arguments<'a>),
    /// The test was not run in this boot; the text says why.
    Skip(&'a str),
}

/// Writes the version line, the nonce (when there is one) and the plan.
pub fn header(out: &mut impl Write, nonce: &str, plan: usize) -> fmt::Result {
    writeln!(out, "{VERSION_LINE}")?;
    if !nonce.is_empty() {
        writeln!(out, "{NONCE_PREFIX}{nonce}")?;
    }
    writeln!(out, "1..{plan}")
}

/// Writes the marker that test `number` is about to run. Whatever the test
/// prints comes between this line and its [`result`].
pub fn running(out: &mut impl Write, number: usize, name: &str) -> fmt::Result {
    writeln!(out, "{RUN_PREFIX}{number} {name}")
}

/// Writes a test's result line.
pub fn result(out: &mut impl Write, number: usize, name: &str, outcome: Outcome<'_>) -> fmt::Result {
    match outcome {
        Outcome::Pass => writeln!(out, "ok {number} {name}"),
        Outcome::Skip(why) => {
            write!(out, "ok {number} {name} # SKIP ")?;
            OneLine(&mut *out).write_str(why)?;
            out.write_char('\n')
        }
        Outcome::Fail(why) => {
            write!(out, "not ok {number} {name} # ")?;
            OneLine(&mut *out).write_fmt(why)?;
            out.write_char('\n')
        }
    }
}

/// Writes `Bail out!`, KTAP's way of saying the run stopped early, with a
/// reason.
pub fn bail_out(out: &mut impl Write, why: fmt::Arguments<'_>) -> fmt::Result {
    out.write_str("Bail out! ")?;
    OneLine(&mut *out).write_fmt(why)?;
    out.write_char('\n')
}

/// A writer that turns line breaks into spaces and `#` into `%`, so that
/// what it writes stays inside one KTAP line and cannot start a directive.
struct OneLine<W>(W);

impl<W: Write> Write for OneLine<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for piece in s.split_inclusive(['\n', '\r', '#']) {
            match piece.as_bytes().last() {
                Some(b'\n' | b'\r') => {
                    self.0.write_str(&piece[..piece.len() - 1])?;
                    self.0.write_char(' ')?;
                }
                Some(b'#') => {
                    self.0.write_str(&piece[..piece.len() - 1])?;
                    self.0.write_char('%')?;
                }
                _ => self.0.write_str(piece)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    /// A fixed-size `fmt::Write` buffer, since this crate has no `alloc`.
    struct Buf {
        bytes: [u8; 256],
        len: usize,
    }

    impl Buf {
        fn new() -> Self {
            Buf { bytes: [0; 256], len: 0 }
        }
        fn as_str(&self) -> &str {
            core::str::from_utf8(&self.bytes[..self.len]).unwrap()
        }
    }

    impl Write for Buf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    #[test]
    fn header_echoes_nonce_and_plan() {
        let mut out = Buf::new();
        header(&mut out, "beef", 4).unwrap();
        assert_eq!(out.as_str(), "KTAP version 1\n# nonce: beef\n1..4\n");
    }

    #[test]
    fn header_without_nonce_has_no_nonce_line() {
        let mut out = Buf::new();
        header(&mut out, "", 1).unwrap();
        assert_eq!(out.as_str(), "KTAP version 1\n1..1\n");
    }

    #[test]
    fn result_lines() {
        let mut out = Buf::new();
        running(&mut out, 1, "a").unwrap();
        result(&mut out, 1, "a", Outcome::Pass).unwrap();
        result(&mut out, 2, "b", Outcome::Skip("ran earlier")).unwrap();
        result(&mut out, 3, "c", Outcome::Fail(format_args!("x = {}", 7))).unwrap();
        assert_eq!(out.as_str(), "# run 1 a\nok 1 a\nok 2 b # SKIP ran earlier\nnot ok 3 c # x = 7\n");
    }

    #[test]
    fn diagnostics_stay_on_one_line_and_cannot_add_directives() {
        let mut out = Buf::new();
        result(&mut out, 1, "a", Outcome::Fail(format_args!("one\ntwo\r\n# SKIP"))).unwrap();
        assert_eq!(out.as_str(), "not ok 1 a # one two  % SKIP\n");
    }

    #[test]
    fn bail_out_line() {
        let mut out = Buf::new();
        bail_out(&mut out, format_args!("no\nconfig")).unwrap();
        assert_eq!(out.as_str(), "Bail out! no config\n");
    }
}
