//! [`JoinHandle`]: a task's output, for whoever spawned it.
//!
//! A join handle is a future: awaiting it waits for the task to finish and
//! returns what the task's future returned. The task and its handle share
//! a slot; the task puts its output there and wakes whoever waits.
//!
//! **Dropping a handle detaches the task; it does not cancel it.** The task
//! runs on to its end, and its output is dropped when it is ready, since
//! nobody can take it any more. This executor has no way to cancel a
//! task: a future dropped half-way may leave a device or a lock in a state
//! its author never planned for, and the trace would show a task that
//! simply stops. (Tokio's `JoinHandle` detaches on drop the same way, and
//! cancels only through an explicit `abort`.)

use alloc::rc::Rc;
use core::cell::RefCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use fledge_api::TaskId;

/// What a task and its handle share.
pub(crate) struct JoinSlot<T> {
    output: Option<T>,
    finished: bool,
    /// Who awaits the handle.
    waiter: Option<Waker>,
}

impl<T> JoinSlot<T> {
    pub fn new() -> JoinSlot<T> {
        JoinSlot { output: None, finished: false, waiter: None }
    }

    /// The task's last act: keeps `output` if a handle is left to take it,
    /// and wakes whoever waits.
    pub fn finish(slot: &Rc<RefCell<JoinSlot<T>>>, output: T) {
        let detached = Rc::strong_count(slot) == 1;
        let waiter = {
            let mut slot = slot.borrow_mut();
            slot.finished = true;
            if !detached {
                slot.output = Some(output);
            }
            slot.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

/// The output of a spawned task, when it is finished. Await it, or look
/// with [`is_finished`](JoinHandle::is_finished) and
/// [`try_take`](JoinHandle::try_take). Dropping it detaches the task (see
/// the [module documentation](self)).
#[must_use = "dropping a JoinHandle detaches its task: it runs on, and its output is dropped"]
pub struct JoinHandle<T> {
    slot: Rc<RefCell<JoinSlot<T>>>,
    task: TaskId,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(slot: Rc<RefCell<JoinSlot<T>>>, task: TaskId) -> JoinHandle<T> {
        JoinHandle { slot, task }
    }

    /// The task's number, as the trace shows it.
    pub fn task(&self) -> TaskId {
        self.task
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.slot.borrow().finished
    }

    /// The task's output, if it has finished and the output was not taken
    /// yet.
    pub fn try_take(&mut self) -> Option<T> {
        self.slot.borrow_mut().output.take()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    /// Ready with the output once the task has finished.
    ///
    /// # Panics
    ///
    /// If polled again after it was ready (or after `try_take` took the
    /// output): there is nothing left to return.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self.slot.borrow_mut();
        if let Some(output) = slot.output.take() {
            return Poll::Ready(output);
        }
        assert!(!slot.finished, "the JoinHandle of task {} was polled after its output was taken", self.task.0);
        slot.waiter = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("task", &self.task.0).field("finished", &self.is_finished()).finish()
    }
}
