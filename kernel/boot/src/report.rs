//! The panic report: the one KTAP line a test kernel writes when a test
//! panics. Exercise 02, finished: this is the learner's `report.rs` with
//! its hole filled, and the runner's own report.
//!
//! ```text
//! not ok 2 panic_with_arguments # panicked at exercises/02-panic/src/../tests/cases/kernel.rs:26:5: 6 times 7 is 42
//! Bail out! panicked at src/main.rs:12:9: no memory map
//! ```
//!
//! The first names the test that was running; the second is KTAP's way of
//! saying the run stopped outside any test. The location comes first
//! because that is where a newcomer should look; the grader checks it
//! against the source when a test is meant to panic.

use core::fmt;
use core::panic::Location;

use fledge_ktap::ktap::{self, Outcome};

/// Writes the report of a panic to `out`, as one KTAP line.
///
/// - `running`: the test that was running, as its number and name, or
///   `None` outside any test;
/// - `location`: where the panic happened, if known;
/// - `message`: the panic's message, with its formatting arguments.
///
/// With a test: `not ok N name # panicked at FILE:LINE:COLUMN: MESSAGE`.
/// Without one: `Bail out! panicked at FILE:LINE:COLUMN: MESSAGE`.
/// Without a location, `panicked: MESSAGE` takes the place of
/// `panicked at FILE:LINE:COLUMN: MESSAGE`.
pub fn write_report(
    out: &mut impl fmt::Write,
    running: Option<(usize, &str)>,
    location: Option<&Location<'_>>,
    message: &dyn fmt::Display,
) -> fmt::Result {
    write_line(out, running, "panicked", location, message)
}

/// [`write_report`] with another word than `panicked` in front of the
/// location: the runner says `the panic handler itself panicked` when a
/// panic handler panics.
pub(crate) fn write_line(
    out: &mut impl fmt::Write,
    running: Option<(usize, &str)>,
    lead: &str,
    location: Option<&Location<'_>>,
    message: &dyn fmt::Display,
) -> fmt::Result {
    let why = match location {
        Some(at) => format_args!("{lead} at {}:{}:{}: {message}", at.file(), at.line(), at.column()),
        None => format_args!("{lead}: {message}"),
    };
    match running {
        Some((number, name)) => ktap::result(out, number, name, Outcome::Fail(why)),
        None => ktap::bail_out(out, why),
    }
}
