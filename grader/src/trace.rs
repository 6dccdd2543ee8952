//! A kernel's scheduler trace, read on the host: decoded from the text a
//! kernel dumps ([`decode`]), checked ([`check`]), laid out as lanes of
//! spans and marks ([`timeline`]), and written as Chrome trace-event JSON
//! ([`chrome`], which Perfetto and `chrome://tracing` open) and as an SVG
//! picture ([`svg`]).
//!
//! The text is specified in `kernel/trace/src/lib.rs` (`fledge-trace`'s
//! crate documentation), version 1: a header line, one event per line, an
//! end line. The types here are the grader's own reading of it, not the
//! kernel's `fledge_api::Event`: the text is the contract, so that a kernel
//! built from any version of the crates can be judged.
//!
//! [`files`] does it all for a dump on disk (`cargo grade --render-trace`).
//! In a grading, [`marked`] finds each test's dumps on its boot's COM2
//! (after a `# trace NAME` line) and [`measure`] computes the checks its
//! `[test.trace]` asks for: fairness, sleeps, the idle share, wakes by
//! interrupts.
//!
//! ```text
//!   COM2's text ──marked──> Dump ──check──> Ok, or the first problem, by line
//!                            │        └─────measure──> Ok, or what was measured
//!                            └──timeline──> Timeline ──chrome──> JSON
//!                                                     └─svg────> SVG
//! ```

pub mod check;
pub mod chrome;
pub mod decode;
pub mod files;
pub mod marked;
pub mod measure;
pub mod svg;
pub mod timeline;

use std::fmt;

/// A decoded dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dump {
    /// Time-stamp counter ticks per second, if the kernel measured it.
    pub tsc_hz: Option<u64>,
    /// The events, in the order of the dump.
    pub records: Vec<Record>,
    /// Events the kernel's ring had no room for.
    pub dropped: u64,
    /// The line of the end record, counting the text's first line as 1.
    pub end_line: usize,
}

/// One event line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its line in the text, counting from 1.
    pub line: usize,
    /// The time-stamp counter when it was recorded.
    pub tsc: u64,
    /// What happened.
    pub event: Event,
}

/// What happened, as the dump's lines say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `spawn TASK NAME`
    Spawn { task: u32, name: String },
    /// `poll TASK`
    Poll { task: u32 },
    /// `ready TASK`: the poll ended, the task is finished.
    Ready { task: u32 },
    /// `pending TASK`: the poll ended, the task waits.
    Pending { task: u32 },
    /// `wake TASK ...`
    Wake { task: u32, by: By },
    /// `sleep TASK DEADLINE AFTER`, in nanoseconds of the executor's clock.
    Sleep { task: u32, deadline_ns: u64, after_ns: u64 },
    /// `fire TASK`
    Fire { task: u32 },
    /// `idle`: the CPU is about to wait.
    Idle,
    /// `busy`: the wait is over.
    Busy,
    /// `irq VECTOR`
    Irq { vector: u8 },
    /// `halt`: the machine's idle halts the CPU (recorded by the platform,
    /// not the executor).
    Halt,
    /// `resume`: an interrupt ended the halt.
    Resume,
}

/// Who woke a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    /// The task with this number, while it was polled.
    Task(u32),
    /// The handler of the interrupt with this vector.
    Irq(u8),
    /// The executor itself (a timer) or another thread.
    Outside,
}

/// What is wrong with a dump, and on which line of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceError {
    /// The line, counting the text's first line as 1.
    pub line: usize,
    /// What is wrong there, as a sentence without a final full stop.
    pub problem: String,
}

impl TraceError {
    fn new(line: usize, problem: impl Into<String>) -> TraceError {
        TraceError { line, problem: problem.into() }
    }
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trace, line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for TraceError {}
