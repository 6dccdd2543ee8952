//! [`Handle`]: what a task holds to reach its executor: spawn more tasks,
//! sleep, read the clock.
//!
//! A task cannot hold the [`Executor`](crate::Executor) itself (the
//! executor is busy polling it), so it holds a handle, a cheap clone of a
//! reference to the executor's shared core. Handles are not `Send`: the
//! executor and its tasks live on one thread (one CPU); only wakers cross
//! to other threads and to interrupt handlers.

use alloc::rc::Rc;
use core::fmt;
use core::future::Future;
use core::time::Duration;

use fledge_api::{Instant, TaskId};

use crate::join::JoinHandle;
use crate::shared::Core;
use crate::sleep::Sleep;

/// A task's way to its executor.
#[derive(Clone)]
pub struct Handle<'a> {
    pub(crate) core: Rc<Core<'a>>,
}

impl<'a> Handle<'a> {
    /// Makes `future` a task called `name` (the trace shows the name),
    /// runnable at once. A task spawned after the executor was dropped is
    /// never run.
    pub fn spawn<T: 'a>(&self, name: &'static str, future: impl Future<Output = T> + 'a) -> JoinHandle<T> {
        self.core.spawn(name, future)
    }

    /// A future ready once `duration` has passed from now, on the
    /// executor's clock: never early, however coarse the clock, and at
    /// most one step of its resolution late.
    pub fn sleep(&self, duration: Duration) -> Sleep<'a> {
        // A clock's reading lags the true time by up to one step of its
        // resolution (a PIT clock reads the last tick), so `now + duration`
        // could end up to one step early by a finer clock such as the TSC.
        // One step more makes the sleep never early, and at most one step late.
        let wait = duration.saturating_add(self.core.clock.resolution());
        let deadline = self.now().checked_add(wait).unwrap_or(Instant::from_since_start(Duration::MAX));
        self.sleep_until(deadline)
    }

    /// A future ready once the executor's clock reads `deadline` or later.
    pub fn sleep_until(&self, deadline: Instant) -> Sleep<'a> {
        Sleep::new(Rc::clone(&self.core), deadline)
    }

    /// The executor's clock's time.
    pub fn now(&self) -> Instant {
        self.core.clock.now()
    }

    /// The task being polled, with its name: for a panic report that says
    /// which task panicked.
    pub fn current(&self) -> Option<(TaskId, &'static str)> {
        let task = self.core.signals.current()?;
        let state = self.core.state.try_borrow().ok()?;
        state.tasks.get(&task.0).map(|t| (task, t.name))
    }
}

impl fmt::Debug for Handle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}
