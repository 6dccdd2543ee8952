//! The scheduler's trace: [`Ring`], a fixed-size ring of events, and the
//! text it is dumped as.
//!
//! `fledge_api::Trace` is the service: "record this event, stamped now".
//! This crate is its upstream implementation. A kernel keeps one [`Ring`]
//! in a `static`, hands it to its executor and its interrupt handlers, and
//! at the end of a test [`Ring::dump`]s it to a console, usually a serial
//! port the grader reads. [`NoTrace`] records nothing, to measure what
//! tracing costs.
//!
//! | module | what it holds |
//! |---|---|
//! | [`ring`] | the ring: lock-free, safe to record into from interrupt handlers, overflow counted |
//! | [`text`] | one event as one line of the dump format below |
//! | [`noop`] | [`NoTrace`] |
//!
//! # The dump format, version 1
//!
//! This is the contract between the kernel and the grader (which decodes
//! it in `grader/src/trace/decode.rs`). It is plain ASCII text, one record
//! per line, each line ended by `\n` (a `\r` before it is ignored), fields
//! separated by single spaces:
//!
//! ```text
//! fledge-trace version=1 tsc-hz=2000000000
//! 1200 spawn 0 blink
//! 1350 poll 0
//! 1410 pending 0
//! 1415 sleep 0 50000000 50000000
//! 1460 idle
//! 1470 halt
//! 90000 irq 32
//! 90020 resume
//! 90040 busy
//! 90100 fire 0
//! 90101 wake 0 outside
//! 90130 poll 0
//! 90190 ready 0
//! end events=13 dropped=0
//! ```
//!
//! - **The header** is `fledge-trace version=1 tsc-hz=HZ`. `HZ` is how many
//!   ticks of the time-stamp counter make a second, in decimal, or
//!   `unknown` when the kernel did not measure it. Lines before the header
//!   are not part of the dump, so a dump can share a serial line with other
//!   output. A reader refuses a version it does not know.
//! - **An event** is `TSC KIND FIELDS...`: the time-stamp counter in
//!   decimal, then one of these (task numbers and vectors in decimal):
//!
//!   | line after the TSC | `fledge_api::Event` |
//!   |---|---|
//!   | `spawn TASK NAME` | `Spawn`: `NAME` is the rest of the line, escaped as below |
//!   | `poll TASK` | `PollStart` |
//!   | `ready TASK` | `PollEnd` with `Outcome::Ready` |
//!   | `pending TASK` | `PollEnd` with `Outcome::Pending` |
//!   | `wake TASK task BY` | `Wake` by the task numbered `BY` |
//!   | `wake TASK irq VECTOR` | `Wake` by an interrupt handler |
//!   | `wake TASK outside` | `Wake` by neither |
//!   | `sleep TASK DEADLINE AFTER` | `SleepArmed`: the deadline on the executor's clock and how far away it was, both in nanoseconds |
//!   | `fire TASK` | `SleepFired` |
//!   | `idle` | `IdleEnter` |
//!   | `busy` | `IdleLeave` |
//!   | `irq VECTOR` | `Interrupt` |
//!   | `halt` | `Halt` (recorded by the machine's idle, not the executor) |
//!   | `resume` | `Resume` |
//!
//!   A name's bytes from `!` to `~` (0x21 to 0x7e) other than `\` are
//!   written as they are; every other byte (a space, a `\`, a line break,
//!   UTF-8 beyond ASCII) as `\xHH`, two lowercase hex digits. So a name
//!   never breaks its line and always decodes to the same bytes.
//! - **The end** is `end events=N dropped=D`: `N` is how many event lines
//!   the dump has (a reader checks it, which catches a dump cut short), `D`
//!   how many events the ring had no room for since the last dump. A trace
//!   with `D` above zero is incomplete, and a reader should say so rather
//!   than judge it.
//!
//! Events are in the order they were recorded, which is also the order of
//! their TSCs (non-decreasing; see [`ring`] for why). A kernel may dump
//! several times; each dump has its own header and end, and holds the
//! events recorded since the one before.

#![no_std]

pub mod noop;
pub mod ring;
pub mod text;

pub use noop::NoTrace;
pub use ring::{DumpError, Ring};
