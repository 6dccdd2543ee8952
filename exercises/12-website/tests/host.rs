//! Host tests for exercise 12: `cargo test -p exercise-12-website --test host`.

#[path = "cases/host.rs"]
mod cases;
