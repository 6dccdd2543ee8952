//! What the executor and its handles share: the clock, the signals the
//! wakers set, and the tasks and timers, which only the executor's own
//! thread touches.
//!
//! ```text
//!   Executor ──┐                 ┌── Handle (in tasks: spawn, sleep)
//!              └──> Rc<Core> <───┘
//!                    ├─ clock
//!                    ├─ signals: Arc<Signals> <── every TaskWaker (atomics,
//!                    │                            any thread or handler)
//!                    └─ state: RefCell<State>
//!                        ├─ tasks: number -> Task { name, future, waker }
//!                        └─ timers
//! ```
//!
//! The `RefCell` is borrowed only for short moves in and out, never across
//! a poll: a task's future is taken out of its `Task` while it is polled,
//! so that the task can spawn, sleep, or drop a sleep, all of which borrow
//! the state again.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use alloc::sync::Arc;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::Waker;

use fledge_api::{Clock, Event, TaskId};

use crate::join::{JoinHandle, JoinSlot};
use crate::timers::Timers;
use crate::waker::{Signals, TaskWaker};

/// A task's future, boxed: tasks of every output type live in one map.
pub(crate) type BoxedTask<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

pub(crate) struct Task<'a> {
    pub name: &'static str,
    /// `None` while it is being polled.
    pub future: Option<BoxedTask<'a>>,
    pub flags: Arc<TaskWaker>,
    /// `flags` as a `core::task::Waker`, made once.
    pub waker: Waker,
}

pub(crate) struct State<'a> {
    /// The tasks not finished, by number: iterated in that order, which is
    /// the order they were spawned in.
    pub tasks: BTreeMap<u32, Task<'a>>,
    pub next_task: u32,
    pub timers: Timers,
}

pub(crate) struct Core<'a> {
    pub clock: &'a dyn Clock,
    pub signals: Arc<Signals>,
    pub state: RefCell<State<'a>>,
}

impl<'a> Core<'a> {
    // ANCHOR: spawn
    /// Makes `future` a task called `name`, runnable at once.
    pub fn spawn<T: 'a>(&self, name: &'static str, future: impl Future<Output = T> + 'a) -> JoinHandle<T> {
        let slot = Rc::new(RefCell::new(JoinSlot::new()));
        let theirs = Rc::clone(&slot);
        let task = async move { JoinSlot::finish(&theirs, future.await) };
        let mut state = self.state.borrow_mut();
        let id = TaskId(state.next_task);
        state.next_task = state.next_task.checked_add(1).expect("task numbers run out after 4 billion tasks");
        self.signals.trace.record(Event::Spawn { task: id, name });
        let flags = Arc::new(TaskWaker {
            task: id,
            woken: AtomicBool::new(true),
            finished: AtomicBool::new(false),
            signals: Arc::clone(&self.signals),
        });
        let waker = Waker::from(Arc::clone(&flags));
        state.tasks.insert(id.0, Task { name, future: Some(Box::pin(task)), flags, waker });
        self.signals.any.store(true, Ordering::Release);
        JoinHandle::new(slot, id)
    }
    // ANCHOR_END: spawn
}
