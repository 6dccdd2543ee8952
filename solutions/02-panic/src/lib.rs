//! Exercise 02: what a kernel says when it panics, and how it leaves.
//!
//! A kernel has no operating system underneath to catch its mistakes. When
//! Rust code in it panics (an `unwrap` on `None`, an index out of bounds, an
//! overflow, an `assert!`), the compiler calls the one function marked
//! `#[panic_handler]`, and that function must never return. What it does is
//! the kernel's last word, and the only evidence a developer gets: the Linux
//! kernel prints an "Oops" with the faulting address and a backtrace; a
//! Fledge test kernel prints a KTAP line that names the test, the source
//! location and the message, and then leaves QEMU with a failure status.
//!
//! You write three pieces:
//!
//! - [`report`]: formatting that last line. Plain logic, tested on the host
//!   with `core::panic::Location` values and a `String`;
//! - [`exit`]: leaving QEMU through its `isa-debug-exit` device, one write
//!   to an I/O port;
//! - [`handler`]: the panic handler that puts the two together.
//!
//! `src/main.rs` hands your handler and your exit to the test runner, so
//! every test kernel in this exercise dies (and ends) by your code.

#![no_std]

pub mod exit;
pub mod handler;
pub mod report;
