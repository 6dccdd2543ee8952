//! The interrupt handlers: the timer's IRQ 0, and the two lines where
//! spurious interrupts show up, IRQ 7 and IRQ 15.
//!
//! They count what they see in atomics, which an interrupted thread can
//! never be holding.

use core::sync::atomic::{AtomicU64, Ordering};

use fledge_cpu::InterruptContext;

use crate::pic::{self, Irq};

static TICKS: AtomicU64 = AtomicU64::new(0);
static SPURIOUS: AtomicU64 = AtomicU64::new(0);

/// How many timer interrupts have been handled.
pub fn ticks() -> u64 {
    TICKS.load(Ordering::SeqCst)
}

/// How many spurious interrupts have been seen.
pub fn spurious() -> u64 {
    SPURIOUS.load(Ordering::SeqCst)
}

// ANCHOR: timer
/// IRQ 0: one more tick, then the end-of-interrupt.
pub extern "C" fn timer(_context: &mut InterruptContext) {
    TICKS.fetch_add(1, Ordering::SeqCst);
    pic::with(|pics| pic::acknowledge(pics, 0));
}
// ANCHOR_END: timer

// ANCHOR: spurious
/// IRQ 7: real (a printer port, long gone) or spurious.
pub extern "C" fn irq7(_context: &mut InterruptContext) {
    if pic::with(|pics| pic::acknowledge(pics, 7)) == Irq::Spurious {
        SPURIOUS.fetch_add(1, Ordering::SeqCst);
    }
}

/// IRQ 15: real (the secondary ATA channel) or spurious.
pub extern "C" fn irq15(_context: &mut InterruptContext) {
    if pic::with(|pics| pic::acknowledge(pics, 15)) == Irq::Spurious {
        SPURIOUS.fetch_add(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: spurious
