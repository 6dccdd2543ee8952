//! Timer interrupts, and a clock made of them (exercise 04, finished).
//!
//! Until now the kernel only ran when it chose to. A timer interrupt is the
//! first thing that runs when *it* chooses: a chip counts down, and at zero
//! it raises a line that makes the CPU drop what it is doing and run a
//! handler. Counting those interrupts gives the kernel a clock; halting
//! until the next one gives it a way to wait without burning the CPU.
//!
//! On a PC the chips are old and simple:
//!
//! - the 8253/8254 Programmable Interval Timer ([`pit`]) divides a
//!   1.193182 MHz clock by a number you choose and raises IRQ 0 each time
//!   the count runs out;
//! - two 8259 Programmable Interrupt Controllers ([`pic`]), chained, turn
//!   sixteen interrupt lines into CPU vectors, and must be told when a
//!   handler is done (the end-of-interrupt, EOI), or they send nothing more.
//!
//! This crate makes them work together: the PICs' remap and
//! EOI rules (spurious interrupts included), the PIT's divisor, the
//! interrupt handler, the order the machine is brought up in ([`bringup`]),
//! a [`Clock`](fledge_api::Clock) over the ticks ([`clock`]) and a
//! [`sleep`](sleep::sleep) that halts between them. Most of it is tested on
//! the host with fakes first; the kernel tests measure the real thing
//! against the CPU's time-stamp counter.
//!
//! # Upstream
//!
//! This crate is exercise 04 finished: its reference solution, and the
//! piece that later exercises and the capstone build on. The learner's
//! `exercises/04-timer` is the same crate with holes and the same API, so
//! a finished exercise can stand in for it.

#![no_std]

pub mod bringup;
pub mod clock;
pub mod handlers;
pub mod idt;
pub mod pic;
pub mod pit;
pub mod sleep;
