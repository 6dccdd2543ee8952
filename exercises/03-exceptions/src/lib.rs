//! Exercise 03: CPU exceptions.
//!
//! When an instruction cannot go on (it touched an unmapped page, divided
//! by zero, hit an `int3`), the CPU stops the running code and jumps to a
//! handler: an *exception*. Where to jump is written in the Interrupt
//! Descriptor Table (IDT), one entry per vector (3 is breakpoint, 8 double
//! fault, 14 page fault). Without an IDT entry the CPU raises a double
//! fault instead; without a double-fault handler it raises a triple fault,
//! and a triple fault resets the machine with nothing said.
//!
//! You build what it takes to turn those resets into reports:
//!
//! - [`gdt`]: a Global Descriptor Table with a Task State Segment whose
//!   Interrupt Stack Table gives the double-fault handler a stack of its
//!   own, so that even a kernel whose stack overflowed can report it;
//! - [`idt`]: the IDT, with entries for breakpoint, page fault and double
//!   fault, pointing at entry stubs that `fledge_cpu` writes for you;
//! - [`handlers`]: the three handlers, ordinary Rust functions that get the
//!   interrupted code's context;
//! - [`fault`]: decoding a page fault's error code into words;
//! - [`guard`]: the guard pages under stacks, so that the double-fault
//!   handler can say "stack overflow" (given, not a hole).
//!
//! [`init`] loads the GDT and the IDT in one call: what a later kernel does
//! once to have its exceptions reported.

#![no_std]
// The holes leave imports and helpers unused until you fill them in.
#![allow(unused_imports, dead_code)]

pub mod fault;
pub mod gdt;
pub mod guard;
pub mod handlers;
pub mod idt;

/// Loads the GDT (with the TSS and its double-fault stack) and the IDT.
/// Calling it again loads the IDT again and changes nothing else.
pub fn init() {
    gdt::init();
    idt::load();
}
