//! Memory (exercise 05, finished).
//!
//! A kernel owns the machine's RAM, and nothing hands it out but the
//! kernel itself. The first piece of that is the *frame allocator*: it
//! keeps track of which 4 KiB frames of physical memory are free, and gives
//! them out one at a time. Page tables, kernel stacks, DMA buffers and the
//! heap are all built from frames it handed out.
//!
//! Where the free memory is, the firmware knows: the bootloader passes its
//! memory map on in `BootInfo::memory_regions`, a list of physical ranges,
//! each usable or not (the kernel itself, the page tables the bootloader
//! made, the BIOS's areas, device memory).
//!
//! - [`frames`]: a bitmap frame allocator over that map. Pure logic: the
//!   host tests check it against thousands of generated memory maps.
//! - [`paging`]: walking the page tables by hand, and mapping pages (and a
//!   stack with a guard page) through the `x86_64` crate, with frames from
//!   the allocator. The host tests run it over a fake physical memory.
//! - [`heap`]: the kernel heap, a fixed-size-block allocator behind
//!   `#[global_allocator]`, on pages mapped writable and not executable.
//!   After it, the kernel has `Box`, `Vec` and `String`.
//!
//! # Upstream
//!
//! This crate is exercise 05 finished: its reference solution, and the
//! piece that later exercises and the capstone build on. The learner's
//! `exercises/05-memory` is the same crate with holes and the same API, so
//! a finished exercise can stand in for it.

#![no_std]

pub mod frames;
pub mod heap;
pub mod paging;
