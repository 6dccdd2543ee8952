//! Exercise 06's host tests, run against the upstream crate `fledge_entropy`.

extern crate fledge_entropy as entropy;

#[path = "../../../exercises/06-entropy/tests/cases/host.rs"]
mod cases;
