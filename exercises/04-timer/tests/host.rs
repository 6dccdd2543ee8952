//! Host tests for exercise 04: `cargo test -p exercise-04-timer --test host`.

#[path = "cases/host.rs"]
mod cases;
