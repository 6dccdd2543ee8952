//! Host tests for exercise 07: `cargo test -p exercise-07-scheduler --test host`.

#[path = "cases/host.rs"]
mod cases;
