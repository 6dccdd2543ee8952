//! Exercise 05's host tests, run against the upstream crate `fledge_memory`.

extern crate fledge_memory as memory;

#[path = "../../../exercises/05-memory/tests/cases/host.rs"]
mod cases;

#[path = "../../../exercises/05-memory/tests/cases/paging.rs"]
mod paging;

#[path = "../../../exercises/05-memory/tests/cases/heap.rs"]
mod heap;
