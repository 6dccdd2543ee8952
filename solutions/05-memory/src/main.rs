//! The test kernel of exercise 05's reference solution: the exercise's own
//! tests, run against the upstream crate `fledge_memory` (the frame allocator, page tables and heap).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate fledge_memory as memory;

#[path = "../../../exercises/05-memory/tests/cases/kernel.rs"]
mod cases;

fledge_boot::test_kernel!(cases::CASES);
