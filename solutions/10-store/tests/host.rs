//! Exercise 10's host tests, run against the upstream crate `fledge_store`.

extern crate fledge_store as store;

#[path = "../../../exercises/10-store/tests/cases/host.rs"]
mod cases;
