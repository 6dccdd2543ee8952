//! Exercise 07's host tests, run against the upstream crate `fledge_executor`.

extern crate fledge_executor as scheduler;

#[path = "../../../exercises/07-scheduler/tests/cases/host.rs"]
mod cases;
