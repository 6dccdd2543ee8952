//! The two 8259 interrupt controllers.
//!
//! A PC has two 8259 PICs, each with eight interrupt request lines. The
//! secondary's output is wired to line 2 of the primary, so together they
//! serve IRQ 0 to 15. Each PIC adds an *offset* to the line number to make
//! the CPU vector. The BIOS leaves the primary at offset 8, which collides
//! with the CPU's own exceptions (vector 8 is the double fault): the first
//! thing a kernel does is *remap* them, here to 32..=39 and 40..=47, just
//! past the 32 vectors Intel reserves.
//!
//! Two rules for handlers:
//!
//! - **EOI.** A PIC does not deliver an interrupt of a line while one of
//!   that line (or a higher-priority one) is *in service*. The handler ends
//!   the service with an end-of-interrupt command: to the primary for IRQ
//!   0 to 7, to both for IRQ 8 to 15 (the secondary's request went through
//!   the primary's line 2). Forget it, and the timer ticks exactly once.
//! - **Spurious interrupts.** If a request line drops before the CPU
//!   acknowledges it, the PIC still has to answer with a vector, and it
//!   answers with its lowest-priority line: IRQ 7 (or 15 on the secondary).
//!   Such an interrupt is not in service (its bit in the In-Service
//!   Register is clear) and must not get an EOI, because an EOI would end
//!   some *other* interrupt's service. A spurious IRQ 15 did go through the
//!   primary's line 2, though, so the primary still needs its EOI.
//!
//! The rules are written against the [`Pic`] trait, so the host tests can
//! check them with a fake controller; [`Pics`] is the real pair.

use pic8259::ChainedPics;
use x86_64::instructions::port::Port;

/// The vector of IRQ 0 (the timer).
pub const PIC_1_OFFSET: u8 = 32;
/// The vector of IRQ 8.
pub const PIC_2_OFFSET: u8 = PIC_1_OFFSET + 8;

// ANCHOR: pic
/// What a handler needs from the interrupt controllers.
pub trait Pic {
    /// The In-Service Register of both PICs: bit n set means IRQ n is being
    /// serviced.
    fn in_service(&mut self) -> u16;
    /// Sends an end-of-interrupt to the primary PIC.
    fn eoi_primary(&mut self);
    /// Sends an end-of-interrupt to the secondary PIC.
    fn eoi_secondary(&mut self);
}

/// What [`acknowledge`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Irq {
    /// A real interrupt; its EOI has been sent.
    Real,
    /// A spurious IRQ 7 or 15; no EOI went to the PIC that made it up.
    Spurious,
}
// ANCHOR_END: pic

// ANCHOR: acknowledge
/// Ends the service of `irq` (0 to 15) the way the PICs need, telling a
/// spurious IRQ 7 or 15 from a real one by the In-Service Register.
pub fn acknowledge(pic: &mut impl Pic, irq: u8) -> Irq {
    let in_service = pic.in_service() & (1 << irq) != 0;
    match irq {
        7 if !in_service => Irq::Spurious,
        15 if !in_service => {
            pic.eoi_primary();
            Irq::Spurious
        }
        8..=15 => {
            pic.eoi_secondary();
            pic.eoi_primary();
            Irq::Real
        }
        _ => {
            pic.eoi_primary();
            Irq::Real
        }
    }
}
// ANCHOR_END: acknowledge

/// The real PICs, on their I/O ports.
pub struct Pics {
    chained: ChainedPics,
    primary_command: Port<u8>,
    secondary_command: Port<u8>,
}

/// The 8259's non-specific end-of-interrupt command.
const EOI: u8 = 0x20;
/// The 8259's "read the In-Service Register next" command (OCW3).
const READ_ISR: u8 = 0x0b;

impl Pics {
    /// The PICs at their standard ports (0x20 and 0xa0), to be remapped to
    /// [`PIC_1_OFFSET`] and [`PIC_2_OFFSET`].
    pub const fn new() -> Pics {
        Pics {
            // SAFETY: the offsets put the PICs' vectors at 32..=47, clear of
            // the CPU's exceptions; nothing is written until `remap`.
            chained: unsafe { ChainedPics::new(PIC_1_OFFSET, PIC_2_OFFSET) },
            primary_command: Port::new(0x20),
            secondary_command: Port::new(0xa0),
        }
    }

    /// Which IRQ lines are masked (bit n set: IRQ n is off).
    pub fn masks(&mut self) -> u16 {
        // SAFETY: reading the PICs' data ports returns their mask registers
        // and has no other effect.
        let [primary, secondary] = unsafe { self.chained.read_masks() };
        u16::from_le_bytes([primary, secondary])
    }

    // ANCHOR: remap
    /// Initialises both PICs at the new offsets, then masks every line but
    /// IRQ 0 (the timer) and IRQ 2 (the line the secondary is chained to).
    pub fn remap(&mut self) {
        // SAFETY: this is the PICs' documented initialisation sequence, with
        // offsets that collide with no CPU exception; interrupts are off
        // while the kernel brings the machine up.
        unsafe {
            self.chained.initialize();
            self.chained.write_masks(0b1111_1010, 0b1111_1111);
        }
    }
    // ANCHOR_END: remap
}

impl Default for Pics {
    fn default() -> Self {
        Pics::new()
    }
}

impl Pic for Pics {
    fn in_service(&mut self) -> u16 {
        // SAFETY: OCW3 with "read ISR" makes the next read of the command
        // port return the In-Service Register; both are side-effect free.
        let (primary, secondary) = unsafe {
            self.primary_command.write(READ_ISR);
            self.secondary_command.write(READ_ISR);
            (self.primary_command.read(), self.secondary_command.read())
        };
        u16::from_le_bytes([primary, secondary])
    }

    fn eoi_primary(&mut self) {
        // SAFETY: a non-specific EOI ends the primary's current service; the
        // caller decided that is right.
        unsafe { self.primary_command.write(EOI) }
    }

    fn eoi_secondary(&mut self) {
        // SAFETY: as for the primary.
        unsafe { self.secondary_command.write(EOI) }
    }
}

// ANCHOR: with
/// The machine's PICs. Interrupt handlers lock this with interrupts off (the
/// CPU clears IF on entry); other code must do the same, through [`with`],
/// or a handler could interrupt it mid-lock and wait forever.
static PICS: spin::Mutex<Pics> = spin::Mutex::new(Pics::new());

/// Runs `f` on the PICs with interrupts disabled.
pub fn with<R>(f: impl FnOnce(&mut Pics) -> R) -> R {
    x86_64::instructions::interrupts::without_interrupts(|| f(&mut PICS.lock()))
}
// ANCHOR_END: with
