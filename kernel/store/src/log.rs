//! The log: commits appended to a tar archive, and found again after a
//! power cut.
//!
//! The archive starts at block 0. Each commit is one member: a header
//! block, then its record ([`crate::record`]) padded to whole blocks. Two
//! blocks of zeros end the archive, as tar expects.
//!
//! ```text
//!  block   0        1..2        3        4          5       6
//!        +--------+-----------+--------+----------+-------+-------+
//!        | hdr 1  | record 1  | hdr 2  | record 2 | zeros | zeros |
//!        +--------+-----------+--------+----------+-------+-------+
//!                                                   ^ the end: commit 3's header goes here
//! ```
//!
//! # Appending ([`append`])
//!
//! A disk may keep any subset of the writes since the last flush (the
//! `BlockDevice` contract), so the order of *flushes* is all a store can
//! count on. The protocol is the one of xv6's logging layer: the data
//! first, made durable, and only then the one block that makes it count.
//!
//! 1. Write the record, then two zero blocks, after the end: the new end
//!    of the archive. The old end block (where the header will go) is
//!    still zeros, so a reader still stops there.
//! 2. Flush. The record is durable, and no reader can see it yet.
//! 3. Write the header at the old end.
//! 4. Flush. Now the commit is durable; only now may the store say so.
//!
//! A cut before 4 returns leaves the header block either zeros (the
//! commit was not made) or the whole header over a durable record (it
//! was). Never a header over a record that is not there.
//!
//! # Recovering ([`recover`])
//!
//! Opening the store reads the members from block 0 ([`read_member`]) until
//! the end. A member that does not read back whole (a header checksum
//! that fails, a record whose CRC-32C fails, the wrong commit id) is where
//! the log ends: a power cut or damage got there. Recovery *truncates*
//! there, writing the two zero blocks that end an archive over it and
//! flushing, so that `tar` sees the same log as the store and the next
//! commit does not build on a member that was never whole.

use alloc::vec;
use alloc::vec::Vec;

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError};
use fledge_api::store::{Commit, CommitId, StoreError};

use crate::record::{self, RecordError};
use crate::ustar::{self, BLOCK, Header, HeaderError, REGULAR};

/// Where a commit is in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The commit's id.
    pub id: CommitId,
    /// The block of its header.
    pub block: u64,
    /// The length of its record, in bytes.
    pub size: u64,
}

impl Member {
    /// The block just after the member: where the next header goes.
    pub fn end(&self) -> u64 {
        self.block + 1 + ustar::blocks_for(self.size)
    }
}

/// What [`read_member`] found at a block.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A block of zeros, or the end of the device: the archive ends here.
    End,
    /// A whole member: its place and its commit.
    Member(Member, Commit),
    /// Something that is not a whole member of this log.
    Torn(Tear),
}

/// Why what was found at a block is not a whole member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tear {
    /// The header block is not a ustar header.
    Header(HeaderError),
    /// The header does not name the commit that should come next, or its
    /// record runs past the end of the device.
    Misplaced,
    /// The record does not read back.
    Record(RecordError),
    /// The record is whole, but not the commit the header names.
    Mismatch,
}

impl core::fmt::Display for Tear {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Tear::Header(why) => write!(f, "the header: {why}"),
            Tear::Misplaced => f.write_str("the header names another commit, or a record past the device's end"),
            Tear::Record(why) => write!(f, "the record: {why}"),
            Tear::Mismatch => f.write_str("the record is another commit than its header names"),
        }
    }
}

/// The header block of a commit whose record is `size` bytes.
pub fn header(commit: &Commit, size: usize) -> Result<[u8; BLOCK], StoreError> {
    let name = record::member_name(commit.id, &commit.message);
    let header = Header { name: &name, size: size as u64, mtime: commit.time, typeflag: REGULAR };
    let mut block = [0; BLOCK];
    ustar::write(&header, &mut block).map_err(|_| StoreError::TooLarge)?;
    Ok(block)
}

/// Writes the end of an archive at block `at`: two blocks of zeros, or as
/// many as the device has room for. It does not flush.
pub fn write_end<D: BlockDevice>(device: &mut D, at: u64) -> Result<(), BlockError> {
    let blocks = device.block_count().saturating_sub(at).min(2);
    if blocks == 0 {
        return Ok(());
    }
    device.write(at, &vec![0; blocks as usize * BLOCK_SIZE])
}

