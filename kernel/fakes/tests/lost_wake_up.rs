//! The lost wake-up, shown both ways.
//!
//! A caller waits for a device that finishes once: its one interrupt runs a
//! handler that sets `done`. The test makes that interrupt arrive at the
//! worst moment, just after the caller's check has read `done` and before
//! the wait. Checking first and then calling `wait_for_interrupt` halts
//! for ever (the fake panics with "lost wake-up" instead); handing the
//! check to `wait_unless` returns.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use fledge_api::Idle;
use fledge_fakes::SimulatedInterrupts;

/// How a caller waits until `ready` says yes.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// `while !ready() { idle.wait_for_interrupt() }`
    CheckThenWait,
    /// `while !idle.wait_unless(&mut ready) {}`
    WaitUnless,
}

/// Waits for a device whose only interrupt arrives right after the first
/// check. Returns how many checks it took.
fn wait_for_the_device(form: Form) -> usize {
    let done = Cell::new(false);
    let cpu = SimulatedInterrupts::new(|| done.set(true));
    let checks = Cell::new(0);
    let mut ready = || {
        let seen = done.get();
        checks.set(checks.get() + 1);
        if checks.get() == 1 {
            // The device finishes now: after the check, before the wait.
            cpu.raise();
        }
        seen
    };
    match form {
        Form::CheckThenWait => {
            while !ready() {
                cpu.wait_for_interrupt();
            }
        }
        Form::WaitUnless => while !cpu.wait_unless(&mut ready) {},
    }
    assert!(done.get());
    assert_eq!(cpu.taken(), 1, "the device interrupts once");
    checks.get()
}

#[test]
fn checking_then_waiting_loses_the_wake_up() {
    let outcome = catch_unwind(AssertUnwindSafe(|| wait_for_the_device(Form::CheckThenWait)));
    let payload = outcome.expect_err("the old form must halt for ever (the fake panics instead)");
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(message.contains("lost wake-up"), "panicked, but not with a lost wake-up: {message}");
}

#[test]
fn waiting_unless_ready_loses_nothing() {
    let checks = catch_unwind(AssertUnwindSafe(|| wait_for_the_device(Form::WaitUnless)))
        .expect("wait_unless must return: the pending interrupt ends the halt");
    assert_eq!(checks, 2, "one check before the halt, one after the interrupt ended it");
}
