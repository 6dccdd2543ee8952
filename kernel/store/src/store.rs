//! [`LogStore`]: the [`Store`] over any block device, its log a tar
//! archive.
//!
//! It holds three things: the device, the members of the log (where each
//! commit is, [`crate::log`]), and the index of every key's value at the
//! head ([`crate::index`]). Opening reads the whole log once, recovering
//! it after a power cut; a commit appends to it; reading at the head
//! asks the index, and reading an older commit reads the log.
//!
//! # Time
//!
//! Fledge has no wall clock yet: its [`Clock`](fledge_api::Clock) counts
//! from boot. So a commit's time is what the store was last told with
//! [`LogStore::set_time`] (the host tool tells it the host's time), and
//! never earlier than the commit before: the log's times only go forward.
//! A store that was never told stamps its commits with the last commit's
//! time, or 0 (1970-01-01) in an empty log.
//!
//! # After an error
//!
//! A commit that fails part way may have left the device holding more than
//! the store knows (a header written, its flush failed). The store marks
//! itself *stale*, and its next call reads the log again as opening does,
//! so that it never builds on a guess.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use fledge_api::block::{BLOCK_SIZE, BlockDevice};
use fledge_api::store::{Change, Commit, CommitId, MAX_MESSAGE, Store, StoreError, check_commit};

use crate::index::{Index, last_change};
use crate::log::{self, Found, Member, Recovered};
use crate::record;
use crate::ustar;

/// A versioned store whose log is a tar archive on `D`.
///
/// ```
/// use fledge_api::store::{Change, CommitId, Store};
/// use fledge_api::BLOCK_SIZE;
/// use fledge_block::RamDisk;
/// use fledge_store::LogStore;
///
/// let mut store = LogStore::open(RamDisk::new(vec![0; 64 * BLOCK_SIZE])).unwrap();
/// let first = store.commit(&[Change::set("index.html", "<h1>Hi")], "ada", "first page").unwrap();
/// store.commit(&[Change::set("index.html", "<h1>Hi!")], "ada", "typo").unwrap();
/// assert_eq!(store.get(b"index.html").unwrap().as_deref(), Some(&b"<h1>Hi!"[..]));
/// assert_eq!(store.get_at(b"index.html", first).unwrap().as_deref(), Some(&b"<h1>Hi"[..]));
///
/// // Open the same disk again: everything is still there.
/// let mut again = LogStore::open(store.into_inner()).unwrap();
/// assert_eq!(again.head(), Some(CommitId(2)));
/// assert_eq!(again.history().unwrap()[0].message, "typo");
/// ```
#[derive(Debug)]
pub struct LogStore<D> {
    device: D,
    members: Vec<Member>,
    end: u64,
    index: Index,
    time: u64,
    stale: bool,
    truncated: Option<(u64, log::Tear)>,
}

impl<D: BlockDevice> LogStore<D> {
    /// Opens the store on `device`, recovering its log: a member a power
    /// cut tore is truncated away. A device of zeros is an empty store.
    ///
    /// [`StoreError::Corrupt`] if block 0 is neither zeros nor the header
    /// of commit 000001: the device holds something else, and the store
    /// will not write over it.
    pub fn open(device: D) -> Result<LogStore<D>, StoreError> {
        let mut store = LogStore {
            device,
            members: Vec::new(),
            end: 0,
            index: Index::new(),
            time: 0,
            stale: true,
            truncated: None,
        };
        store.check_first_block()?;
        store.reload()?;
        Ok(store)
    }

    /// Refuses a device whose block 0 is not this log's start.
    fn check_first_block(&mut self) -> Result<(), StoreError> {
        if self.device.block_count() == 0 {
            return Err(StoreError::Full);
        }
        let mut block = [0; BLOCK_SIZE];
        self.device.read(0, &mut block)?;
        match ustar::read(&block) {
            Err(ustar::HeaderError::End) => Ok(()),
            Ok(header) if record::id_of_name(header.name) == Some(CommitId(1)) => Ok(()),
            _ => Err(StoreError::Corrupt),
        }
    }

    /// Reads the log again, as opening does.
    fn reload(&mut self) -> Result<(), StoreError> {
        let mut index = Index::new();
        let mut time = 0;
        let Recovered { members, end, truncated } = log::recover(&mut self.device, |commit| {
            index.apply(&commit.changes);
            time = commit.time;
        })?;
        if truncated.is_some() {
            self.truncated = truncated;
        }
        self.members = members;
        self.end = end;
        self.index = index;
        self.time = self.time.max(time);
        self.stale = false;
        Ok(())
    }

