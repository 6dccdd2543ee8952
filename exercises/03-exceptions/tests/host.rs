//! Host tests for exercise 03: `cargo test -p exercise-03-exceptions --test host`.

#[path = "cases/host.rs"]
mod cases;
