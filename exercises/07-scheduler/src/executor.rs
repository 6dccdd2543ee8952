//! [`Executor`]: the loop that polls runnable tasks, fires due timers, and
//! halts when there is nothing to do.
//!
//! One turn of the loop:
//!
//! ```text
//!   fire due timers      each: SleepFired, then its waker (Wake, by outside)
//!   take the woken       every task whose flag is set, in task order
//!   poll each once       PollStart ... PollEnd; a finished task is removed
//!   nothing woken?       idle: wait_unless(woken, or a deadline passed)
//! ```
//!
//! **Fair by rounds.** The tasks woken since the last look are polled once
//! each, in the order they were spawned, before any is polled again; a
//! task woken during the round (a yield wakes itself) waits for the next
//! one. So N tasks that keep yielding are polled in turn, and their poll
//! counts never differ by more than one. The price: finding the woken
//! tasks means looking at every task, which is fine for tens of tasks.
//! (Embassy's executor keeps the woken tasks on a lock-free list instead.)
//!
//! **No lost wake-up.** The idle path hands [`Idle::wait_unless`] the
//! question "was anything woken, or has the next deadline passed?". It
//! runs with interrupts off, and the wait lets them in at the instant it
//! begins, so an interrupt handler's wake that comes after the question
//! still ends the halt. The timer interrupt needs no hook into the
//! executor: its tick moves the clock and ends the halt, and the loop then
//! finds the due timers itself.

use alloc::rc::Rc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;
use core::future::Future;
use core::sync::atomic::Ordering;
use core::task::{Context, Poll};

use fledge_api::{Clock, Event, Idle, Outcome, TaskId, Trace};

use crate::handle::Handle;
use crate::interrupts::Interrupts;
use crate::join::JoinHandle;
use crate::shared::{Core, State};
use crate::timers::Timers;
use crate::waker::Signals;

/// A cooperative executor on one CPU, over a clock, an idle and a trace.
pub struct Executor<'a> {
    core: Rc<Core<'a>>,
    idle: &'a dyn Idle,
}

impl<'a> Executor<'a> {
    /// An executor with no tasks, whose sleeps read `clock`, which waits
    /// on `idle`, and records into `trace` (its wakers may outlive it, so
    /// the trace is `'static`: a `static` ring, or `&NoTrace`).
    pub fn new(clock: &'a dyn Clock, idle: &'a dyn Idle, trace: &'static (dyn Trace + Sync)) -> Executor<'a> {
        let state = State { tasks: Default::default(), next_task: 0, timers: Timers::default() };
        let core = Core { clock, signals: Arc::new(Signals::new(trace)), state: RefCell::new(state) };
        Executor { core: Rc::new(core), idle }
    }

    /// A handle for tasks to spawn and sleep with.
    pub fn handle(&self) -> Handle<'a> {
        Handle { core: Rc::clone(&self.core) }
    }

    /// The door for interrupt handlers (see [`Interrupts`]).
    pub fn interrupts(&self) -> Interrupts {
        Interrupts { signals: Arc::clone(&self.core.signals) }
    }

