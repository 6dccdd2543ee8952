//! Exercise 04's host tests, run against the upstream crate `fledge_timer`.

extern crate fledge_timer as timer;

#[path = "../../../exercises/04-timer/tests/cases/host.rs"]
mod cases;
