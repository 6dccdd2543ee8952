//! A versioned store whose log is a tar archive (exercise 10, in progress).
//!
//! The store keeps its history as an append-only POSIX tar archive on a
//! block device, one member per commit, so that `tar tvf disk.img` on
//! the host lists the commits in order. The first pieces are the format
//! of one member:
//!
//! - [`ustar`]: the 512-byte ustar header, built and checked, with the
//!   header checksum tar itself uses;
//! - [`crc32c`]: the checksum each member carries of its own contents,
//!   which tar does not check.

#![no_std]

pub mod crc32c;
pub mod ustar;
