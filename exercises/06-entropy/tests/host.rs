//! Host tests for exercise 06: `cargo test -p exercise-06-entropy --test host`.

#[path = "cases/host.rs"]
mod cases;
