//! The console: somewhere to write bytes that a person will read.
//!
//! The console is the first service a kernel brings up, because every later
//! bug is found through it. The trait is deliberately tiny: one method that
//! writes a whole buffer or says why it could not.
//!
//! The contract every implementation keeps is written on the trait,
//! [`Console`]; `fledge_conformance::console` checks an implementation
//! against it.
//!
//! # An example implementation
//!
//! A console that keeps what it is given in a fixed buffer, and reports
//! [`ConsoleError::Full`] when that runs out:
//!
//! ```
//! use fledge_api::{Console, ConsoleError};
//!
//! struct Buffer { bytes: [u8; 16], len: usize }
//!
//! impl Console for Buffer {
//!     fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
//!         let room = &mut self.bytes[self.len..];
//!         if bytes.len() > room.len() {
//!             return Err(ConsoleError::Full);
//!         }
//!         room[..bytes.len()].copy_from_slice(bytes);
//!         self.len += bytes.len();
//!         Ok(())
//!     }
//! }
//!
//! let mut console = Buffer { bytes: [0; 16], len: 0 };
//! console.write_bytes(b"hello\n").unwrap();
//! assert_eq!(&console.bytes[..console.len], b"hello\n");
//! assert_eq!(console.write_bytes(&[b'x'; 11]), Err(ConsoleError::Full));
//! ```

use core::fmt;

// ANCHOR: error
/// Why a console could not take the bytes it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleError {
    /// There is no console to write to yet: nothing has been installed, or
    /// the device was not found.
    NotReady,
    /// The device stopped accepting bytes: a transmitter that never became
    /// ready, or a closed pipe on the other end.
    Unavailable,
    /// The console has a fixed capacity and it is used up.
    Full,
}
// ANCHOR_END: error

impl fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConsoleError::NotReady => "no console has been set up yet",
            ConsoleError::Unavailable => "the console device stopped accepting bytes",
            ConsoleError::Full => "the console is full",
        })
    }
}

impl core::error::Error for ConsoleError {}

// ANCHOR: trait
/// Somewhere to write bytes that a person will read.
///
/// # Contract
///
/// [`write_bytes`](Console::write_bytes):
///
/// - writes every byte of the buffer, in order, before returning `Ok(())`;
/// - adds nothing and drops nothing: a `b'\n'` goes out as a `b'\n'` (a
///   terminal on the other end of a serial line copes with bare line
///   feeds), and an empty buffer succeeds, writing nothing;
/// - returns an error only if the device cannot take the bytes, and then
///   says which of [`ConsoleError`]'s cases applies. Bytes before the
///   failure may already have been written;
/// - does not lock anything itself: callers that share a console between
///   several writers put it behind their own lock, so that they, not the
///   console, decide what counts as one indivisible write (a whole line,
///   say).
pub trait Console {
    /// Writes all of `bytes`, in order, or says why it could not.
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError>;
}
// ANCHOR_END: trait

impl<C: Console + ?Sized> Console for &mut C {
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ConsoleError> {
        (**self).write_bytes(bytes)
    }
}
