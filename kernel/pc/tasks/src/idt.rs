//! The IDT of a kernel that runs tasks: exercise 04's table (exercise 03's
//! exceptions, the timer and the spurious-interrupt lines, from
//! `fledge_timer`), with this crate's traced timer in vector 32 and COM2's
//! entry in vector 35, and entries for the lines a PCI card may have
//! ([`pci_interrupt::LINES`]: vectors 37, 41, 42 and 43). A CPU has one
//! IDT at a time, so it is built from exercise 04's.

use fledge_cpu::entry;
use fledge_timer::idt::vector;
use x86_64::structures::idt::InterruptDescriptorTable;

use crate::handlers;
use crate::pci_interrupt;
use crate::serial_input::COM2_IRQ;

fledge_cpu::interrupt_entry!(
    /// Vector 32, IRQ 0: the timer, traced.
    pub fn timer_entry => handlers::timer
);
fledge_cpu::interrupt_entry!(
    /// Vector 35, IRQ 3: COM2's receive interrupt.
    pub fn com2_entry => handlers::com2
);

fledge_cpu::interrupt_entry!(
    /// Vector 37, IRQ 5: a PCI card.
    pub fn pci5_entry => handlers::pci5
);
fledge_cpu::interrupt_entry!(
    /// Vector 41, IRQ 9: a PCI card.
    pub fn pci9_entry => handlers::pci9
);
fledge_cpu::interrupt_entry!(
    /// Vector 42, IRQ 10: a PCI card.
    pub fn pci10_entry => handlers::pci10
);
fledge_cpu::interrupt_entry!(
    /// Vector 43, IRQ 11: a PCI card.
    pub fn pci11_entry => handlers::pci11
);

/// The entry stub of each line of [`pci_interrupt::LINES`], in its order.
const PCI_ENTRIES: [extern "C" fn(); 4] = [pci5_entry, pci9_entry, pci10_entry, pci11_entry];

fn build() -> InterruptDescriptorTable {
    let mut idt = fledge_timer::idt::build();
    // SAFETY: each address is an entry stub made by `interrupt_entry!` for
    // a vector without an error code, as hardware interrupts are.
    unsafe {
        idt[vector(0)].set_handler_addr(entry::address(timer_entry));
        idt[vector(COM2_IRQ)].set_handler_addr(entry::address(com2_entry));
        for (line, stub) in pci_interrupt::LINES.into_iter().zip(PCI_ENTRIES) {
            idt[vector(line)].set_handler_addr(entry::address(stub));
        }
    }
    idt
}

static IDT: spin::Once<InterruptDescriptorTable> = spin::Once::new();

/// Loads the GDT with its double-fault stack, then builds the IDT (once)
/// and loads it.
pub fn load() {
    fledge_exceptions::gdt::init();
    IDT.call_once(build).load();
}
