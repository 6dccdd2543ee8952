//! Host tests for exercise 09: `cargo test -p exercise-09-block --test host`.

#[path = "cases/host.rs"]
mod cases;
