//! Host tests for exercise 05: `cargo test -p exercise-05-memory --test host`.

#[path = "cases/host.rs"]
mod cases;
