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

use fledge_api::{Event, Instant};

use crate::shared::Core;
use crate::timers::{Key, Timer};

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
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let now = this.core.clock.now();
        let mut state = this.core.state.borrow_mut();
        if now >= this.deadline {
            if let Some(key) = this.armed.take() {
                state.timers.cancel(key);
            }
            return Poll::Ready(());
        }
        let still_armed = this.armed.is_some_and(|key| state.timers.rewake(key, cx.waker()));
        if !still_armed {
            let task = this.core.signals.current();
            this.armed = Some(state.timers.arm(this.deadline, Timer { task, waker: cx.waker().clone() }));
            if let Some(task) = task {
                let after = this.deadline.saturating_duration_since(now);
                this.core.signals.trace.record(Event::SleepArmed { task, deadline: this.deadline, after });
            }
        }
        Poll::Pending
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
