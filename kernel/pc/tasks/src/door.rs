//! The door: where an interrupt handler finds the running executor.
//!
//! An executor's [`Interrupts`] is how a handler tells it "interrupt N
//! is running now": the trace records an `irq N` event, and a task the
//! handler wakes is traced as woken by that interrupt. Handlers are plain
//! functions, so the `Interrupts` must be somewhere they can reach: here,
//! in a `static`, put there by [`open`] for as long as an executor runs.
//!
//! The handler takes the lock with `try_lock`, never spinning: the kernel
//! code that opens and closes the door does so with interrupts off, so on
//! one CPU the lock is never held when a handler runs. With the door
//! closed (no executor running), a handler just does its work.

use fledge_executor::Interrupts;
use x86_64::instructions::interrupts::without_interrupts;

static DOOR: spin::Mutex<Option<Interrupts>> = spin::Mutex::new(None);

/// Runs `work`, the body of the handler of interrupt `vector`, through the
/// open door (see [`Interrupts::handle`]), or as it is if none is open.
pub fn handle<R>(vector: u8, work: impl FnOnce() -> R) -> R {
    match DOOR.try_lock() {
        Some(door) => match door.as_ref() {
            Some(interrupts) => interrupts.handle(vector, work),
            None => work(),
        },
        None => work(),
    }
}

/// Opens the door to `interrupts`, one executor's, until the returned
/// [`Open`] is dropped.
pub fn open(interrupts: Interrupts) -> Open {
    let before = without_interrupts(|| DOOR.lock().replace(interrupts));
    drop(before);
    Open(())
}

/// The door is open while this lives.
#[must_use = "the door closes when this is dropped"]
#[derive(Debug)]
pub struct Open(());

impl Drop for Open {
    fn drop(&mut self) {
        // Taken out with interrupts off, dropped with them on again: the
        // drop may free memory.
        let interrupts = without_interrupts(|| DOOR.lock().take());
        drop(interrupts);
    }
}
