//! The interrupt handlers of a kernel that runs tasks.
//!
//! Each runs its work through the [`door`](crate::door), so the trace
//! shows the interrupt, and a wake it makes is traced as its own. The
//! timer's work is exercise 04's handler, unchanged: one more tick, and
//! the end-of-interrupt. It wakes nobody: ending the halt is enough, the
//! executor then finds its due sleeps itself.
//!
//! A PCI card's line (5, 9, 10 or 11) gets [`pci_interrupt`]'s work:
//! the line masked and its task woken, the card left to that task.

use fledge_cpu::InterruptContext;
use fledge_timer::idt::vector;
use fledge_timer::pic;

use crate::door;
use crate::pci_interrupt;
use crate::serial_input::{self, COM2_IRQ};

/// The timer's vector: IRQ 0.
pub const TIMER_VECTOR: u8 = vector(0);

/// COM2's vector: IRQ 3.
pub const COM2_VECTOR: u8 = vector(COM2_IRQ);

/// IRQ 0: exercise 04's tick, through the door.
pub extern "C" fn timer(context: &mut InterruptContext) {
    door::handle(TIMER_VECTOR, || fledge_timer::handlers::timer(context));
}

/// IRQ 3: COM2 has bytes; hand them to [`serial_input`], which wakes its
/// reader. The end-of-interrupt goes last, so that the next IRQ 3 can
/// only come once these bytes are taken.
pub extern "C" fn com2(_context: &mut InterruptContext) {
    door::handle(COM2_VECTOR, serial_input::on_interrupt);
    pic::with(|pics| pic::acknowledge(pics, COM2_IRQ));
}

/// A PCI card's IRQ `line`: masked and its task woken (see
/// [`pci_interrupt`]), then the end-of-interrupt, to the secondary PIC
/// too for lines 8 to 15. The line is masked first, so the EOI cannot let
/// the same level-triggered request in again.
fn pci(line: u8) {
    door::handle(vector(line), || pci_interrupt::on_interrupt(line));
    pic::with(|pics| pic::acknowledge(pics, line));
}

/// IRQ 5: a PCI card's line.
pub extern "C" fn pci5(_context: &mut InterruptContext) {
    pci(5);
}

/// IRQ 9: a PCI card's line.
pub extern "C" fn pci9(_context: &mut InterruptContext) {
    pci(9);
}

/// IRQ 10: a PCI card's line.
pub extern "C" fn pci10(_context: &mut InterruptContext) {
    pci(10);
}

/// IRQ 11: a PCI card's line.
pub extern "C" fn pci11(_context: &mut InterruptContext) {
    pci(11);
}
