//! Exercise 10: a versioned store whose log is a tar archive.
//!
//! [`LogStore`] implements `fledge_api::Store` over any block device. Its
//! history is an append-only POSIX tar archive from block 0, one member
//! per commit, so the host's own tools read it:
//!
//! ```text
//! $ tar tvf disk.img
//! -rw-r--r-- fledge/fledge   118 2025-12-01 00:00 000001 first page
//! -rw-r--r-- fledge/fledge   123 2025-12-01 01:00 000002 add about
//! ```
//!
//! (Two commits made with the host tool, `kernel/store-tool`; the
//! chapter's quotes of the same are checked against fresh runs.)
//!
//! The crate in layers, bottom up, one idea per file:
//!
//! | module | what it is |
//! |---|---|
//! | [`ustar`] | the 512-byte header in front of every tar member, with tar's own header checksum |
//! | [`crc32c`] | the checksum each member carries of its contents, which tar does not check |
//! | [`record`] | a commit as the text of one member, and its name in the listing |
//! | [`log`] | appending a member so that a power cut cannot tear it, and recovering after one |
//! | [`index`] | every key's value at the head, in memory |
//! | [`store`] | [`LogStore`]: the four put together behind the `Store` trait |
//!
//! The ideas come from Irmin (MirageOS's store: state as a history of
//! commits), xv6's logging layer (data durable before the record that
//! makes it count) and MirageOS's tar-backed key-value store (an archive
//! as a database any machine can read).

//! Your part is the `todo!()`s, in the order of the chapter
//! (book/src/ch10-store.md): `Index::apply` in `index.rs`, then `recover`
//! and `append` in `log.rs`. The rest is given, and is the upstream
//! code of `kernel/store`.

#![no_std]
// The starter's `todo!()`s leave some of the given code unused until they
// are filled in.
#![allow(unused_imports, dead_code, unused_variables)]

extern crate alloc;

pub mod crc32c;
pub mod index;
pub mod log;
pub mod record;
pub mod store;
pub mod ustar;

pub use store::LogStore;
