//! `commit --cut-after N`: a power cut on cue, on a real image.
//!
//! The store promises to survive power cuts, and a file on the host never
//! loses power. So for this option the tool puts the image behind
//! `fledge_fakes::PowerCut`, which keeps every write pending until a
//! flush, and counts the command's disk requests, writes and flushes
//! (reads are not counted; opening the store counts, if its recovery
//! writes). The first N go through. Then the power is off: every later
//! request fails with `BlockError::Io`, as a disk with no power would,
//! and the store's commit returns that error. When it has returned, the
//! tool cuts the power: the writes still pending are lost, except those
//! of the blocks `--keep-block` names, which a real disk may have written
//! out of its cache in time. What was flushed, or kept, is in the image;
//! nothing else is.
//!
//! ```text
//! $ fledge-store commit disk.img --author bob -m typo "index.html=<h1>Hi!" --cut-after 3
//! the power was cut after disk request 3:
//!   1  write blocks 5-7
//!   2  flush
//!   3  write block 4
//!   4  flush (failed: no power)
//! lost in the cut: block 4, written and never flushed
//! error: the commit was not acknowledged: the block device failed: the device reported an I/O error (disk.img)
//! hint: `fledge-store log disk.img` shows what the cut left, writing nothing; the next commit recovers the log first
//! ```
//!
//! The options are hidden from `--help`: they are for the book and for
//! tests, and no real disk needs them.

use std::fmt;
use std::path::Path;

use fledge_api::store::{Change, Store};
use fledge_api::{BlockDevice, BlockError};
use fledge_fakes::PowerCut;
use fledge_store::LogStore;

use crate::failure::{Failure, chain};
use crate::{image, print};

/// One write or flush the command asked of the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// `blocks` blocks from `block` on.
    Write {
        /// The first block.
        block: u64,
        /// How many.
        blocks: u64,
    },
    /// A flush.
    Flush,
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Request::Write { block, blocks: 1 } => write!(f, "write block {block}"),
            Request::Write { block, blocks } => write!(f, "write blocks {block}-{}", block + blocks - 1),
            Request::Flush => f.write_str("flush"),
        }
    }
}

/// A disk whose power goes off after `after` writes and flushes.
#[derive(Debug)]
pub struct Cutter<D> {
    disk: PowerCut<D>,
    after: usize,
    /// Every write and flush asked for, and whether it had power.
    requests: Vec<(Request, bool)>,
    /// The block of each of `disk`'s pending writes, in its order.
    pending: Vec<u64>,
}

impl<D: BlockDevice> Cutter<D> {
    /// `medium` behind a write cache, with power for `after` requests.
    pub fn new(medium: D, after: usize) -> Cutter<D> {
        Cutter { disk: PowerCut::new(medium), after, requests: Vec::new(), pending: Vec::new() }
    }

    /// Whether the power is off: `after` requests were made.
    pub fn off(&self) -> bool {
        self.requests.len() >= self.after
    }

    /// Records `request`; `Err(Io)` if the power is off for it.
    fn admit(&mut self, request: Request) -> Result<(), BlockError> {
        let powered = !self.off();
        self.requests.push((request, powered));
        if powered { Ok(()) } else { Err(BlockError::Io) }
    }

    /// Cuts the power: the pending writes of the blocks in `keep` reach
    /// the medium, the others are lost. Gives back the medium and what
    /// happened.
    pub fn cut(mut self, keep: &[u64]) -> Result<(D, Cut), BlockError> {
        let pending = std::mem::take(&mut self.pending);
        self.disk.cut(|n| keep.contains(&pending[n]))?;
        let (kept, lost) = pending.into_iter().partition(|block| keep.contains(block));
        let mut medium = self.disk.into_inner();
        medium.flush()?;
        Ok((medium, Cut { after: self.after, requests: self.requests, kept, lost }))
    }

    /// Writes out what is pending, as a disk whose power stays on does.
    pub fn into_inner(mut self) -> Result<D, BlockError> {
        self.disk.flush()?;
        Ok(self.disk.into_inner())
    }
}

impl<D: BlockDevice> BlockDevice for Cutter<D> {
    fn block_count(&self) -> u64 {
        self.disk.block_count()
    }

    fn read_only(&self) -> bool {
        self.disk.read_only()
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        if self.off() {
            return Err(BlockError::Io);
        }
        self.disk.read(block, buf)
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        let blocks = (buf.len() / fledge_api::BLOCK_SIZE) as u64;
        self.admit(Request::Write { block, blocks })?;
        self.disk.write(block, buf)?;
        self.pending.extend(block..block + blocks);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        self.admit(Request::Flush)?;
        let result = self.disk.flush();
        // A flush writes the pending list out from its front; what it
        // could not write stays.
        let written = self.pending.len() - self.disk.pending();
        self.pending.drain(..written);
        result
    }
}

/// What a cut did.
#[derive(Debug)]
pub struct Cut {
    after: usize,
    requests: Vec<(Request, bool)>,
    kept: Vec<u64>,
    lost: Vec<u64>,
}

