//! The console on the PC's serial port (exercise 01, finished).
//!
//! A kernel's first driver is the one that lets it speak. On a PC that is
//! the serial port: a 16550 UART that QEMU connects to a file, a terminal or
//! the grader. It has two layers:
//!
//! - [`uart`]: a [`Console`](fledge_api::Console) for the 16550, on top of
//!   the `uart_16550` crate: program the chip, then send bytes;
//! - [`print`]: `print!` and `println!`, which format text with Rust's
//!   `core::fmt` machinery and hand it to whichever console is installed,
//!   one whole line at a time.
//!
//! The second layer knows nothing about UARTs: it is written against the
//! `Console` trait, so the host tests drive it with a fake console that
//! records every byte, while the kernel tests drive it with the UART.
//!
//! # Upstream
//!
//! This crate is exercise 01 finished: its reference solution, and the
//! piece that later exercises and the capstone build on. The learner's
//! `exercises/01-serial` is the same crate with holes and the same API, so
//! a finished exercise can stand in for it.

#![no_std]

pub mod print;
pub mod uart;
