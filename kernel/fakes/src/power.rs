//! [`PowerCut`]: a disk whose unflushed writes a power cut can lose.
//!
//! A real disk acknowledges a write once the data is in its cache, and
//! writes the cache out in whatever order suits it; a power cut loses
//! whatever had not gone out. A file system or a store that is correct
//! only when nothing is lost is not correct. `PowerCut` makes that loss
//! happen on cue, as the [`BlockDevice`] contract allows and no further:
//!
//! ```text
//!   write(3, A)  write(5, B)  write(3, C)     pending: [0] 3=A  [1] 5=B  [2] 3=C
//!   cut(keep 1)                               block 5 = B; blocks 3 and the rest as last flushed
//!   write(3, A)  flush()  write(3, C)  cut()  block 3 = A whatever is kept: A was flushed
//! ```
//!
//! The device it wraps is the medium: what is written to it is durable.
//! A write to the `PowerCut` goes into a list of *pending* block writes,
//! one entry per block; reads see the pending writes over the medium, as
//! the contract's "every later read sees it" asks. A flush writes the
//! pending list to the medium, in order, and flushes the medium. A cut
//! chooses which pending writes reach the medium (any subset: which is how
//! writes appear reordered), forgets the rest, and the device goes on,
//! showing the medium, as a machine does when power comes back.

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError, check_request};

/// Wraps `D`, the durable medium, with a write cache that a [`cut`](Self::cut)
/// loses any part of.
///
/// ```
/// use fledge_api::{BLOCK_SIZE, BlockDevice};
/// use fledge_block::RamDisk;
/// use fledge_fakes::PowerCut;
///
/// let mut disk = PowerCut::new(RamDisk::new(vec![0; 8 * BLOCK_SIZE]));
/// disk.write(1, &[1; BLOCK_SIZE]).unwrap();
/// disk.flush().unwrap();
/// disk.write(1, &[2; 2 * BLOCK_SIZE]).unwrap(); // blocks 1 and 2: pending writes 0 and 1
/// assert_eq!(disk.pending(), 2);
/// disk.cut(|write| write == 1).unwrap(); // block 2's write made it, block 1's did not
/// let mut blocks = [0; 2 * BLOCK_SIZE];
/// disk.read(1, &mut blocks).unwrap();
/// assert_eq!((blocks[0], blocks[BLOCK_SIZE]), (1, 2));
/// ```
#[derive(Clone, Debug)]
pub struct PowerCut<D> {
    medium: D,
    /// The unflushed block writes, oldest first.
    pending: Vec<(u64, [u8; BLOCK_SIZE])>,
}

impl<D: BlockDevice> PowerCut<D> {
    /// A disk whose durable contents are `medium`'s, with nothing pending.
    pub fn new(medium: D) -> PowerCut<D> {
        PowerCut { medium, pending: Vec::new() }
    }

    /// How many block writes a cut now could lose: one per block written
    /// since the last flush that returned `Ok`.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Cuts the power: each pending block write, numbered from 0 in the
    /// order it was made, reaches the medium if `keep` says so, and is
    /// lost otherwise. Then nothing is pending. An error is the medium's,
    /// from writing a kept block; the writes after it are lost.
    pub fn cut(&mut self, mut keep: impl FnMut(usize) -> bool) -> Result<(), BlockError> {
        for (index, (block, data)) in core::mem::take(&mut self.pending).into_iter().enumerate() {
            if keep(index) {
                self.medium.write(block, &data)?;
            }
        }
        Ok(())
    }

    /// Cuts the power, keeping a subset of the pending writes chosen by
    /// `seed` (each kept or lost as a pseudo-random bit says): the same
    /// seed, after the same writes, keeps the same ones, so a failing test
    /// can be run again.
    pub fn cut_seeded(&mut self, seed: u64) -> Result<(), BlockError> {
        // SplitMix64: a different, well-mixed word for each write.
        let mut state = seed;
        self.cut(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) & 1 == 1
        })
    }

    /// The medium, as it would be after a cut that lost everything pending.
    pub fn medium(&self) -> &D {
        &self.medium
    }

    /// Gives back the medium; pending writes are lost.
    pub fn into_inner(self) -> D {
        self.medium
    }
}

impl<D: BlockDevice> BlockDevice for PowerCut<D> {
    fn block_count(&self) -> u64 {
        self.medium.block_count()
    }

