//! The interfaces of the Fledge library operating system.
//!
//! In a library OS every service the kernel offers is an ordinary library: an
//! interface, written here as a Rust trait, and several implementations of it.
//! A 16550 UART is one implementation of [`Console`]; standard output of a
//! Linux process is another (in `fledge-hosted`); a console that records every
//! byte, or fails after a few, is a third (in `fledge-fakes`). Code written
//! against the trait runs on all of them, which is how Fledge tests kernel code
//! with plain `cargo test`.
//!
//! This crate holds only the traits and the error types that go with them. It
//! is `no_std` and has no dependencies, so it builds for the bare-metal target
//! and for the host alike.
//!
//! | trait | service | bare-metal implementation |
//! |---|---|---|
//! | [`Console`] | write bytes somewhere a person can read them | exercise 01: the 16550 UART |
//! | [`Clock`] | tell how much time has passed | exercise 04: the PIT's ticks |
//! | [`Idle`] | wait for something to happen without spinning | exercise 04: `hlt` |
//! | [`Entropy`] | unpredictable bytes | exercise 06: RDRAND, and ChaCha20 seeded from it |
//! | [`Trace`] | keep a timestamped record of what a scheduler did | `fledge-trace`'s ring, dumped as text (exercise 07) |
//! | [`BlockDevice`] | read and write whole blocks, and say when they are durable | exercise 09: virtio-blk |
//! | [`Store`] | keys and values, kept as a history of commits | exercise 10: a tar log over any block device (feature `alloc`) |
//! | [`Tcp`] | byte streams to other machines: listen, accept, connect, read, write | exercise 11: smoltcp over virtio-net |
//!
//! Each trait writes its contract in its documentation, and
//! `fledge-conformance` checks implementations against it. Every error type
//! implements [`core::error::Error`]; [`errors`] says how a service built on
//! another reports the lower service's error.

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod block;
pub mod clock;
pub mod console;
pub mod entropy;
pub mod errors;
pub mod idle;
#[cfg(feature = "alloc")]
pub mod store;
pub mod tcp;
pub mod trace;

pub use block::{BLOCK_SIZE, BlockDevice, BlockError};
pub use clock::{Clock, Instant};
pub use console::{Console, ConsoleError};
pub use entropy::{Entropy, EntropyError};
pub use idle::Idle;
#[cfg(feature = "alloc")]
pub use store::{Change, Commit, CommitId, Store, StoreError};
pub use tcp::{Listener, Stream, Tcp, TcpError};
pub use trace::{Event, Outcome, Stamped, TaskId, Trace, WokenBy};
