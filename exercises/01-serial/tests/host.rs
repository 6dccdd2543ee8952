//! Host tests for exercise 01: `cargo test -p exercise-01-serial --test host`.

#[path = "cases/host.rs"]
mod cases;