impl fmt::Display for Cut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the power was cut after disk request {}:", self.after)?;
        for (n, (request, powered)) in self.requests.iter().enumerate() {
            let failed = if *powered { "" } else { " (failed: no power)" };
            writeln!(f, "  {}  {request}{failed}", n + 1)?;
        }
        if !self.kept.is_empty() {
            writeln!(f, "kept in the cut (--keep-block): {}, written and never flushed", blocks(&self.kept))?;
        }
        if !self.lost.is_empty() {
            write!(f, "lost in the cut: {}, written and never flushed", blocks(&self.lost))
        } else if self.kept.is_empty() {
            f.write_str("lost in the cut: nothing, every write had been flushed")
        } else {
            f.write_str("lost in the cut: nothing else")
        }
    }
}

/// `block 6`, `blocks 7-9`, `blocks 2, 7-9`: each block once, in order.
fn blocks(list: &[u64]) -> String {
    let mut sorted = list.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for block in sorted {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == block => *last = block,
            _ => runs.push((block, block)),
        }
    }
    let text: Vec<String> =
        runs.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    let one = runs.len() == 1 && runs[0].0 == runs[0].1;
    format!("{} {}", if one { "block" } else { "blocks" }, text.join(", "))
}

/// The power cut the options ask for.
#[derive(Debug)]
pub struct Plan {
    /// The requests that go through.
    pub after: usize,
    /// The blocks whose unflushed writes survive the cut.
    pub keep: Vec<u64>,
}

/// `fledge-store commit` with its power cut after `plan.after` requests:
/// the commit's id on stdout if it was acknowledged before the cut, the
/// requests and the cut on stderr.
pub fn commit(
    path: &Path,
    changes: &[Change],
    author: &str,
    message: &str,
    time: u64,
    plan: &Plan,
) -> Result<String, Failure> {
    let mut cutter = Cutter::new(image::disk_for_writing(path)?, plan.after);
    let result = match LogStore::open(&mut cutter) {
        Ok(mut store) => {
            if let Some((block, why)) = store.truncated() {
                eprintln!("{}", print::truncated_note(block, why));
            }
            store.set_time(time);
            store.commit(changes, author, message).map_err(|e| ("the commit was not acknowledged", e))
        }
        Err(e) => Err(("cannot open the store", e)),
    };
    let fail = |error: BlockError| Failure::store("the power cut went wrong", error.into(), path);
    if !cutter.off() {
        let made = cutter.requests.len();
        cutter.into_inner().map_err(fail)?;
        eprintln!(
            "note: the command made {made} disk requests, so the power was never cut (--cut-after {})",
            plan.after
        );
        return result.map(|id| format!("{id}\n")).map_err(|(doing, e)| Failure::store(doing, e, path));
    }
    let (_, cut) = cutter.cut(&plan.keep).map_err(fail)?;
    eprintln!("{cut}");
    match result {
        Ok(id) => {
            eprintln!("commit {id} was acknowledged before the cut");
            Ok(format!("{id}\n"))
        }
        Err((doing, error)) => Err(Failure::new(
            format!("{doing}: {}", chain(&error)),
            path,
            format!(
                "`fledge-store log {}` shows what the cut left, writing nothing; the next commit recovers the log first",
                path.display()
            ),
        )),
    }
}

#[cfg(test)]
mod test {
    use fledge_api::BLOCK_SIZE;
    use fledge_block::RamDisk;

    use super::*;

    #[test]
    fn requests_after_the_nth_fail_and_the_cut_loses_the_unflushed() {
        let mut disk = Cutter::new(RamDisk::new(vec![0; 8 * BLOCK_SIZE]), 3);
        disk.write(2, &[1; 2 * BLOCK_SIZE]).unwrap();
        disk.flush().unwrap();
        disk.write(1, &[2; BLOCK_SIZE]).unwrap();
        assert!(disk.off());
        assert_eq!(disk.flush(), Err(BlockError::Io));
        assert_eq!(disk.read(0, &mut [0; BLOCK_SIZE]), Err(BlockError::Io));
        let (medium, cut) = disk.cut(&[]).unwrap();
        assert_eq!((medium.bytes()[BLOCK_SIZE], medium.bytes()[2 * BLOCK_SIZE]), (0, 1));
        assert_eq!(
            cut.to_string(),
            "the power was cut after disk request 3:\n  1  write blocks 2-3\n  2  flush\n  3  write block 1\n\
             \x20 4  flush (failed: no power)\nlost in the cut: block 1, written and never flushed"
        );
    }

    #[test]
    fn kept_blocks_reach_the_medium() {
        let mut disk = Cutter::new(RamDisk::new(vec![0; 8 * BLOCK_SIZE]), 2);
        disk.write(1, &[3; 3 * BLOCK_SIZE]).unwrap();
        disk.write(6, &[4; BLOCK_SIZE]).unwrap();
        let (medium, cut) = disk.cut(&[2, 6]).unwrap();
        let bytes = medium.bytes();
        assert_eq!([1, 2, 3, 6].map(|b| bytes[b * BLOCK_SIZE]), [0, 3, 0, 4]);
        assert!(cut.to_string().ends_with(
            "kept in the cut (--keep-block): blocks 2, 6, written and never flushed\n\
             lost in the cut: blocks 1, 3, written and never flushed"
        ));
    }

    #[test]
    fn block_lists_are_runs() {
        assert_eq!(blocks(&[6]), "block 6");
        assert_eq!(blocks(&[9, 7, 8, 8]), "blocks 7-9");
        assert_eq!(blocks(&[2, 7, 8, 9, 11]), "blocks 2, 7-9, 11");
    }
}
