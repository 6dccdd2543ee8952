//! [`Sleep`]: a future that is ready once the clock reaches a deadline.
//!
//! The first poll before the deadline arms a timer in the executor's
//! queue, with the polling task's waker, and records `SleepArmed`. The
//! executor fires the timer when its clock reaches the deadline (recording
//! `SleepFired`) by waking the task, whose next poll finds the deadline
//! passed and returns `Ready`.
//!
//! Never early: `Ready` is decided by the sleep itself, from the clock,
//! not from having been woken, so a stray wake-up just polls it again to
//! `Pending`. Dropping a sleep before its deadline cancels its timer.

use alloc::rc::Rc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use fledge_api::Instant;

use crate::shared::Core;
use crate::timers::{Key, Timers};
// What your `poll` needs.
#[allow(unused_imports)]
use {crate::timers::Timer, fledge_api::Event};

/// The future of [`Handle::sleep`](crate::Handle::sleep) and
/// [`Handle::sleep_until`](crate::Handle::sleep_until).
#[must_use = "a sleep does nothing unless awaited"]
pub struct Sleep<'a> {
    core: Rc<Core<'a>>,
    deadline: Instant,
    armed: Option<Key>,
}

impl<'a> Sleep<'a> {
    pub(crate) fn new(core: Rc<Core<'a>>, deadline: Instant) -> Sleep<'a> {
        Sleep { core, deadline, armed: None }
    }

    /// When it will be ready.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep<'_> {
    type Output = ();

    // ANCHOR: poll
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Ready once the executor's clock reads the deadline or later,
        // whoever woke the task: decide from the clock, never from the
        // wake. Before that, make sure the timer queue
        // (`self.core.state`'s `timers`) holds a timer with this task's
        // waker for the deadline, and only one: arm it on the first poll
        // (and trace `Event::SleepArmed` for the task being polled),
        // refresh its waker on the later ones. Once ready, cancel a timer
        // still armed.
        let _ = (self, cx, Timers::arm, Timers::rewake);
        todo!("be ready at the deadline, with a timer armed until then")
    }
    // ANCHOR_END: poll
}

impl Drop for Sleep<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.armed.take()
            && let Ok(mut state) = self.core.state.try_borrow_mut()
        {
            state.timers.cancel(key);
        }
    }
}

impl fmt::Debug for Sleep<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep").field("deadline", &self.deadline).field("armed", &self.armed.is_some()).finish()
    }
}
