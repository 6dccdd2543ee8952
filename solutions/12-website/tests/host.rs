//! Exercise 12's host tests, run against the upstream crate `fledge_http`.

extern crate fledge_http as http;

#[path = "../../../exercises/12-website/tests/cases/host.rs"]
mod cases;
