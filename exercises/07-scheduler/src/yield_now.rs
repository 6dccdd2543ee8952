//! [`yield_now`]: let the other tasks run, then carry on.
//!
//! A cooperative executor cannot take the CPU from a task: a task that
//! never returns `Pending` keeps it for ever. A long computation shares
//! the CPU by yielding now and then. Yielding is a future that, the first
//! time it is polled, wakes its own task and returns `Pending`: the task
//! goes to the back of the line, runnable, and is polled again in the
//! executor's next round, after every task that was runnable before it.
//! The second poll returns `Ready`. In the trace, a yield is a
//! `pending`, then a `wake` of the task by itself.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// A future that is pending once, having woken its task, then ready.
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future [`yield_now`] returns.
#[derive(Debug)]
#[must_use = "a yield does nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    // ANCHOR: poll
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // The first poll gives the CPU away but stays runnable: it wakes
        // its own task, through the waker in `cx`, and is pending. The
        // second is ready. `self.yielded` says which poll this is.
        let _ = (self.yielded, cx);
        todo!("be pending once, woken, then ready")
    }
    // ANCHOR_END: poll
}
