//! The IDT of a kernel with a timer: exercise 03's exception entries
//! (from the upstream crate `fledge_exceptions`), plus the timer and the
//! two spurious-interrupt lines, vectors 32, 39 and 47. A CPU has one IDT
//! at a time, so the timer's entries are added to the exceptions' table,
//! and a page fault in this exercise is still reported as one. Given, not a
//! hole.

use fledge_cpu::entry;
use x86_64::structures::idt::InterruptDescriptorTable;

use crate::handlers;
use crate::pic::PIC_1_OFFSET;

fledge_cpu::interrupt_entry!(
    /// Vector 32, IRQ 0.
    pub fn timer_entry => handlers::timer
);
fledge_cpu::interrupt_entry!(
    /// Vector 39, IRQ 7.
    pub fn irq7_entry => handlers::irq7
);
fledge_cpu::interrupt_entry!(
    /// Vector 47, IRQ 15.
    pub fn irq15_entry => handlers::irq15
);

// ANCHOR: build
/// The vector of IRQ `irq`.
pub const fn vector(irq: u8) -> u8 {
    PIC_1_OFFSET + irq
}

/// The table: the exceptions' entries, then the timer and the two
/// spurious-interrupt lines. Not loaded; [`load`] loads it.
pub fn build() -> InterruptDescriptorTable {
    let mut idt = fledge_exceptions::idt::build();
    // SAFETY: each address is an entry stub made by `interrupt_entry!` for a
    // vector without an error code, as hardware interrupts are.
    unsafe {
        idt[vector(0)].set_handler_addr(entry::address(timer_entry));
        idt[vector(7)].set_handler_addr(entry::address(irq7_entry));
        idt[vector(15)].set_handler_addr(entry::address(irq15_entry));
    }
    idt
}
// ANCHOR_END: build

static IDT: spin::Once<InterruptDescriptorTable> = spin::Once::new();

/// Loads the GDT with its double-fault stack (`fledge_exceptions::gdt`),
/// then builds the IDT (once) and loads it.
pub fn load() {
    fledge_exceptions::gdt::init();
    IDT.call_once(build).load();
}

/// The IDT, once loaded.
pub fn table() -> Option<&'static InterruptDescriptorTable> {
    IDT.get()
}
