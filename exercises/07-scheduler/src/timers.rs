//! The timer queue: which task's waker to call when the clock reaches
//! which deadline.
//!
//! A sorted map from `(deadline, number)` to the waker; the number, taken
//! from a counter, keeps two equal deadlines apart and fires them in the
//! order they were armed. The executor looks at the front after every
//! round of polls and before it halts. Nothing here runs in an interrupt
//! handler: the timer interrupt only moves the clock and ends the halt
//! (see [`Executor`](crate::Executor)).

use alloc::collections::BTreeMap;
use core::task::Waker;

use fledge_api::{Instant, TaskId};

/// A timer's place in the queue, to change or cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    deadline: Instant,
    number: u64,
}

/// An armed timer.
pub(crate) struct Timer {
    pub task: Option<TaskId>,
    pub waker: Waker,
}

#[derive(Default)]
pub(crate) struct Timers {
    queue: BTreeMap<Key, Timer>,
    armed: u64,
}

impl Timers {
    pub fn arm(&mut self, deadline: Instant, timer: Timer) -> Key {
        let key = Key { deadline, number: self.armed };
        self.armed += 1;
        self.queue.insert(key, timer);
        key
    }

    /// Gives `key`'s timer a new waker (its future moved to another task,
    /// or was polled with another context); false if it has fired.
    pub fn rewake(&mut self, key: Key, waker: &Waker) -> bool {
        match self.queue.get_mut(&key) {
            Some(timer) => {
                if !timer.waker.will_wake(waker) {
                    timer.waker = waker.clone();
                }
                true
            }
            None => false,
        }
    }

    pub fn cancel(&mut self, key: Key) -> Option<Timer> {
        self.queue.remove(&key)
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.queue.first_key_value().map(|(key, _)| key.deadline)
    }

    /// Takes the earliest timer if its deadline is at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<Timer> {
        if self.next()? <= now { self.queue.pop_first().map(|(_, timer)| timer) } else { None }
    }
}
