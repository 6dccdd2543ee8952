//! Host tests for exercise 02: `cargo test -p exercise-02-panic --test host`.

#[path = "cases/host.rs"]
mod cases;
