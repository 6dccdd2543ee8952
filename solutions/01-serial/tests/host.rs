//! Exercise 01's host tests, run against the reference solution.

extern crate serial_solution as serial;

#[path = "../../../exercises/01-serial/tests/cases/host.rs"]
mod cases;
