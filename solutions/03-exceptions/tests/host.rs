//! Exercise 03's host tests, run against the reference solution.

extern crate exceptions_solution as exceptions;

#[path = "../../../exercises/03-exceptions/tests/cases/host.rs"]
mod cases;