    /// Makes `future` a task called `name`, runnable at once.
    pub fn spawn<T: 'a>(&self, name: &'static str, future: impl Future<Output = T> + 'a) -> JoinHandle<T> {
        self.core.spawn(name, future)
    }

    /// How many tasks have not finished.
    pub fn tasks(&self) -> usize {
        self.core.state.borrow().tasks.len()
    }

    /// Polls until no task is runnable and no timer is due, without ever
    /// waiting. Returns how many polls it made. (Tests that move a fake
    /// clock themselves call this between moves.)
    // ANCHOR: run_ready
    pub fn run_ready(&mut self) -> u64 {
        // Rounds, until one finds nobody to poll. A round: wake the tasks
        // whose sleeps are due (`fire_timers`), take the tasks woken since
        // the last look (`take_woken`), and poll each of them once
        // (`poll`). A task woken during the round waits for the next one.
        // Count the polls.
        let _ = (Self::fire_timers, Self::take_woken, Self::poll);
        todo!("poll the woken tasks in rounds")
    }
    // ANCHOR_END: run_ready

    /// Runs until every task has finished, idling when none can run.
    pub fn run(&mut self) {
        self.run_while(|core| !core.state.borrow().tasks.is_empty());
    }

    /// Spawns `future` as a task called `name` and runs until it has
    /// finished (other tasks may still be left); returns its output.
    pub fn block_on<T: 'a>(&mut self, name: &'static str, future: impl Future<Output = T> + 'a) -> T {
        let mut handle = self.spawn(name, future);
        self.run_while(|_| !handle.is_finished());
        handle.try_take().expect("a finished task's output, not taken by anyone else")
    }

    fn run_while(&mut self, mut go_on: impl FnMut(&Core<'a>) -> bool) {
        loop {
            self.run_ready();
            if !go_on(&self.core) {
                return;
            }
            self.idle_once();
        }
    }

    // ANCHOR: idle
    /// Waits, unless a task was woken or the next deadline has passed: the
    /// check runs with wake-ups held off, so none is lost before the halt.
    fn idle_once(&self) {
        // Nothing is runnable now. Wait on `self.idle` until something may
        // be: a task was woken (the signals' `any` flag), or the earliest
        // deadline of the timer queue has passed on the clock. The idle's
        // `wait_unless` runs that question for you with wake-ups held off,
        // and waits only if the answer is no: ask it there, never before.
        // The trace must show the wait: `Event::IdleEnter` when the answer
        // is no, `Event::IdleLeave` once the wait is over.
        let _ = self.idle;
        todo!("wait, unless a task was woken or a deadline passed")
    }
    // ANCHOR_END: idle

    /// Wakes the tasks whose deadlines have passed, earliest first.
    fn fire_timers(&self) {
        let now = self.core.clock.now();
        loop {
            let due = self.core.state.borrow_mut().timers.pop_due(now);
            let Some(timer) = due else { return };
            if let Some(task) = timer.task {
                self.core.signals.trace.record(Event::SleepFired { task });
            }
            timer.waker.wake();
        }
    }

    /// The tasks woken since the last look, in task order, their flags
    /// cleared.
    // ANCHOR: take_woken
    fn take_woken(&self) -> Vec<u32> {
        // The run queue is the tasks' flags: the signals' `any` says some
        // task was woken since the last look, each task's `flags.woken`
        // that it was. Clear each flag you read as you read it (a wake
        // that comes just after must not be lost), and list the woken
        // tasks' numbers in the order of `state.tasks`.
        todo!("take the woken tasks, in task order")
    }
    // ANCHOR_END: take_woken

    // ANCHOR: poll
    /// Polls task `number` once; removes it if it finished.
    fn poll(&self, number: u32) {
        let taken = {
            let mut state = self.core.state.borrow_mut();
            state.tasks.get_mut(&number).and_then(|task| Some((task.future.take()?, task.waker.clone())))
        };
        let Some((mut future, waker)) = taken else { return };
        let (signals, task) = (&self.core.signals, TaskId(number));
        signals.set_current(Some(task));
        signals.trace.record(Event::PollStart { task });
        let poll = future.as_mut().poll(&mut Context::from_waker(&waker));
        let outcome = if poll.is_ready() { Outcome::Ready } else { Outcome::Pending };
        signals.trace.record(Event::PollEnd { task, outcome });
        signals.set_current(None);
        let mut state = self.core.state.borrow_mut();
        match poll {
            Poll::Pending => {
                if let Some(entry) = state.tasks.get_mut(&number) {
                    entry.future = Some(future);
                }
            }
            Poll::Ready(()) => {
                let finished = state.tasks.remove(&number);
                drop(state);
                if let Some(finished) = &finished {
                    finished.flags.finished.store(true, Ordering::Release);
                }
                // Dropped with the state unborrowed: a future's drop may
                // cancel a sleep, which borrows it.
                drop((finished, future));
            }
        }
    }
    // ANCHOR_END: poll
}

impl Drop for Executor<'_> {
    /// Drops the tasks left, which also breaks the cycle of tasks holding
    /// handles to the core that holds them.
    fn drop(&mut self) {
        let tasks = core::mem::take(&mut self.core.state.borrow_mut().tasks);
        drop(tasks);
        let timers = core::mem::take(&mut self.core.state.borrow_mut().timers);
        drop(timers);
    }
}

impl fmt::Debug for Executor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor").field("tasks", &self.tasks()).finish_non_exhaustive()
    }
}