    fn fresh(&mut self) -> Result<(), StoreError> {
        if self.stale { self.reload() } else { Ok(()) }
    }

    /// Sets the time stamped on the next commits, in seconds since
    /// 1970-01-01 UTC. It never goes back before the last commit's.
    pub fn set_time(&mut self, unix_seconds: u64) {
        self.time = self.time.max(unix_seconds);
    }

    /// Where opening found a torn member and truncated the log, and why:
    /// `None` if the log was whole.
    pub fn truncated(&self) -> Option<(u64, log::Tear)> {
        self.truncated
    }

    /// The members of the log, oldest first.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The block after the log: where the next commit goes.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// The index of every key's value at the head.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The device.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// Gives back the device.
    pub fn into_inner(self) -> D {
        self.device
    }

    /// Reads commit `id` from the log.
    pub fn read_commit(&mut self, id: CommitId) -> Result<Commit, StoreError> {
        self.fresh()?;
        let member = *self.member(id)?;
        match log::read_member(&mut self.device, member.block, id)? {
            Found::Member(_, commit) => Ok(commit),
            // It read back whole when the store opened.
            Found::End | Found::Torn(_) => Err(StoreError::Corrupt),
        }
    }

    fn member(&self, id: CommitId) -> Result<&Member, StoreError> {
        let n = (id.0 as usize).checked_sub(1).ok_or(StoreError::NotFound)?;
        self.members.get(n).ok_or(StoreError::NotFound)
    }
}

impl<D: BlockDevice> Store for LogStore<D> {
    fn head(&self) -> Option<CommitId> {
        self.members.last().map(|member| member.id)
    }

    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.fresh()?;
        Ok(self.index.get(key).map(<[u8]>::to_vec))
    }

    fn get_at(&mut self, key: &[u8], at: CommitId) -> Result<Option<Vec<u8>>, StoreError> {
        self.fresh()?;
        self.member(at)?;
        // Back from `at` to the newest commit that changed the key.
        for id in (1..=at.0).rev() {
            let commit = self.read_commit(CommitId(id))?;
            if let Some(value) = last_change(&commit.changes, key) {
                return Ok(value.map(<[u8]>::to_vec));
            }
        }
        Ok(None)
    }

    fn commit(&mut self, changes: &[Change], author: &str, message: &str) -> Result<CommitId, StoreError> {
        check_commit(changes, author, message)?;
        self.fresh()?;
        let id = CommitId(self.members.len() as u32 + 1);
        let commit = Commit {
            id,
            parents: self.head().into_iter().collect(),
            time: self.time,
            author: String::from(author),
            message: String::from(message),
            changes: changes.to_vec(),
        };
        let size = record::encode(&commit).len() as u64;
        let end = match log::append(&mut self.device, self.end, &commit) {
            Ok(end) => end,
            // No room: nothing was written, the store is as it was.
            Err(StoreError::Full) => return Err(StoreError::Full),
            Err(error) => {
                self.stale = true;
                return Err(error);
            }
        };
        self.members.push(Member { id, block: self.end, size });
        self.end = end;
        self.index.apply(changes);
        Ok(id)
    }

    fn history(&mut self) -> Result<Vec<Commit>, StoreError> {
        self.fresh()?;
        let ids: Vec<CommitId> = self.members.iter().rev().map(|member| member.id).collect();
        ids.into_iter().map(|id| self.read_commit(id)).collect()
    }

    fn revert(&mut self, id: CommitId, author: &str) -> Result<CommitId, StoreError> {
        let undone = self.read_commit(id)?;
        let mut changes: Vec<Change> = Vec::new();
        for change in &undone.changes {
            let key = change.key();
            if changes.iter().any(|done| done.key() == key) {
                continue;
            }
            let before = match id.0 {
                1 => None,
                n => self.get_at(key, CommitId(n - 1))?,
            };
            changes.push(match before {
                Some(value) => Change::Set { key: key.to_vec(), value },
                None => Change::Remove { key: key.to_vec() },
            });
        }
        let mut message = format!("revert {id}: {}", undone.message);
        while message.len() > MAX_MESSAGE {
            message.pop();
        }
        self.commit(&changes, author, &message)
    }
}
