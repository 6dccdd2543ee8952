//! Host tests for exercise 05: `cargo test -p exercise-05-memory --test host`.

#[path = "cases/host.rs"]
mod cases;

#[path = "cases/paging.rs"]
mod paging;

#[path = "cases/heap.rs"]
mod heap;
