//! Errors: how a service says what went wrong, its own failures and those
//! of the service it is built on.
//!
//! Every service of a library OS stands on others: a key-value store on a
//! block device, TCP on a network device, a logger on a console. When the
//! block device fails, the store's caller should learn both things: that
//! the commit failed (the store's error) and why (the device's error). So
//! Fledge's error types follow one pattern, the one `std::io::Error` and
//! most of the Rust ecosystem use:
//!
//! - Each service has its own error enum, one variant per thing that can
//!   go wrong at its level, each with a doc comment.
//! - It implements `Display` (what went wrong *at this level*, in a
//!   sentence) and [`core::error::Error`]. Every error type in this crate
//!   does, and the drivers' error types too.
//! - The lower service's error is **one variant** that wraps it, such as
//!   `Console(ConsoleError)`; a `From` conversion lets `?` wrap it on the
//!   way up; and [`Error::source`](core::error::Error::source) returns it.
//! - `Display` does not repeat the lower error's message: whoever prints
//!   the error walks the chain of `source`s and prints each link once.
//!
//! The store (exercise 10) wraps the block device's error this way. TCP
//! (exercise 11) has no such variant: a frame the network device fails to
//! send is a lost frame, which TCP sends again, and a device that stays
//! dead ends its connections with `TimedOut`. A block device itself
//! answers with one fixed enum, [`BlockError`](crate::BlockError), so that
//! code above any disk can tell a busy one from a full one: exercise 09's
//! driver sorts its transport's errors into those cases.
//!
//! # An example: a line logger over any console
//!
//! ```
//! use core::error::Error;
//! use core::fmt;
//!
//! use fledge_api::{Console, ConsoleError};
//!
//! /// Writes whole lines to a console.
//! pub struct LineLogger<C> {
//!     console: C,
//! }
//!
//! /// Why a line was not logged.
//! #[derive(Clone, Copy, Debug, PartialEq, Eq)]
//! pub enum LogError {
//!     /// The line has a line break of its own: it would read as two.
//!     LineBreak,
//!     /// The console below failed.
//!     Console(ConsoleError),
//! }
//!
//! impl fmt::Display for LogError {
//!     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
//!         f.write_str(match self {
//!             LogError::LineBreak => "the line has a line break in it",
//!             // What failed here; the console's own message is the source's.
//!             LogError::Console(_) => "the line could not be written",
//!         })
//!     }
//! }
//!
//! impl Error for LogError {
//!     fn source(&self) -> Option<&(dyn Error + 'static)> {
//!         match self {
//!             LogError::Console(lower) => Some(lower),
//!             LogError::LineBreak => None,
//!         }
//!     }
//! }
//!
//! /// What lets `?` wrap the console's error.
//! impl From<ConsoleError> for LogError {
//!     fn from(lower: ConsoleError) -> LogError {
//!         LogError::Console(lower)
//!     }
//! }
//!
//! impl<C: Console> LineLogger<C> {
//!     pub fn new(console: C) -> LineLogger<C> {
//!         LineLogger { console }
//!     }
//!
//!     /// Writes `line` and a `\n`.
//!     pub fn log(&mut self, line: &str) -> Result<(), LogError> {
//!         if line.contains('\n') {
//!             return Err(LogError::LineBreak);
//!         }
//!         self.console.write_bytes(line.as_bytes())?;
//!         self.console.write_bytes(b"\n")?;
//!         Ok(())
//!     }
//! }
//!
//! /// A console whose cable was pulled.
//! struct Unplugged;
//!
//! impl Console for Unplugged {
//!     fn write_bytes(&mut self, _: &[u8]) -> Result<(), ConsoleError> {
//!         Err(ConsoleError::Unavailable)
//!     }
//! }
//!
//! let mut logger = LineLogger::new(Unplugged);
//! let error = logger.log("booted").unwrap_err();
//! assert_eq!(error, LogError::Console(ConsoleError::Unavailable));
//! assert_eq!(logger.log("two\nlines"), Err(LogError::LineBreak));
//! // The lower error is there for whoever wants it, as a value.
//! let lower = error.source().and_then(|e| e.downcast_ref::<ConsoleError>());
//! assert_eq!(lower, Some(&ConsoleError::Unavailable));
//! ```
//!
//! # Printing a chain
//!
//! A caller that reports an error prints it and then each of its sources,
//! so every level says its part once:
//!
//! ```
//! # use core::error::Error;
//! # use core::fmt;
//! # use fledge_api::ConsoleError;
//! # #[derive(Debug)]
//! # enum LogError { Console(ConsoleError) }
//! # impl fmt::Display for LogError {
//! #     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
//! #         f.write_str("the line could not be written")
//! #     }
//! # }
//! # impl Error for LogError {
//! #     fn source(&self) -> Option<&(dyn Error + 'static)> {
//! #         match self { LogError::Console(lower) => Some(lower) }
//! #     }
//! # }
//! /// `error`, then each error below it, separated by ": ".
//! fn chain(error: &dyn Error) -> String {
//!     let mut text = error.to_string();
//!     let mut below = error.source();
//!     while let Some(lower) = below {
//!         text += ": ";
//!         text += &lower.to_string();
//!         below = lower.source();
//!     }
//!     text
//! }
//!
//! let error = LogError::Console(ConsoleError::Unavailable);
//! assert_eq!(chain(&error), "the line could not be written: the console device stopped accepting bytes");
//! assert_eq!(chain(&ConsoleError::Full), "the console is full", "a chain of one");
//! ```
