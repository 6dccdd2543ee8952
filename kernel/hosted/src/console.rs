//! A console on top of `std::io::Write`.

use std::io::{self, Write};

use fledge_api::{Console, ConsoleError};

/// A [`Console`] that writes to any `std::io::Write`: standard output, a
/// file, a `Vec<u8>`.
#[derive(Debug)]
pub struct HostConsole<W> {
    out: W,
}

impl HostConsole<io::Stdout> {
    /// A console on the process's standard output.
    pub fn stdout() -> Self {
        HostConsole { out: io::stdout() }
    }
}

impl<W: Write> HostConsole<W> {
    /// A console that writes to `out`.
    pub fn new(out: W) -> Self {
        HostConsole { out }
    }

    /// The writer, to look at.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Gives back the writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Console for HostConsole<W> {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        // A line written to a terminal should show up now, as it would on a
        // serial line, so every write is flushed.
        self.out.write_all(bytes).and_then(|()| self.out.flush()).map_err(|_| ConsoleError::Unavailable)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn writes_through_to_the_writer() {
        let mut console = HostConsole::new(Vec::new());
        console.write_bytes(b"one\n").unwrap();
        console.write_bytes(b"two\n").unwrap();
        assert_eq!(console.into_inner(), b"one\ntwo\n");
    }

    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_unavailable() {
        let mut console = HostConsole::new(ClosedPipe);
        assert_eq!(console.write_bytes(b"x"), Err(ConsoleError::Unavailable));
    }
}
