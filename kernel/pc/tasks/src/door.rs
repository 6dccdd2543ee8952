//! The door: where an interrupt handler finds the running executor.
//!
//! An executor's [`Interrupts`] is how a handler tells it "interrupt N
//! is running now": the trace records an `irq N` event, and a task the
//! handler wakes is traced as woken by that interrupt. Handlers are plain
//! functions, so the executor's door must be somewhere they can reach:
//! here, in a `static`, put there by [`open`] for as long as an executor
//! runs.
//!
//! What is kept is a [`Door`], a trait, not `fledge_executor`'s type: a
//! kernel may run another executor with the same handlers, as exercise
//! 07's does with the learner's (whose `Interrupts` its kernel wraps in a
//! `Door` of its own).
//!
//! The handler takes the lock with `try_lock`, never spinning: the kernel
//! code that opens and closes the door does so with interrupts off, so on
//! one CPU the lock is never held when a handler runs. With the door
//! closed (no executor running), a handler just does its work.

use alloc::boxed::Box;

use fledge_executor::Interrupts;
use x86_64::instructions::interrupts::without_interrupts;

/// An executor's door for interrupt handlers.
pub trait Door: Send {
    /// Records that the interrupt with `vector` was taken, and runs `work`
    /// once, with the wakes it makes traced as by that interrupt. Called
    /// in an interrupt handler: no lock, no allocation.
    fn handle(&self, vector: u8, work: &mut dyn FnMut());
}

impl Door for Interrupts {
    fn handle(&self, vector: u8, work: &mut dyn FnMut()) {
        Interrupts::handle(self, vector, work)
    }
}

static DOOR: spin::Mutex<Option<Box<dyn Door>>> = spin::Mutex::new(None);

/// Runs `work`, the body of the handler of interrupt `vector`, through the
/// open door (see [`Door::handle`]), or as it is if none is open. The work
/// runs once, even through a door that forgot to run it.
pub fn handle(vector: u8, work: impl FnOnce()) {
    let mut work = Some(work);
    if let Some(door) = DOOR.try_lock()
        && let Some(door) = door.as_deref()
    {
        door.handle(vector, &mut || {
            if let Some(work) = work.take() {
                work()
            }
        });
    }
    if let Some(work) = work.take() {
        work()
    }
}

/// Opens the door to `door`, one executor's (`executor.interrupts()` for
/// `fledge_executor`'s), until the returned [`Open`] is dropped.
pub fn open(door: impl Door + 'static) -> Open {
    let door: Box<dyn Door> = Box::new(door);
    let before = without_interrupts(|| DOOR.lock().replace(door));
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
        let door = without_interrupts(|| DOOR.lock().take());
        drop(door);
    }
}
