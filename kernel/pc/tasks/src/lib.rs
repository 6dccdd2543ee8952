//! The executor on the PC, with real interrupts.
//!
//! `fledge-executor` is written against traits: a
//! [`Clock`](fledge_api::Clock), an [`Idle`](fledge_api::Idle), a
//! [`Trace`](fledge_api::Trace). This crate gives it the PC's: the PIT's
//! tick clock and `Halt` from exercise 04, a trace ring stamped with the
//! time-stamp counter and dumped to COM2, and two interrupt sources wired
//! to it, so that a kernel test can watch it schedule for real:
//!
//! ```text
//!   PIT, IRQ 0, vector 32 ──> handlers::timer ── door: `irq 32` in the trace,
//!                                                the tick moves PitClock, the
//!                                                halt ends, due sleeps fire
//!   COM2, IRQ 3, vector 35 ─> handlers::com2 ─── door: `irq 35`; the byte goes
//!                                                to serial_input, whose
//!                                                AtomicWaker wakes the reader
//! ```
//!
//! | module | the idea |
//! |---|---|
//! | [`bringup`] | heap, exceptions, PICs and PIT, in order, once |
//! | [`idt`] | exercise 03's exceptions plus the two interrupts above |
//! | [`handlers`] | the interrupt handlers, each run through the door |
//! | [`door`] | where interrupt handlers find the running executor |
//! | [`pci_interrupt`] | a PCI card's line: masked in the handler, acknowledged and unmasked by the task |
//! | [`serial_input`] | COM2's receive interrupt, as a future a task awaits |
//! | [`dump`] | the trace ring, and its dump to COM2 with the TSC's rate |
//! | [`running`] | the task running now, for a panic report that names it |
//! | [`traced_halt`] | `hlt` as the idle, its halts recorded in the trace |
//! | [`window`] | an idle that makes an interrupt come just before the halt |
//!
//! Exercise 07's kernel tests build on it, with [`running`]'s panic
//! handler, so that a task that panics is named in the report (the test
//! `a_panicking_task_is_named`); `solutions/07-scheduler` boots them with
//! the upstream executor, `fledge-executor`.

#![no_std]

extern crate alloc;

pub mod bringup;
pub mod door;
pub mod dump;
pub mod handlers;
pub mod idt;
pub mod pci_interrupt;
pub mod running;
pub mod serial_input;
pub mod traced_halt;
pub mod window;
