//! A kernel whose second test takes a spin lock it already holds: the
//! grader must stop it at the deadline and call it a deadlock, naming the
//! function that locked the second time and its caller, which held the
//! lock.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

/// A count behind a spin lock.
static EVENTS: spin::Mutex<u64> = spin::Mutex::new(0);

/// Counts one event.
#[inline(never)]
fn record() {
    *EVENTS.lock() += 1;
}

/// Holds the lock while it calls `record`, which takes it again.
#[inline(never)]
fn record_while_holding() {
    let _held = EVENTS.lock();
    record();
}

fn fine() {}

fn deadlocks() {
    record_while_holding();
}

fn never_reached() {}

static CASES: &[Case] = fledge_boot::cases![fine, deadlocks, never_reached];

fledge_boot::test_kernel!(CASES);
