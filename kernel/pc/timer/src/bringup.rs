//! Bringing the timer up, in the right order.
//!
//! Four steps: load the IDT, remap the PICs, program the PIT, enable
//! interrupts. The order matters in one way: interrupts must come last.
//! The moment the CPU's interrupt flag is set, any pending IRQ is
//! delivered; if the IDT has no entry for its vector, or the PICs still
//! send the timer to vector 8, that is a double fault, then a triple fault,
//! and the machine resets.
//!
//! The steps are a trait, [`Platform`], so that the host tests can record
//! the order [`start`] calls them in; [`Machine`] is the real one.

use core::time::Duration;

use crate::pit::{self, PitError};
use crate::{idt, pic};

// ANCHOR: platform
/// The steps of bringing the timer up.
pub trait Platform {
    /// Loads an IDT with the timer's and the spurious lines' entries.
    fn load_idt(&mut self);
    /// Remaps the PICs to vectors 32..=47 and unmasks the timer.
    fn remap_pics(&mut self);
    /// Programs the PIT for `hz` interrupts a second; returns the period.
    fn program_pit(&mut self, hz: u32) -> Result<Duration, PitError>;
    /// Sets the CPU's interrupt flag.
    fn enable_interrupts(&mut self);
}
// ANCHOR_END: platform

// ANCHOR: start
/// Brings the timer up at `hz` and returns its period. Interrupts are
/// enabled last, and not at all if the PIT cannot run at `hz`.
pub fn start(platform: &mut impl Platform, hz: u32) -> Result<Duration, PitError> {
    platform.load_idt();
    platform.remap_pics();
    let period = platform.program_pit(hz)?;
    platform.enable_interrupts();
    Ok(period)
}
// ANCHOR_END: start

/// The real machine.
#[derive(Debug, Default)]
pub struct Machine;

impl Platform for Machine {
    fn load_idt(&mut self) {
        idt::load();
    }

    fn remap_pics(&mut self) {
        pic::with(|pics| pics.remap());
    }

    fn program_pit(&mut self, hz: u32) -> Result<Duration, PitError> {
        pit::program(hz)
    }

    fn enable_interrupts(&mut self) {
        x86_64::instructions::interrupts::enable();
    }
}

// ANCHOR: init
/// The rate the kernel tests run the timer at.
pub const HZ: u32 = 100;

static STARTED: spin::Once<Duration> = spin::Once::new();

/// Starts the timer at [`HZ`] once, and returns its period.
pub fn init() -> Duration {
    *STARTED.call_once(|| match start(&mut Machine, HZ) {
        Ok(period) => period,
        Err(error) => panic!("{error}"),
    })
}
// ANCHOR_END: init
