//! A PCI card's interrupt, for a task that owns the card.
//!
//! A PCI card without MSI interrupts the old way (INTx): it pulls one of
//! the four PCI interrupt pins, and the chipset routes that pin to an
//! IRQ line of the 8259 PICs. The BIOS chose the line and wrote it into
//! the card's configuration space (byte 0x3C, "interrupt line"); on
//! QEMU's `pc` machine SeaBIOS gives PCI cards lines 5, 9, 10 and 11
//! (slot 4 gets 11 or 10). [`LINES`] are the ones this kernel has entries
//! for, and the IRQ's vector is 32 + line ([`fledge_timer::idt::vector`]).
//!
//! The line is *level-triggered*: it stays up for as long as the card has
//! something to say, and only the card's driver can lower it (a virtio
//! card lowers it when the driver reads its interrupt status register,
//! `VirtIONet::ack_interrupt`). But the card belongs to a task (the
//! network task owns `NetStack` and the card in it), and a handler that
//! touched it would race that task in the middle of a send. So the work
//! is split, and the handler never touches the card:
//!
//! ```text
//!   handler (IRQ line, in the door)         task (the poll loop)
//!   -------------------------------         --------------------
//!   mask the line at the PIC                ...woken...
//!   WAKERS[line].wake()                     ack the card: the line goes down
//!   EOI                                     unmask the line at the PIC
//!                                           poll; before sleeping:
//!                                           register, then look for frames
//! ```
//!
//! Masking is what makes this work with a level-triggered line: after
//! the EOI, a line still up would interrupt again at once, for ever,
//! and the task would never run to lower it. Masked, it waits. A frame
//! that comes after the task's acknowledgement raises the line again,
//! and once unmasked, it interrupts again: nothing is lost, as long as
//! the task registers its waker before it last looks at the card.
//!
//! A line of the secondary PIC (8 to 15) reaches the CPU through the
//! primary's line 2, the cascade, which must be unmasked too (exercise
//! 04's `remap` leaves it so; [`PciInterrupt::new`] makes sure).

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};
use core::task::Waker;

use fledge_executor::AtomicWaker;
use fledge_timer::idt::vector;
use fledge_timer::pic;
use x86_64::instructions::port::Port;

/// The IRQ lines a PCI card may have here: the ones SeaBIOS routes PCI
/// interrupts to on QEMU's `pc` machine. The IDT has an entry for each.
pub const LINES: [u8; 4] = [5, 9, 10, 11];

/// The primary PIC's mask register (IRQ 0 to 7).
const PRIMARY_MASK: u16 = 0x21;
/// The secondary PIC's mask register (IRQ 8 to 15).
const SECONDARY_MASK: u16 = 0xa1;
/// The primary's line the secondary is chained to.
const CASCADE: u8 = 2;

/// The task waiting for each line.
static WAKERS: [AtomicWaker; 16] = [const { AtomicWaker::new() }; 16];
/// How many interrupts each line has raised.
static RAISED: [AtomicU64; 16] = [const { AtomicU64::new(0) }; 16];

/// A line this kernel has no IDT entry for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsupportedLine(pub u8);

impl fmt::Display for UnsupportedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IRQ line {} is not one a PCI card can have here (lines {LINES:?})", self.0)
    }
}

impl core::error::Error for UnsupportedLine {}

/// The interrupt line of one PCI card, as the task that owns the card
/// sees it (see the module documentation).
#[derive(Debug)]
pub struct PciInterrupt {
    line: u8,
}

impl PciInterrupt {
    /// Takes interrupts of `line` (the card's configuration byte 0x3C):
    /// unmasks it at the PIC, and the cascade for a line of the secondary.
    /// The IDT must be loaded ([`bringup::init`](crate::bringup::init)).
    pub fn new(line: u8) -> Result<PciInterrupt, UnsupportedLine> {
        if !LINES.contains(&line) {
            return Err(UnsupportedLine(line));
        }
        let irq = PciInterrupt { line };
        if line >= 8 {
            set_mask(CASCADE, false);
        }
        irq.unmask();
        Ok(irq)
    }

    /// The IRQ line.
    pub fn line(&self) -> u8 {
        self.line
    }

    /// The CPU vector of the line: 32 + line.
    pub fn vector(&self) -> u8 {
        vector(self.line)
    }

    /// Leaves `waker` for the handler to wake at the next interrupt.
    /// Register before the last look at the card, never after.
    pub fn register(&self, waker: &Waker) {
        WAKERS[usize::from(self.line)].register(waker);
    }

    /// Lets the line interrupt again. Call it after acknowledging the
    /// card, so that the line is down (or up again for a new reason).
    pub fn unmask(&self) {
        set_mask(self.line, false);
    }

    /// How many interrupts the line has raised since boot.
    pub fn raised(&self) -> u64 {
        RAISED[usize::from(self.line)].load(Ordering::Relaxed)
    }
}

/// Masks (`true`) or unmasks IRQ `line` at its PIC, with the PICs' lock.
fn set_mask(line: u8, masked: bool) {
    pic::with(|_pics| {
        let (port, bit) = if line < 8 { (PRIMARY_MASK, line) } else { (SECONDARY_MASK, line - 8) };
        let mut port = Port::<u8>::new(port);
        // SAFETY: 0x21 and 0xa1 are the PICs' mask registers (OCW1); the
        // PICs' lock is held with interrupts off, so this read-modify-write
        // is not interleaved with another, and it changes one line's bit.
        unsafe {
            let mask = port.read();
            port.write(if masked { mask | 1 << bit } else { mask & !(1 << bit) });
        }
    });
}

/// The handler's work for `line`: masks it, counts it, wakes the task.
/// Takes no lock but the PICs' (whose users all hold it with interrupts
/// off), allocates nothing, and leaves the card alone. The end of
/// interrupt is the caller's, after this.
pub fn on_interrupt(line: u8) {
    set_mask(line, true);
    RAISED[usize::from(line & 15)].fetch_add(1, Ordering::Relaxed);
    WAKERS[usize::from(line & 15)].wake();
}
