//! Sleeping: waiting for time to pass without spinning.
//!
//! `sleep` is written against two traits, [`Clock`] and [`Idle`], and knows
//! nothing of PITs or `hlt`. On the machine it halts between timer ticks;
//! in the host tests a fake idle advances a fake clock, and a hundred
//! milliseconds of sleep take no time at all.

use core::time::Duration;

use fledge_api::{Clock, Idle};

// ANCHOR: halt
/// The machine's way to wait: `hlt` until the next interrupt.
#[derive(Clone, Copy, Debug, Default)]
pub struct Halt;

impl Idle for Halt {
    fn wait_for_interrupt(&self) {
        if x86_64::instructions::interrupts::are_enabled() {
            x86_64::instructions::hlt();
        } else {
            // `sti; hlt` as one step: an interrupt that arrives between the
            // two still ends the halt (`sti` takes effect one instruction
            // late), so the wake-up cannot be lost.
            x86_64::instructions::interrupts::enable_and_hlt();
            x86_64::instructions::interrupts::disable();
        }
    }
}
// ANCHOR_END: halt

// ANCHOR: sleep
/// Returns once `clock` shows that at least `duration` has passed since the
/// call, calling `idle.wait_for_interrupt()` between readings. A zero
/// duration returns at once, without waiting.
pub fn sleep(clock: &impl Clock, idle: &impl Idle, duration: Duration) {
    let start = clock.now();
    while clock.now().saturating_duration_since(start) < duration {
        idle.wait_for_interrupt();
    }
}
// ANCHOR_END: sleep
