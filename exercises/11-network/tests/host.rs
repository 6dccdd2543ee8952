//! Host tests for exercise 11: `cargo test -p exercise-11-network --test host`.

#[path = "cases/host.rs"]
mod cases;
