//! Tracing: the [`Trace`] trait and the [`Event`]s a scheduler records.
//!
//! A scheduler makes thousands of decisions a second, and a bug in one (a
//! task never polled again, a wake-up that came and went while the CPU
//! halted) leaves no mark in the program's output. So the scheduler writes
//! each decision down, as it makes it, in a trace: a list of timestamped
//! events that is read afterwards, on the host, by a person or by the
//! grader. Linux has `ftrace` for the same reason.
//!
//! The events are about *tasks* (the futures an executor runs, each with a
//! number and a name), the CPU's *idle* time, and *interrupts*:
//!
//! ```text
//!  tsc    event                          meaning
//!  ----   -----                          -------
//!   100   Spawn { task 0, "blink" }      a task exists from now on
//!   120   PollStart { task 0 }           the executor calls its poll
//!   180   PollEnd { task 0, Pending }    ... which returned
//!   185   SleepArmed { task 0, .. }      it asked to be woken at a deadline
//!   190   IdleEnter                      nothing to run: the CPU halts
//!   191   Halt                           the platform's idle: `hlt`
//!  9000   Interrupt { vector 32 }        the timer ticks
//!  9005   Resume                         the halt is over ...
//!  9010   IdleLeave                      ... and so is the wait
//!  9020   SleepFired { task 0 }          the deadline has passed ...
//!  9021   Wake { task 0, by Outside }    ... so the task is woken
//! ```
//!
//! Every event is stamped by the trace when it is recorded, with the CPU's
//! time-stamp counter on the machine: fine-grained (a tick is well under a
//! nanosecond), cheap to read, and readable from an interrupt handler.
//!
//! Implementations: `fledge_trace::Ring`, a fixed-size buffer that a kernel
//! dumps as text at the end of a test (its documentation specifies the
//! text), and `fledge_trace::NoTrace`, which records nothing and shows what
//! tracing costs.

use core::time::Duration;

use crate::Instant;

/// A task's number: unique among the tasks of one executor, never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub u32);

/// How a poll ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The task finished: it will not be polled again.
    Ready,
    /// The task is waiting for a wake-up.
    Pending,
}

/// Who woke a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WokenBy {
    /// A task, while it was being polled (a task that yields wakes itself).
    Task(TaskId),
    /// An interrupt handler, for the interrupt with this vector.
    Interrupt(u8),
    /// Neither: the executor itself (a timer whose deadline passed), or
    /// another thread on a hosted system.
    Outside,
}

// ANCHOR: event
/// One thing a scheduler did, or that happened to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `task` was created, called `name`.
    Spawn {
        /// The new task.
        task: TaskId,
        /// What the code that spawned it called it.
        name: &'static str,
    },
    /// The executor calls `task`'s poll.
    PollStart {
        /// The task polled.
        task: TaskId,
    },
    /// `task`'s poll returned.
    PollEnd {
        /// The task polled.
        task: TaskId,
        /// What its poll returned.
        outcome: Outcome,
    },
    /// `task` was woken: it will be polled again.
    Wake {
        /// The task woken.
        task: TaskId,
        /// Who woke it.
        by: WokenBy,
    },
    /// `task` asked to be woken once the clock reads `deadline`, which was
    /// `after` from the moment it asked.
    SleepArmed {
        /// The sleeping task.
        task: TaskId,
        /// When it is to be woken, on the executor's clock.
        deadline: Instant,
        /// How far away the deadline was when the sleep was armed.
        after: Duration,
    },
    /// `task`'s deadline has passed; a [`Event::Wake`] follows.
    SleepFired {
        /// The task whose sleep is over.
        task: TaskId,
    },
    /// Nothing to run: the CPU is about to wait.
    IdleEnter,
    /// The wait is over.
    IdleLeave,
    /// The CPU took the interrupt with this vector.
    Interrupt {
        /// The interrupt's vector (32 is the PIT's, once the PICs are
        /// remapped).
        vector: u8,
    },
    /// The CPU halts now (on the PC, `sti; hlt`): the machine's [`Idle`]
    /// records it, not the executor, once the executor's question has said
    /// that nothing is ready. `IdleEnter` is what the executor says it
    /// does; `Halt` is what the CPU did.
    ///
    /// [`Idle`]: crate::Idle
    Halt,
    /// The halt is over: an interrupt ended it (recorded by the machine's
    /// idle, after the interrupt's handler ran).
    Resume,
}
// ANCHOR_END: event

/// An [`Event`] with the time it was recorded at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamped {
    /// The time-stamp counter when the event was recorded (on the host, or
    /// in a test, whatever counter the trace was given).
    pub tsc: u64,
    /// What happened.
    pub event: Event,
}

// ANCHOR: trait
/// Somewhere to record what a scheduler does.
///
/// # Contract
///
/// [`record`](Trace::record):
///
/// - stamps `event` with the time it is called at, and keeps it;
/// - may be called from anywhere: from interrupt handlers, with interrupts
///   off, and (for a `Sync` implementation) from several threads. It never
///   blocks and never waits for a lock that the code it interrupted could
///   hold;
/// - does not allocate, so it can be called while the heap is locked;
/// - never fails. An implementation that runs out of room keeps count of
///   the events it could not keep and says how many when its events are
///   read; it never loses one without counting it;
/// - keeps the events in the order of their stamps: an event recorded
///   after another, even by an interrupt handler that interrupted the
///   recording of the first, is stamped no earlier and read after it.
pub trait Trace {
    /// Records `event`, stamped now.
    fn record(&self, event: Event);
}
// ANCHOR_END: trait

impl<T: Trace + ?Sized> Trace for &T {
    fn record(&self, event: Event) {
        (**self).record(event)
    }
}
