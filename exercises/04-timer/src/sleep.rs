//! Sleeping: waiting for time to pass without spinning.
//!
//! `sleep` is written against two traits, [`Clock`] and [`Idle`], and knows
//! nothing of PITs or `hlt`. On the machine it halts between timer ticks;
//! in the host tests a fake idle advances a fake clock, and a hundred
//! milliseconds of sleep take no time at all.

use core::time::Duration;

use fledge_api::{Clock, Idle};

// ANCHOR: halt
/// The machine's way to wait: `hlt` until the next interrupt, with the check
/// run while interrupts are off so that no wake-up is lost.
#[derive(Clone, Copy, Debug, Default)]
pub struct Halt;

impl Idle for Halt {
    fn wait_unless(&self, ready: &mut dyn FnMut() -> bool) -> bool {
        use x86_64::instructions::interrupts;

        let was_enabled = interrupts::are_enabled();
        // The check runs with interrupts off: one that arrives now stays
        // pending in the interrupt controller instead of being handled
        // between the check and the halt.
        interrupts::disable();
        let is_ready = ready();
        if !is_ready {
            // `sti; hlt` as one step: `sti` takes effect one instruction
            // late, so an interrupt pending since the check is taken only
            // once the CPU halts, and ends the halt at once.
            interrupts::enable_and_hlt();
            interrupts::disable();
        }
        if was_enabled {
            interrupts::enable();
        }
        is_ready
    }
}
// ANCHOR_END: halt

// ANCHOR: sleep
/// Returns once `clock` shows that at least `duration` has passed since the
/// call, waiting on `idle` between readings. Each reading is `idle`'s
/// check, made with wake-ups held off ([`Idle::wait_unless`]), so a tick
/// that arrives just after it still ends the wait. A zero duration returns
/// at once, without waiting.
pub fn sleep(clock: &impl Clock, idle: &impl Idle, duration: Duration) {
    // Read the clock once at the start. Then wait until at least `duration`
    // has passed since then, and let `idle` do each check of the clock, so
    // that the check and the wait cannot be split by a tick (the `Idle`
    // trait's docs explain the race).
    let _ = (clock, idle, duration);
    todo!("sleep without spinning")
}
// ANCHOR_END: sleep
