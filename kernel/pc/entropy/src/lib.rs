//! Entropy (exercise 06, finished).
//!
//! Unpredictable numbers are harder to come by than they look. A computer
//! is built to be deterministic; the randomness has to come from physics
//! (thermal noise in a circuit, the timing of events) and be checked and
//! stretched before it is used. Intel CPUs have a generator on the chip:
//! `RDRAND` (since 2012) gives the output of a generator that the chip's
//! noise source keeps reseeding, `RDSEED` (since 2014) the conditioned
//! noise itself.
//!
//! This crate has the pieces a kernel needs on top of that:
//!
//! - [`cpuid`]: whether this CPU has the instructions at all;
//! - [`rdrand`]: an [`Entropy`](fledge_api::Entropy) source over `RDRAND`,
//!   with the bounded retry Intel asks for and a clear error when the
//!   instruction is missing;
//! - [`csprng`]: a ChaCha20 generator seeded from any `Entropy`, which is
//!   fast, never runs dry, and is what the kernel hands out.
//!
//! The logic is tested on the host with the fakes in `fledge_fakes` (a
//! source that replays a list, one that always blocks, one that fails
//! after N bytes); the instructions are tested in QEMU on a CPU model that
//! has them (`-cpu max`) and on one that does not (`-cpu qemu64`).
//!
//! # Upstream
//!
//! This crate is exercise 06 finished: its reference solution, and the
//! piece that later exercises and the capstone build on. The learner's
//! `exercises/06-entropy` is the same crate with holes and the same API, so
//! a finished exercise can stand in for it.

#![no_std]

pub mod cpuid;
pub mod csprng;
pub mod rdrand;
