//! A cooperative async executor for one CPU, which records every decision
//! it makes into a trace.
//!
//! A task is a future with a name. The executor polls the runnable tasks
//! in turn; a task that cannot go on returns `Pending` and is not polled
//! again until something wakes it: another task, an interrupt handler, or
//! one of the executor's timers. With nothing runnable, the CPU halts
//! until the next interrupt, without losing a wake-up that slips in
//! between. Every spawn, poll, wake, sleep and halt goes into a
//! [`Trace`](fledge_api::Trace), so the grader can judge fairness,
//! wake-ups and idleness from the trace, and draw it.
//!
//! The executor is written against `fledge-api`'s traits only (a
//! [`Clock`](fledge_api::Clock), an [`Idle`](fledge_api::Idle), a
//! [`Trace`](fledge_api::Trace)), with `alloc` for its tasks. So the same
//! code runs on the PC (the PIT's clock, `hlt`, a ring dumped to a serial
//! port), as a Linux process (`fledge_hosted::HostClock` and `SleepIdle`),
//! and in host tests, where a fake clock moves only when the test says so.
//! Those tests are exercise 07's (`exercises/07-scheduler/tests/cases/host.rs`),
//! which `solutions/07-scheduler` runs against this crate.
//!
//! | module | the idea |
//! |---|---|
//! | [`executor`] | the loop: fire timers, poll the woken, idle |
//! | [`waker`] | what waking a task does, from anywhere, with atomics only |
//! | [`join`] | a task's output; dropping the handle detaches, never cancels |
//! | [`sleep`] | a future ready at a deadline, never early |
//! | [`yield_now`](mod@yield_now) | letting the others run |
//! | [`handle`] | what a task holds to spawn and sleep |
//! | [`interrupts`] | how an interrupt handler's wakes are traced as its own |
//! | [`atomic_waker`] | a waker slot a task fills and an interrupt handler wakes, no wake-up lost |
//! | [`timers`] | the timer queue, in deadline order |
//! | [`shared`] | what the executor and its handles share |
//!
//! ```
//! use core::time::Duration;
//! use fledge_executor::{Executor, yield_now};
//! use fledge_fakes::{ManualClock, TickingIdle};
//! use fledge_trace::NoTrace;
//!
//! let clock = ManualClock::new(Duration::ZERO);
//! let idle = TickingIdle::new(&clock, Duration::from_millis(1));
//! let mut executor = Executor::new(&clock, &idle, &NoTrace);
//! let handle = executor.handle();
//! let answer = executor.block_on("main", async move {
//!     let child = handle.spawn("child", async { 6 * 7 });
//!     yield_now().await;
//!     handle.sleep(Duration::from_millis(5)).await;
//!     child.await
//! });
//! assert_eq!(answer, 42);
//! assert!(clock.now() >= fledge_api::Instant::from_since_start(Duration::from_millis(5)));
//! # use fledge_api::Clock;
//! ```

#![no_std]

extern crate alloc;

pub mod atomic_waker;
pub mod executor;
pub mod handle;
pub mod interrupts;
pub mod join;
pub mod shared;
pub mod sleep;
pub mod timers;
pub mod waker;
pub mod yield_now;

pub use atomic_waker::AtomicWaker;
pub use executor::Executor;
pub use handle::Handle;
pub use interrupts::Interrupts;
pub use join::JoinHandle;
pub use sleep::Sleep;
pub use yield_now::{YieldNow, yield_now};