    fn read_only(&self) -> bool {
        self.medium.read_only()
    }

    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        check_request(block, buf.len(), self.medium.block_count())?;
        self.medium.read(block, buf)?;
        let end = block + (buf.len() / BLOCK_SIZE) as u64;
        // Later writes of a block cover earlier ones.
        for (written, data) in self.pending.iter().filter(|(b, _)| (block..end).contains(b)) {
            let at = (written - block) as usize * BLOCK_SIZE;
            buf[at..at + BLOCK_SIZE].copy_from_slice(data);
        }
        Ok(())
    }

    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        check_request(block, buf.len(), self.medium.block_count())?;
        if self.medium.read_only() {
            return Err(BlockError::ReadOnly);
        }
        let (blocks, _) = buf.as_chunks::<BLOCK_SIZE>();
        for (n, data) in blocks.iter().enumerate() {
            self.pending.push((block + n as u64, *data));
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), BlockError> {
        // Out to the medium, oldest first; what fails stays pending.
        while let Some((block, data)) = self.pending.first() {
            self.medium.write(*block, data)?;
            self.pending.remove(0);
        }
        self.medium.flush()
    }
}

#[cfg(test)]
mod test {
    use fledge_block::RamDisk;

    use super::*;

    fn disk() -> PowerCut<RamDisk<Vec<u8>>> {
        PowerCut::new(RamDisk::new(vec![0; 4 * BLOCK_SIZE]))
    }

    fn block(disk: &mut impl BlockDevice, n: u64) -> u8 {
        let mut buf = [0; BLOCK_SIZE];
        disk.read(n, &mut buf).unwrap();
        assert!(buf.iter().all(|&b| b == buf[0]), "block {n} is torn");
        buf[0]
    }

    #[test]
    fn reads_see_the_latest_pending_write_and_a_cut_keeps_what_it_is_told() {
        let mut disk = disk();
        disk.write(0, &[1; BLOCK_SIZE]).unwrap();
        disk.write(3, &[2; BLOCK_SIZE]).unwrap();
        disk.write(0, &[3; BLOCK_SIZE]).unwrap();
        assert_eq!((block(&mut disk, 0), block(&mut disk, 3)), (3, 2));
        assert_eq!(disk.medium().bytes(), &[0; 4 * BLOCK_SIZE][..], "nothing durable yet");
        // Keep the first write of block 0 and lose the second: reordered.
        disk.cut(|write| write == 0).unwrap();
        assert_eq!((block(&mut disk, 0), block(&mut disk, 3), disk.pending()), (1, 0, 0));
    }

    #[test]
    fn a_flush_makes_everything_before_it_survive_any_cut() {
        for seed in 0..32 {
            let mut disk = disk();
            disk.write(1, &[5; 2 * BLOCK_SIZE]).unwrap();
            disk.flush().unwrap();
            disk.write(2, &[6; 2 * BLOCK_SIZE]).unwrap();
            disk.cut_seeded(seed).unwrap();
            assert_eq!(block(&mut disk, 1), 5);
            assert!(matches!(block(&mut disk, 2), 5 | 6));
            assert!(matches!(block(&mut disk, 3), 0 | 6));
        }
    }

    #[test]
    fn seeds_choose_different_subsets_and_the_same_seed_the_same_one() {
        let kept = |seed| {
            let mut disk = disk();
            for n in 0..4 {
                disk.write(n, &[1; BLOCK_SIZE]).unwrap();
            }
            disk.cut_seeded(seed).unwrap();
            (0..4).map(|n| block(&mut disk, n)).collect::<Vec<_>>()
        };
        assert_eq!(kept(7), kept(7));
        let subsets: std::collections::BTreeSet<_> = (0..64).map(kept).collect();
        assert!(subsets.len() > 8, "64 seeds chose only {} subsets of 4 writes", subsets.len());
    }

    #[test]
    fn bad_requests_are_refused_and_queue_nothing() {
        let mut disk = PowerCut::new(RamDisk::read_only(vec![0; BLOCK_SIZE]));
        assert_eq!(disk.write(0, &[1; 10]), Err(BlockError::BadLength));
        assert_eq!(disk.write(1, &[1; BLOCK_SIZE]), Err(BlockError::OutOfRange));
        assert_eq!(disk.write(0, &[1; BLOCK_SIZE]), Err(BlockError::ReadOnly));
        assert_eq!(disk.read(u64::MAX, &mut [0; BLOCK_SIZE]), Err(BlockError::OutOfRange));
        assert_eq!((disk.pending(), disk.flush()), (0, Ok(())));
    }
}
