//! Versioned storage: the [`Store`] trait.
//!
//! A store keeps keys and values, as a key-value store does, and keeps
//! *how they came to be*: every change is part of a [`Commit`] with an
//! author, a time and a message, and every commit stays readable. This is
//! the idea of Irmin, the store of MirageOS, in the smallest form that
//! still shows it: one branch, commits in a line, each with the one
//! before it as its parent.
//!
//! ```text
//!   commit 000001  "first page"      set  index.html = "<h1>Hi"
//!   commit 000002  "add about"       set  about.html = "<p>Me"
//!   commit 000003  "typo"            set  index.html = "<h1>Hi!"
//!   commit 000004  "revert 000003"   set  index.html = "<h1>Hi"    (undoes 3)
//!
//!   get(index.html)                  "<h1>Hi"   (at the head, 000004)
//!   get_at(index.html, 000003)       "<h1>Hi!"
//! ```
//!
//! Implementations: exercise 10's `fledge_store::LogStore`, whose log is a
//! tar archive on any [`BlockDevice`](crate::BlockDevice): a virtio disk,
//! a file of the host, a RAM disk, or a fake that cuts the power.
//!
//! # Contract
//!
//! - **Commits are atomic.** After [`commit`](Store::commit) returns
//!   `Ok(id)`, the commit is *acknowledged*: all its changes are visible
//!   and durable, and they survive a power cut. A commit that returned an
//!   error, or never returned because the power went, is either wholly
//!   there after the store is opened again or not there at all: never a
//!   part of its changes.
//! - **History does not change.** Commit ids count up from 1, one per
//!   commit; a commit's contents never change, and
//!   [`get_at`](Store::get_at) gives the same answer for the same commit
//!   for ever. [`revert`](Store::revert) undoes a commit with a *new* one.
//! - **Sizes are limited** ([`MAX_KEY`], [`MAX_VALUE`], [`MAX_AUTHOR`],
//!   [`MAX_MESSAGE`], [`MAX_CHANGES`]). A commit that breaks a limit, or
//!   has an empty key, is refused with [`StoreError::TooLarge`] or
//!   [`StoreError::Invalid`] and nothing is written.
//! - **Errors are values.** A device that fails gives
//!   [`StoreError::Device`] with the device's error inside; the store
//!   stays open, and what was committed stays readable.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::block::BlockError;

/// The longest key, in bytes.
pub const MAX_KEY: usize = 255;
/// The longest value, in bytes.
pub const MAX_VALUE: usize = 64 * 1024;
/// The longest author, in bytes.
pub const MAX_AUTHOR: usize = 64;
/// The longest message, in bytes.
pub const MAX_MESSAGE: usize = 1024;
/// The most changes in one commit.
pub const MAX_CHANGES: usize = 64;

/// A commit's number: 1 for the first, one more for each after it.
///
/// It prints as six digits, as the store's tar members are named:
///
/// ```
/// assert_eq!(fledge_api::CommitId(42).to_string(), "000042");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitId(pub u32);

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// One change a commit makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// `key` holds `value` from this commit on.
    Set {
        /// The key, 1 to [`MAX_KEY`] bytes.
        key: Vec<u8>,
        /// The value, up to [`MAX_VALUE`] bytes.
        value: Vec<u8>,
    },
    /// `key` holds nothing from this commit on.
    Remove {
        /// The key, 1 to [`MAX_KEY`] bytes.
        key: Vec<u8>,
    },
}

impl Change {
    /// A [`Change::Set`] of `key` to `value`.
    pub fn set(key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Change {
        Change::Set { key: key.into(), value: value.into() }
    }

    /// A [`Change::Remove`] of `key`.
    pub fn remove(key: impl Into<Vec<u8>>) -> Change {
        Change::Remove { key: key.into() }
    }

    /// The key this change is about.
    pub fn key(&self) -> &[u8] {
        match self {
            Change::Set { key, .. } | Change::Remove { key } => key,
        }
    }
}

/// A commit, as [`Store::history`] gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    /// Its number.
    pub id: CommitId,
    /// The commits it follows: the one before it, none for the first.
    pub parents: Vec<CommitId>,
    /// When it was made, in seconds since 1970-01-01 UTC, as the store's
    /// implementation was told (see its documentation).
    pub time: u64,
    /// Who made it.
    pub author: String,
    /// Why, in the author's words.
    pub message: String,
    /// What it changed, in order: a later change of a key wins.
    pub changes: Vec<Change>,
}

