//! Waking a task: what a `Waker` of this executor does, and how it knows
//! who called it.
//!
//! A waker may be called from anywhere: from a task, from an interrupt
//! handler, from another thread of a hosted program. So it touches nothing
//! but atomics: it sets its task's `woken` flag and the executor's `any`
//! flag, which the executor reads before it decides to halt. It allocates
//! nothing and takes no lock, so an interrupt handler that wakes a task
//! cannot deadlock with the code it interrupted.
//!
//! ```text
//!   waker.wake()                      executor
//!   ------------                      --------
//!   record Wake { task, by }          any? ── yes ──> for each task:
//!   task.woken = true                                   woken? then poll it
//!   any = true                                 └─ no ──> halt (wait_unless)
//! ```
//!
//! *By whom* is read from `Signals`, which the executor keeps up to date:
//! the vector of the interrupt being handled, if an interrupt handler
//! entered through [`Interrupts::handle`](crate::Interrupts::handle) is
//! running; otherwise the task being polled, if any; otherwise nobody
//! ("outside"). On one CPU
//! that is exact. A hosted program's other threads are seen as whatever
//! the executor's thread is doing at the time, so their wakes may be
//! named after the task being polled.

use alloc::sync::Arc;
use alloc::task::Wake;
use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, Ordering};

use fledge_api::{TaskId, Trace, WokenBy};
// What your `wake_by_ref` needs.
#[allow(unused_imports)]
use fledge_api::Event;

/// `current` when no task is being polled.
const NOBODY: u32 = u32::MAX;

/// What wakers and the executor share: atomics only.
pub(crate) struct Signals {
    /// Some task was woken since the executor last looked.
    pub any: AtomicBool,
    /// The task being polled, or [`NOBODY`].
    current: AtomicU32,
    /// The vector of the interrupt being handled, plus one; 0 if none.
    interrupt: AtomicU16,
    pub trace: &'static (dyn Trace + Sync),
}

impl Signals {
    pub fn new(trace: &'static (dyn Trace + Sync)) -> Signals {
        Signals { any: AtomicBool::new(false), current: AtomicU32::new(NOBODY), interrupt: AtomicU16::new(0), trace }
    }

    /// Who is running now, as a waker.
    pub fn waker(&self) -> WokenBy {
        match self.interrupt.load(Ordering::Acquire) {
            0 => match self.current.load(Ordering::Acquire) {
                NOBODY => WokenBy::Outside,
                task => WokenBy::Task(TaskId(task)),
            },
            vector => WokenBy::Interrupt((vector - 1) as u8),
        }
    }

    /// The task being polled.
    pub fn current(&self) -> Option<TaskId> {
        match self.current.load(Ordering::Acquire) {
            NOBODY => None,
            task => Some(TaskId(task)),
        }
    }

    pub fn set_current(&self, task: Option<TaskId>) {
        self.current.store(task.map_or(NOBODY, |t| t.0), Ordering::Release);
    }

    /// Marks an interrupt with `vector` as being handled; returns what to
    /// restore after it (an interrupt may interrupt another's handler).
    pub fn enter_interrupt(&self, vector: u8) -> u16 {
        self.interrupt.swap(u16::from(vector) + 1, Ordering::AcqRel)
    }

    pub fn leave_interrupt(&self, before: u16) {
        self.interrupt.store(before, Ordering::Release);
    }
}

/// One task's waker.
pub(crate) struct TaskWaker {
    pub task: TaskId,
    /// Woken since it was last taken off for a poll.
    pub woken: AtomicBool,
    /// The task has finished: waking it does nothing.
    pub finished: AtomicBool,
    pub signals: Arc<Signals>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    // ANCHOR: wake
    fn wake_by_ref(self: &Arc<Self>) {
        // Make the task runnable: its `woken` flag, and the executor's
        // `any` flag, which the executor reads before it halts. Atomics
        // only: this may run in an interrupt handler.
        // - A finished task's waker may still be held by someone: waking
        //   it does nothing at all.
        // - Trace the wake (`Event::Wake`, by `self.signals.waker()`), but
        //   only the one that makes the task runnable, and before the
        //   flags are set.
        let _ = (&self.task, &self.woken, &self.signals, Signals::waker);
        todo!("mark the task woken, and tell the executor")
    }
    // ANCHOR_END: wake
}
