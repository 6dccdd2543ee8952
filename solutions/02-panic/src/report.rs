//! The panic report: reference solution.

use core::fmt;
use core::panic::Location;

use fledge_ktap::ktap::{self, Outcome};

/// Writes the report of a panic to `out`, as one KTAP line.
pub fn write_report(
    out: &mut impl fmt::Write,
    running: Option<(usize, &str)>,
    location: Option<&Location<'_>>,
    message: &dyn fmt::Display,
) -> fmt::Result {
    let why = match location {
        Some(at) => format_args!("panicked at {}:{}:{}: {}", at.file(), at.line(), at.column(), message),
        None => format_args!("panicked: {message}"),
    };
    match running {
        Some((number, name)) => ktap::result(out, number, name, Outcome::Fail(why)),
        None => ktap::bail_out(out, why),
    }
}
