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

#![no_std]

pub mod clock;