/// Why a store did not do what it was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The log has no room left on the device for this commit.
    Full,
    /// The commit asked for does not exist.
    NotFound,
    /// A key, value, author or message is longer than its limit, or there
    /// are more than [`MAX_CHANGES`] changes.
    TooLarge,
    /// A key is empty, or an author or message is not one line.
    Invalid,
    /// The device holds something the store cannot read back as it wrote
    /// it: not a store's log, or damaged where no power cut can reach.
    Corrupt,
    /// The block device below failed.
    Device(BlockError),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoreError::Full => "the store's log has no room left on the device",
            StoreError::NotFound => "there is no such commit",
            StoreError::TooLarge => "a key, value, author or message is over its size limit",
            StoreError::Invalid => "an empty key, or an author or message with a line break",
            StoreError::Corrupt => "the device does not hold a store's log that reads back whole",
            StoreError::Device(_) => "the block device failed",
        })
    }
}

impl core::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            StoreError::Device(lower) => Some(lower),
            _ => None,
        }
    }
}

impl From<BlockError> for StoreError {
    fn from(lower: BlockError) -> StoreError {
        StoreError::Device(lower)
    }
}

/// Checks `changes`, `author` and `message` against the limits of the
/// contract: the check every implementation makes before it writes
/// anything.
///
/// ```
/// use fledge_api::store::{Change, StoreError, check_commit};
///
/// assert_eq!(check_commit(&[Change::set("a", "1")], "ada", "first"), Ok(()));
/// assert_eq!(check_commit(&[Change::set("", "1")], "ada", "first"), Err(StoreError::Invalid));
/// assert_eq!(check_commit(&[Change::remove("a")], "ada", "two\nlines"), Err(StoreError::Invalid));
/// assert_eq!(check_commit(&[Change::set("a", vec![0; 70_000])], "ada", "big"), Err(StoreError::TooLarge));
/// ```
pub fn check_commit(changes: &[Change], author: &str, message: &str) -> Result<(), StoreError> {
    if changes.len() > MAX_CHANGES || author.len() > MAX_AUTHOR || message.len() > MAX_MESSAGE {
        return Err(StoreError::TooLarge);
    }
    if author.contains('\n') || message.contains('\n') {
        return Err(StoreError::Invalid);
    }
    for change in changes {
        if change.key().is_empty() {
            return Err(StoreError::Invalid);
        }
        let value = match change {
            Change::Set { value, .. } => value.len(),
            Change::Remove { .. } => 0,
        };
        if change.key().len() > MAX_KEY || value > MAX_VALUE {
            return Err(StoreError::TooLarge);
        }
    }
    Ok(())
}

/// A versioned key-value store: see the [module documentation](self) for
/// the contract.
pub trait Store {
    /// The newest commit, or `None` while there are none.
    fn head(&self) -> Option<CommitId>;

    /// The value `key` holds at the head; `None` if it holds none.
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// The value `key` held just after commit `at`; `None` if it held
    /// none. [`StoreError::NotFound`] if there is no commit `at`.
    fn get_at(&mut self, key: &[u8], at: CommitId) -> Result<Option<Vec<u8>>, StoreError>;

    /// Makes `changes` one commit, and returns its id once it is durable.
    fn commit(&mut self, changes: &[Change], author: &str, message: &str) -> Result<CommitId, StoreError>;

    /// Every commit, newest first, as `git log` lists them. All of them
    /// at once, values and all: a kernel with a small heap and a long
    /// history reads them one at a time instead (`LogStore::read_commit`).
    fn history(&mut self) -> Result<Vec<Commit>, StoreError>;

    /// Makes a new commit that undoes commit `id`: each key it changed gets
    /// back the value it held just before `id` (or none). The message says
    /// which commit was reverted. [`StoreError::NotFound`] if there is no
    /// commit `id`.
    fn revert(&mut self, id: CommitId, author: &str) -> Result<CommitId, StoreError>;
}