/// Reads the member at block `at`, which should be commit `expect`.
pub fn read_member<D: BlockDevice>(device: &mut D, at: u64, expect: CommitId) -> Result<Found, StoreError> {
    if at >= device.block_count() {
        return Ok(Found::End);
    }
    let mut block = [0; BLOCK];
    device.read(at, &mut block)?;
    let header = match ustar::read(&block) {
        Ok(header) => header,
        Err(HeaderError::End) => return Ok(Found::End),
        Err(why) => return Ok(Found::Torn(Tear::Header(why))),
    };
    let member = Member { id: expect, block: at, size: header.size };
    if record::id_of_name(header.name) != Some(expect) || member.end() > device.block_count() {
        return Ok(Found::Torn(Tear::Misplaced));
    }
    let name = header.name.to_vec();
    let mut contents = vec![0; ustar::blocks_for(header.size) as usize * BLOCK];
    if !contents.is_empty() {
        device.read(at + 1, &mut contents)?;
    }
    let commit = match record::decode(&contents[..header.size as usize]) {
        Ok(commit) => commit,
        Err(why) => return Ok(Found::Torn(Tear::Record(why))),
    };
    if commit.id != expect || record::member_name(commit.id, &commit.message) != name {
        return Ok(Found::Torn(Tear::Mismatch));
    }
    Ok(Found::Member(member, commit))
}

/// Where recovery found the log's end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    /// Every whole member, oldest first.
    pub members: Vec<Member>,
    /// The block after the last: where the next commit's header goes.
    pub end: u64,
    /// What ended the log where it should not have, if anything did:
    /// the block and why. The tail from there was truncated.
    pub truncated: Option<(u64, Tear)>,
}

// ANCHOR: append
/// Appends `commit` at block `at`, the end of the log, by the protocol in
/// the [module documentation](self), and returns the new end. When it
/// returns `Ok`, the commit is durable.
pub fn append<D: BlockDevice>(device: &mut D, at: u64, commit: &Commit) -> Result<u64, StoreError> {
    let record = record::encode(commit);
    let header = header(commit, record.len())?;
    let blocks = ustar::blocks_for(record.len() as u64);
    let end = at + 1 + blocks;
    // Room for the member and the two zero blocks after it.
    if end + 2 > device.block_count() {
        return Err(StoreError::Full);
    }
    // 1-2: the record and the new end, durable before anything points at them.
    let mut data = vec![0; (blocks as usize + 2) * BLOCK];
    data[..record.len()].copy_from_slice(&record);
    device.write(at + 1, &data)?;
    device.flush()?;
    // 3-4: the header that makes it count, and the flush that makes it durable.
    device.write(at, &header)?;
    device.flush()?;
    Ok(end)
}
// ANCHOR_END: append

/// Reads the log from block 0, calling `each` with every whole commit in
/// order, up to the end or the first member that is not whole. It writes
/// nothing: the host tool reads images with it, and [`recover`] builds on
/// it.
pub fn scan<D: BlockDevice>(device: &mut D, mut each: impl FnMut(Commit)) -> Result<Recovered, StoreError> {
    let mut members = Vec::new();
    let mut at = 0;
    loop {
        let expect = CommitId(members.len() as u32 + 1);
        match read_member(device, at, expect)? {
            Found::Member(member, commit) => {
                each(commit);
                members.push(member);
                at = member.end();
            }
            Found::End => return Ok(Recovered { members, end: at, truncated: None }),
            Found::Torn(why) => return Ok(Recovered { members, end: at, truncated: Some((at, why)) }),
        }
    }
}

// ANCHOR: recover
/// Scans the log ([`scan`]), and truncates it where the scan stopped:
/// after it, the archive ends just after the last whole member, on the
/// disk as in the store, and durably so.
pub fn recover<D: BlockDevice>(device: &mut D, each: impl FnMut(Commit)) -> Result<Recovered, StoreError> {
    let found = scan(device, each)?;
    // A torn member, or the record of a commit cut off before its header
    // (which lies after the end): zeros over both, so that tar and the
    // next scan stop where this one did.
    if found.truncated.is_some() || !end_is_clean(device, found.end)? {
        write_end(device, found.end)?;
        device.flush()?;
    }
    Ok(found)
}
// ANCHOR_END: recover

/// Whether the block after `at` (the second of the end) is zeros too.
pub fn end_is_clean<D: BlockDevice>(device: &mut D, at: u64) -> Result<bool, StoreError> {
    if at + 1 >= device.block_count() {
        return Ok(true);
    }
    let mut block = [0; BLOCK];
    device.read(at + 1, &mut block)?;
    Ok(block.iter().all(|&b| b == 0))
}
