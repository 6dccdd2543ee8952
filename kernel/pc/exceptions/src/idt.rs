//! The Interrupt Descriptor Table.
//!
//! 256 entries, one per vector. Each holds the address of the code to run,
//! the code segment to run it in, and options: whether the entry is
//! present, whether interrupts stay enabled, and which IST stack to switch
//! to (0 for "stay on this stack").
//!
//! The CPU does not call a handler like a Rust function, so an entry points
//! at an *entry stub* that does (see `fledge_cpu::entry`). The stubs are
//! made here with `fledge_cpu::interrupt_entry!`: one line per handler.

use fledge_cpu::entry;
use x86_64::structures::idt::InterruptDescriptorTable;

use crate::{gdt, handlers};

// ANCHOR: stubs
fledge_cpu::interrupt_entry!(
    /// Vector 3, `#BP`: no error code.
    pub fn breakpoint_entry => handlers::breakpoint
);
fledge_cpu::interrupt_entry!(
    /// Vector 14, `#PF`: the CPU pushes an error code.
    pub fn page_fault_entry => handlers::page_fault, error_code
);
fledge_cpu::interrupt_entry!(
    /// Vector 8, `#DF`: the CPU pushes an error code (always 0).
    pub fn double_fault_entry => handlers::double_fault, error_code
);
// ANCHOR_END: stubs

// ANCHOR: build
/// An IDT whose breakpoint, page-fault and double-fault entries point at
/// the stubs above; the double fault runs on the IST stack
/// [`gdt::DOUBLE_FAULT_IST_INDEX`].
pub fn build() -> InterruptDescriptorTable {
    let mut idt = InterruptDescriptorTable::new();
    // SAFETY: each address is an entry stub made by `interrupt_entry!` for
    // that vector, with or without an error code as the CPU pushes one; the
    // IST slot is set up by `gdt::init` before anything can double-fault.
    unsafe {
        idt.breakpoint.set_handler_addr(entry::address(breakpoint_entry));
        idt.page_fault.set_handler_addr(entry::address(page_fault_entry));
        idt.double_fault
            .set_handler_addr(entry::address(double_fault_entry))
            .set_stack_index(gdt::DOUBLE_FAULT_IST_INDEX);
    }
    idt
}
// ANCHOR_END: build

static IDT: spin::Once<InterruptDescriptorTable> = spin::Once::new();

/// Builds the IDT (once) and loads it.
pub fn load() {
    IDT.call_once(build).load();
}
