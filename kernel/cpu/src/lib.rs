//! x86-64 pieces that Fledge's exercises build on but do not write.
//!
//! - [`context`]: what an interrupt handler receives: the registers the
//!   entry stub saved and the frame the CPU pushed;
//! - [`interrupt_entry!`]: the entry stubs themselves, naked functions that
//!   turn an interrupt into an ordinary `extern "C"` call;
//! - [`probe`]: memory reads and writes that may fault, and the fix-up that
//!   lets a page-fault handler resume after them;
//! - [`tsc`]: the time-stamp counter, and its frequency measured against
//!   the PIT.
//!
//! The GDT, the IDT and the exception handlers built on these are exercise
//! 03's, upstream in `kernel/pc/exceptions`.
//!
//! Why stubs? Rust has an `x86-interrupt` calling convention that lets a
//! function be an interrupt handler directly, but it is unstable (it needs
//! the `abi_x86_interrupt` feature gate), and Fledge uses no unstable features.
//! The stable way is the one C kernels use: a few instructions of assembly
//! per vector that save what the interrupted code needs back, call a normal
//! function, restore, and return with `iretq`. xv6 does this in
//! `trapasm.S` and `vectors.S`; here it is one macro.

#![no_std]

pub mod context;
pub mod entry;
pub mod probe;
pub mod tsc;

pub use context::{InterruptContext, InterruptFrame, ScratchRegisters};
