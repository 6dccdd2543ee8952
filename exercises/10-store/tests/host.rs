//! Host tests for exercise 10: `cargo test -p exercise-10-store --test host`.

#[path = "cases/host.rs"]
mod cases;
