//! Exercise 01's host tests, run against the upstream crate `fledge_serial`.

extern crate fledge_serial as serial;

#[path = "../../../exercises/01-serial/tests/cases/host.rs"]
mod cases;
