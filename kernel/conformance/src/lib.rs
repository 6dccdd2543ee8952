//! Conformance suites for the Fledge interfaces.
//!
//! Each `fledge-api` trait writes down a contract. A conformance suite is
//! that contract as code: functions that take any implementation, drive it,
//! and panic (with a message that says which promise broke) if it does not
//! keep its word. The same suite runs on the host against the hosted and
//! fake implementations (`cargo test -p fledge-conformance`) and in QEMU
//! against a learner's driver, as kernel test cases. A driver sent upstream
//! is expected to pass its trait's suite, much as code in a Linux subsystem
//! is checked by that subsystem's KUnit tests.
//!
//! | suite | checks | on bare metal |
//! |---|---|---|
//! | [`block`] | whole blocks round-trip, bad and out-of-range requests are refused and change nothing, read-only refuses writes, flushed writes survive a power cut | exercise 09, on virtio-blk |
//! | [`clock`] | monotonic, advances, steps by its resolution | exercise 04, on the PIT clock |
//! | [`console`] | every byte arrives, in order, nothing added or dropped | exercise 01: the script goes out on COM2, the grader checks what arrived |
//! | [`entropy`] | empty fills succeed, every byte is written, fills differ, all byte values occur | exercise 06, on RDRAND and the ChaCha20 generator |
//! | [`tcp`] | refused connects, round trips, one listener a port, `WouldBlock` is not the end of a stream, shutdown, 1 MiB each way in order exactly once, 100 connections in a row | exercise 11: smoltcp on a loopback interface |
//!
//! Each suite is itself tested (`kernel/conformance/tests/`) against the
//! hosted and fake implementations, which must pass, and against broken
//! implementations, which it must reject.
//!
//! The crate is `no_std` and needs no allocator, so the suites run inside
//! a test kernel as they are.

#![no_std]

pub mod block;
pub mod clock;
pub mod console;
pub mod entropy;
pub mod tcp;
