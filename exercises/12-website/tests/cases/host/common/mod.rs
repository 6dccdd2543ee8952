//! What the tests share with the fuzzer (`kernel/http/examples/fuzz.rs`, which takes
//! the same files by path).

// Each test crate uses its own part of these.
#![allow(dead_code)]

pub mod fakes;
pub mod outcome;
