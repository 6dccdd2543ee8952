//! Exercise 04's host tests, run against the reference solution.

extern crate timer_solution as timer;

#[path = "../../../exercises/04-timer/tests/cases/host.rs"]
mod cases;
