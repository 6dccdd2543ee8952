//! Exercise 02's host tests, run against the reference solution.

extern crate panic_report_solution as panic_report;

#[path = "../../../exercises/02-panic/tests/cases/host.rs"]
mod cases;
