//! Exercise 02's host tests, run against the upstream crate `fledge_boot`.

extern crate fledge_boot as panic_report;

#[path = "../../../exercises/02-panic/tests/cases/host.rs"]
mod cases;
