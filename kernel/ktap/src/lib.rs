//! KTAP: how a Fledge kernel tells the grader what its tests did.
//!
//! KTAP is the Linux kernel's test output format. A run looks like this on
//! the serial line (the `#` lines are diagnostics; anything that is not KTAP
//! is allowed in between and ignored by the grader):
//!
//! ```text
//! KTAP version 1
//! # nonce: 5f0c3a9e11d2b470          <- echoed from the grader, see `config`
//! 1..3                               <- the plan: three tests
//! # run 1 hello_line                 <- Fledge's marker: test 1 starts here
//! Hello from Fledge!                 <- whatever the test printed
//! ok 1 hello_line
//! # run 2 multi_line
//! not ok 2 multi_line # panicked at src/print.rs:40:9: not yet implemented
//! ```
//!
//! This crate is the grading contract in code: it *formats* those lines
//! ([`ktap`]), writes and parses the run's configuration ([`config`]), and
//! holds the two exit codes and the QEMU statuses they become ([`exit`]),
//! for the kernel and the grader alike. Running the tests on bare metal is
//! the business of `fledge-boot`. Keeping the format here, with no hardware in
//! sight, lets the grader's parser be tested against the very code that
//! produces the stream.
//!
//! [`ktap`]: crate::ktap

#![no_std]

pub mod case;
pub mod config;
pub mod exit;
pub mod ktap;

pub use case::Case;
pub use config::{ConfigError, RunConfig};
