//! Opening an image: read-only to read its log, read-write to commit.
//!
//! The reading commands (`log`, `show`, `cat`) open the file read-only
//! and read the log with `fledge_store::log::scan`, which writes nothing:
//! looking at an image never changes it, even one a power cut left with a
//! torn member at its end ([`Log::torn`] says where). The writing commands
//! (`restore`, `commit`) open it read-write with `LogStore::open`, which
//! recovers the log first and so truncates such a member.

use std::fs::OpenOptions;
use std::path::Path;

use fledge_api::store::{Commit, CommitId, StoreError};
use fledge_api::{BLOCK_SIZE, BlockDevice};
use fledge_hosted::HostDisk;
use fledge_store::index::Index;
use fledge_store::log::{self, Tear};
use fledge_store::{LogStore, record, ustar};

use crate::failure::Failure;

/// An image's log, read without writing.
#[derive(Debug)]
pub struct Log {
    /// Every whole commit, oldest first.
    pub commits: Vec<Commit>,
    /// Where the log stopped at a member that is not whole, and why: the
    /// block that opening the store for writing would truncate from.
    pub torn: Option<(u64, Tear)>,
}

impl Log {
    /// The newest commit's id, if there is one.
    pub fn head(&self) -> Option<CommitId> {
        self.commits.last().map(|commit| commit.id)
    }

    /// Commit number `id`.
    pub fn commit(&self, id: u32, file: &Path) -> Result<&Commit, Failure> {
        let n = (id as usize).checked_sub(1);
        n.and_then(|n| self.commits.get(n)).ok_or_else(|| Failure::no_commit(id, self.head(), file))
    }

    /// Every key's value just after commit `id` (0: before the first).
    pub fn state_at(&self, id: CommitId) -> Index {
        let mut index = Index::new();
        for commit in self.commits.iter().take(id.0 as usize) {
            index.apply(&commit.changes);
        }
        index
    }
}

/// Reads the log of the image at `path`, opened read-only.
pub fn read(path: &Path) -> Result<Log, Failure> {
    let mut disk = HostDisk::open(path, true).map_err(|error| Failure::io("cannot open the image", &error, path))?;
    check_start(&mut disk).map_err(|error| Failure::store("cannot read the log", error, path))?;
    let mut commits = Vec::new();
    let found = log::scan(&mut disk, |commit| commits.push(commit))
        .map_err(|error| Failure::store("cannot read the log", error, path))?;
    Ok(Log { commits, torn: found.truncated })
}

/// The check `LogStore::open` makes before it writes anything: block 0
/// is zeros (an empty store) or the header of commit 000001. Anything
/// else is not a store.
fn check_start(disk: &mut HostDisk) -> Result<(), StoreError> {
    if disk.block_count() == 0 {
        return Err(StoreError::Corrupt);
    }
    let mut block = [0; BLOCK_SIZE];
    disk.read(0, &mut block)?;
    match ustar::read(&block) {
        Err(ustar::HeaderError::End) => Ok(()),
        Ok(header) if record::id_of_name(header.name) == Some(CommitId(1)) => Ok(()),
        _ => Err(StoreError::Corrupt),
    }
}

/// Opens the store on the image at `path` for writing, recovering its
/// log.
pub fn open(path: &Path) -> Result<LogStore<HostDisk>, Failure> {
    LogStore::open(disk_for_writing(path)?).map_err(|error| Failure::store("cannot open the store", error, path))
}

/// The image at `path` as a disk, opened for writing.
pub fn disk_for_writing(path: &Path) -> Result<HostDisk, Failure> {
    HostDisk::open(path, false).map_err(|error| Failure::io("cannot open the image for writing", &error, path))
}

/// Creates the image at `path`: `blocks` blocks of zeros, an empty store.
/// It refuses a file that exists.
pub fn create(path: &Path, blocks: u64) -> Result<(), Failure> {
    let fail = |error: std::io::Error| Failure::io("cannot create the image", &error, path);
    let file = OpenOptions::new().write(true).create_new(true).open(path).map_err(fail)?;
    file.set_len(blocks * BLOCK_SIZE as u64).map_err(fail)?;
    file.sync_all().map_err(fail)
}
