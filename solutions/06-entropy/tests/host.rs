//! Exercise 06's host tests, run against the reference solution.

extern crate entropy_solution as entropy;

#[path = "../../../exercises/06-entropy/tests/cases/host.rs"]
mod cases;
