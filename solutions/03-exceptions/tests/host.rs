//! Exercise 03's host tests, run against the upstream crate `fledge_exceptions`.

extern crate fledge_exceptions as exceptions;

#[path = "../../../exercises/03-exceptions/tests/cases/host.rs"]
mod cases;
