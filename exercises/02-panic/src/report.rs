//! The panic report: one KTAP line.
//!
//! When a test panics, the grader needs three things from the kernel's last
//! line: which test it was, where in the source the panic happened, and the
//! panic's message. KTAP has the place for them, the diagnostic after `#`:
//!
//! ```text
//! not ok 2 panic_with_arguments # panicked at exercises/02-panic/src/../tests/cases/kernel.rs:26:5: 6 times 7 is 42
//! ```
//!
//! A panic outside any test (while the kernel starts, say) has no test to
//! mark `not ok`. KTAP's word for "the run stopped here" is `Bail out!`:
//!
//! ```text
//! Bail out! panicked at src/main.rs:12:9: no memory map
//! ```
//!
//! The KTAP writer in `fledge_ktap::ktap` already knows the line formats
//! ([`ktap::result`] with [`Outcome::Fail`], and [`ktap::bail_out`]). It
//! also keeps a message on one line: a panic message may contain line
//! breaks (an `assert_eq!` failure does), and a line break inside a result
//! line would cut it in two. Your job is to put the right pieces in.
//!
//! [`ktap::result`]: fledge_ktap::ktap::result
//! [`ktap::bail_out`]: fledge_ktap::ktap::bail_out
//! [`Outcome::Fail`]: fledge_ktap::ktap::Outcome::Fail

use core::fmt;
use core::panic::Location;

#[allow(unused_imports)]
use fledge_ktap::ktap::{self, Outcome};

// ANCHOR: report
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
    // Build the diagnostic with `format_args!` (one for each kind of
    // location), then hand it to `ktap::result(.., Outcome::Fail(..))` or to
    // `ktap::bail_out`.
    let _ = (out, running, location, message);
    todo!("write the panic report as one KTAP line")
}
// ANCHOR_END: report
