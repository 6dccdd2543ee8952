//! `print!` and `println!`: formatted text on whatever console is installed.
//!
//! Rust formats text in `core`, without an allocator: `format_args!` packs
//! the format string and its arguments into a [`fmt::Arguments`], and any
//! type that implements [`fmt::Write`] (one method, `write_str`) can receive
//! the pieces. So printing is three small steps:
//!
//! ```text
//! println!("x = {}", x)
//!   └─ format_args!  ──>  Printer::println(args)       lock the console once
//!                          └─ ConsoleWriter::write_str  each formatted piece
//!                              └─ Console::write_bytes  the driver
//! ```
//!
//! The lock matters. Two parts of a kernel (later: an interrupt handler and
//! the main loop, or two CPUs) may print at once. If each piece of a line
//! took and released the lock on its own, their lines would be cut into
//! each other. Holding the lock for a whole `print!` call, and for a whole
//! line including its `\n` in `println!`, keeps lines whole.
//!
//! Errors are values: [`fmt::Write`] can only say "error", so the writer
//! keeps the console's own [`ConsoleError`] to hand back to the caller.

use core::fmt::{self, Write};

use fledge_api::{Console, ConsoleError};
use spin::Mutex;

use crate::uart::{COM1, SerialConsole};

/// A `fmt::Write` that sends text to a [`Console`] and remembers the first
/// error the console reported.
pub struct ConsoleWriter<'a, C: Console> {
    console: &'a mut C,
    error: Option<ConsoleError>,
}

impl<'a, C: Console> ConsoleWriter<'a, C> {
    /// A writer onto `console`.
    pub fn new(console: &'a mut C) -> Self {
        ConsoleWriter { console, error: None }
    }

    /// The error the console reported, if a write failed.
    pub fn error(&self) -> Option<ConsoleError> {
        self.error
    }
}

// ANCHOR: write_str
impl<C: Console> Write for ConsoleWriter<'_, C> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.console.write_bytes(s.as_bytes()).map_err(|error| {
            self.error = Some(error);
            fmt::Error
        })
    }
}
// ANCHOR_END: write_str

/// A console behind a lock, which prints whole calls at a time.
pub struct Printer<C> {
    console: Mutex<Option<C>>,
}

impl<C: Console> Printer<C> {
    /// A printer with no console yet: printing fails with
    /// [`ConsoleError::NotReady`] until [`install`](Self::install).
    pub const fn new() -> Self {
        Printer { console: Mutex::new(None) }
    }

    /// Makes `console` the one this printer writes to, and gives back the
    /// one it replaces.
    pub fn install(&self, console: C) -> Option<C> {
        self.console.lock().replace(console)
    }

    // ANCHOR: print
    /// Writes the formatted `args` while holding the lock, so nothing else
    /// printed through this printer can land in the middle.
    pub fn print(&self, args: fmt::Arguments<'_>) -> Result<(), ConsoleError> {
        let mut console = self.console.lock();
        let console = console.as_mut().ok_or(ConsoleError::NotReady)?;
        let mut writer = ConsoleWriter::new(console);
        match writer.write_fmt(args) {
            Ok(()) => Ok(()),
            Err(fmt::Error) => match writer.error() {
                Some(error) => Err(error),
                // The console took everything: the error came from a
                // `Display` or `Debug` implementation, and std treats that
                // as a bug in it, as we do.
                None => panic!("a formatting trait implementation returned an error"),
            },
        }
    }

    /// Writes the formatted `args` and a `\n`, as one whole line.
    pub fn println(&self, args: fmt::Arguments<'_>) -> Result<(), ConsoleError> {
        self.print(format_args!("{args}\n"))
    }
    // ANCHOR_END: print
}

impl<C: Console> Default for Printer<C> {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: global
/// The kernel's console: the UART on COM1, once [`init`] has installed it.
pub static CONSOLE: Printer<SerialConsole> = Printer::new();

/// Sets up COM1 and installs it as the kernel's console.
pub fn init() -> Result<(), ConsoleError> {
    // SAFETY: COM1 is the PC's first 16550, and from here on the kernel
    // reaches it only through `CONSOLE`.
    let console = unsafe { SerialConsole::new(COM1)? };
    CONSOLE.install(console);
    Ok(())
}

/// What `print!` expands to. Printing has nowhere to report a failure
/// (reporting it would mean printing), so errors are dropped here.
#[doc(hidden)]
pub fn _print(args: fmt::Arguments<'_>) {
    let _ = CONSOLE.print(args);
}

/// What `println!` expands to.
#[doc(hidden)]
pub fn _println(args: fmt::Arguments<'_>) {
    let _ = CONSOLE.println(args);
}

/// Prints to the kernel console, like `std`'s `print!`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::print::_print(format_args!($($arg)*))
    };
}

/// Prints a whole line to the kernel console, like `std`'s `println!`.
#[macro_export]
macro_rules! println {
    () => {
        $crate::print::_println(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::print::_println(format_args!($($arg)*))
    };
}
// ANCHOR_END: global
