//! The [`BlockDevice`] contract, checked.
//!
//! The suite writes blocks whose bytes say where they were meant to go,
//! reads them back, and sends requests the contract says must be refused:
//!
//! - [`whole_blocks_round_trip`]: single blocks (written last to first, so
//!   that a write that spills into the next block is seen), a two-block
//!   write in the middle of them, the last two blocks as one write, and a
//!   four-block read over them: every block reads back as written, and no
//!   other block changes;
//! - [`bad_lengths_are_refused`]: reads and writes of 0, 1, 511, 513 and
//!   1,000 bytes are `Err(BadLength)`, and change neither the disk nor the
//!   buffer of the read;
//! - [`out_of_range_is_refused`]: requests at and past the end, one that
//!   starts on the last block and ends past it, and ones whose end
//!   overflows a `u64`, are `Err(OutOfRange)`, and change nothing;
//! - [`flush_works`]: flushes return `Ok`, with and without writes before;
//! - [`read_only_refuses_writes`]: on a read-only device, writes are
//!   `Err(ReadOnly)` and the data stays;
//! - [`flushed_writes_survive_a_cut`]: with a power cut the caller makes
//!   (`fledge_fakes::PowerCut::cut`, say), every block written and flushed
//!   reads back as flushed, and every block written since the flush reads
//!   as either its flushed or its new contents, nothing else.
//!
//! [`all`] runs the checks that suit the device, read-only or not. The
//! writing checks overwrite blocks at both ends of the device: run them on
//! a scratch disk. A writable device needs [`MIN_BLOCKS`] blocks.
//!
//! # What the suite cannot catch
//!
//! - **A panic.** A device that panics on a bad request fails the suite
//!   with its own panic message: the suite runs in kernels, where a panic
//!   cannot be caught, so it does not try.
//! - **A lying flush, without a cut.** Through the trait, a flush that
//!   does nothing looks like one that works. Only
//!   [`flushed_writes_survive_a_cut`] can tell, and only with a cut that
//!   loses what the device holds back; on real hardware that means pulling
//!   the plug, which no test here does.
//! - **Blocks it does not touch.** It writes the first four blocks and the
//!   last two. A device that is wrong only in the middle of a large disk
//!   (a 32-bit offset that wraps past 2 GiB, say) passes.
//! - **Failures.** It cannot make a device fail with `Full` or `Io`, so
//!   what a failure leaves behind is not checked; nor is a refusal with
//!   `Busy`, which a working device has no reason to give.
//! - **Hangs, slowness, and sharing a device between threads.**

use core::fmt;

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError};

/// The fewest blocks a writable device must have for the suite.
pub const MIN_BLOCKS: u64 = 4;

/// The lengths [`bad_lengths_are_refused`] tries: none is a non-zero
/// multiple of [`BLOCK_SIZE`].
pub const BAD_LENGTHS: [usize; 5] = [0, 1, BLOCK_SIZE - 1, BLOCK_SIZE + 1, 1000];

/// A block as the suite writes it: bytes 0..8 are the block it was meant
/// for (little-endian), byte 8 the step of the suite that wrote it, and the
/// rest follow from those two, so that no two blocks the suite writes are
/// alike and a block read back can say where it came from.
fn pattern(block: u64, step: u8) -> [u8; BLOCK_SIZE] {
    let mut data = [0u8; BLOCK_SIZE];
    data[..8].copy_from_slice(&block.to_le_bytes());
    data[8] = step;
    let mut x = block ^ (u64::from(step) << 56) ^ 0x5bd1_e995_1234_5678;
    for byte in &mut data[9..] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *byte = (x >> 32) as u8;
    }
    data
}

/// Says what a block read back holds, for a failure message.
struct Looks<'a>(&'a [u8]);

impl fmt::Display for Looks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let mut header = [0u8; 8];
        header.copy_from_slice(&bytes[..8]);
        let (block, step) = (u64::from_le_bytes(header), bytes[8]);
        if bytes == pattern(block, step) {
            write!(f, "the data written to block {block} in step {step}")
        } else {
            write!(f, "bytes the suite did not write, starting {:02x?}", &bytes[..12])
        }
    }
}

/// Two blocks side by side in one buffer.
fn two_blocks(first: [u8; BLOCK_SIZE], second: [u8; BLOCK_SIZE]) -> [u8; 2 * BLOCK_SIZE] {
    let mut both = [0u8; 2 * BLOCK_SIZE];
    both[..BLOCK_SIZE].copy_from_slice(&first);
    both[BLOCK_SIZE..].copy_from_slice(&second);
    both
}

fn write(device: &mut impl BlockDevice, block: u64, buf: &[u8]) {
    if let Err(error) = device.write(block, buf) {
        panic!(
            "a write of {} block(s) at block {block} failed with {error:?} ({error}), on a device of {} blocks",
            buf.len() / BLOCK_SIZE,
            device.block_count()
        );
    }
}

fn read(device: &mut impl BlockDevice, block: u64, buf: &mut [u8]) {
    if let Err(error) = device.read(block, buf) {
        panic!(
            "a read of {} block(s) at block {block} failed with {error:?} ({error}), on a device of {} blocks",
            buf.len() / BLOCK_SIZE,
            device.block_count()
        );
    }
}

fn flush(device: &mut impl BlockDevice) {
    if let Err(error) = device.flush() {
        panic!("a flush failed with {error:?} ({error}): a healthy device flushes");
    }
}

/// Reads block `block` and panics, saying `why`, unless it holds `expected`.
fn expect(device: &mut impl BlockDevice, block: u64, expected: &[u8; BLOCK_SIZE], why: &str) {
    let mut buf = [0u8; BLOCK_SIZE];
    read(device, block, &mut buf);
    if buf != *expected {
        panic!("block {block} reads back as {}, not {} ({why})", Looks(&buf), Looks(expected));
    }
}

fn need_writable(device: &impl BlockDevice) {
    assert!(!device.read_only(), "this check writes: it needs a device that is not read-only");
    assert!(
        device.block_count() >= MIN_BLOCKS,
        "the device has {} blocks; the suite needs at least {MIN_BLOCKS}",
        device.block_count()
    );
}

/// Whole blocks read back as written, one or several at a time, at both
/// ends of the device, and a write changes no block outside its request.
pub fn whole_blocks_round_trip(device: &mut impl BlockDevice) {
    need_writable(device);
    let last = device.block_count() - 1;
    // Step 1: single blocks, last first, so that a write that also
    // changes the block after it spoils one already written.
    let singles = [last, last - 1, 3, 2, 1, 0];
    for &block in &singles {
        write(device, block, &pattern(block, 1));
    }
    for &block in &singles {
        expect(device, block, &pattern(block, 1), "written alone in step 1");
    }
    // Step 2: blocks 1 and 2 in one write; 0 and 3 must not change.
    write(device, 1, &two_blocks(pattern(1, 2), pattern(2, 2)));
    let mut four = [0u8; 4 * BLOCK_SIZE];
    read(device, 0, &mut four);
    let expected = [pattern(0, 1), pattern(1, 2), pattern(2, 2), pattern(3, 1)];
    for (block, (got, want)) in four.chunks(BLOCK_SIZE).zip(&expected).enumerate() {
        if got != want {
            panic!(
                "in a read of blocks 0 to 3, after a write of blocks 1 and 2, block {block} reads as {}, not {}",
                Looks(got),
                Looks(want)
            );
        }
    }
    // Step 3: the last two blocks in one write, read back one at a time.
    write(device, last - 1, &two_blocks(pattern(last - 1, 3), pattern(last, 3)));
    expect(device, last - 1, &pattern(last - 1, 3), "the first of the last two blocks, written together in step 3");
    expect(device, last, &pattern(last, 3), "the last block, written with the one before it in step 3");
    expect(device, 0, &pattern(0, 1), "a write at the end changed the start");
}

/// Requests of [`BAD_LENGTHS`] are refused with `BadLength`, and change
/// neither the disk nor a read's buffer. On a read-only device, writes
/// may be refused with `ReadOnly` instead.
pub fn bad_lengths_are_refused(device: &mut impl BlockDevice) {
    let read_only = device.read_only();
    let mut before = [0u8; 2 * BLOCK_SIZE];
    if !read_only {
        need_writable(device);
        before = two_blocks(pattern(0, 4), pattern(1, 4));
        write(device, 0, &before);
    } else {
        read(device, 0, &mut before[..BLOCK_SIZE]);
    }
    let mut buf = [0u8; 1000];
    for len in BAD_LENGTHS {
        buf.fill(0xee);
        let result = device.read(0, &mut buf[..len]);
        assert!(
            result == Err(BlockError::BadLength),
            "a read of {len} bytes at block 0 returned {result:?}, not Err(BadLength): \
             a buffer must be a non-zero multiple of {BLOCK_SIZE} bytes"
        );
        assert!(buf.iter().all(|&b| b == 0xee), "a refused read of {len} bytes changed the buffer");
        let result = device.write(0, &buf[..len]);
        let allowed = result == Err(BlockError::BadLength) || (read_only && result == Err(BlockError::ReadOnly));
        assert!(
            allowed,
            "a write of {len} bytes at block 0 returned {result:?}, not Err(BadLength): \
             a buffer must be a non-zero multiple of {BLOCK_SIZE} bytes"
        );
    }
    let mut after = [0u8; 2 * BLOCK_SIZE];
    let blocks = if read_only { 1 } else { 2 };
    read(device, 0, &mut after[..blocks * BLOCK_SIZE]);
    for block in 0..blocks {
        let range = block * BLOCK_SIZE..(block + 1) * BLOCK_SIZE;
        if after[range.clone()] != before[range.clone()] {
            panic!(
                "after writes of bad lengths were refused, block {block} reads as {}, not {}: a refusal changes nothing",
                Looks(&after[range.clone()]),
                Looks(&before[range])
            );
        }
    }
}

/// Requests that reach past the end are refused with `OutOfRange` and
/// change nothing: at the end, across it, far past it, and with an end
/// that overflows. On a read-only device, writes may be refused with
/// `ReadOnly` instead.
pub fn out_of_range_is_refused(device: &mut impl BlockDevice) {
    let count = device.block_count();
    let read_only = device.read_only();
    assert!(count >= 1, "the device has no blocks");
    let last = count - 1;
    let (mut first_before, mut last_before) = ([0u8; BLOCK_SIZE], [0u8; BLOCK_SIZE]);
    if !read_only {
        need_writable(device);
        write(device, 0, &pattern(0, 5));
        write(device, last, &pattern(last, 5));
    }
    read(device, 0, &mut first_before);
    read(device, last, &mut last_before);
    // (first block, blocks): each reaches past block `last`.
    let requests = [(count, 1), (last, 2), (count.saturating_add(1000), 1), (u64::MAX, 1), (u64::MAX - 1, 2)];
    let mut buf = [0u8; 2 * BLOCK_SIZE];
    for (block, blocks) in requests {
        let len = blocks * BLOCK_SIZE;
        buf.fill(0xee);
        let result = device.read(block, &mut buf[..len]);
        assert!(
            result == Err(BlockError::OutOfRange),
            "a read of {blocks} block(s) at block {block} returned {result:?}, not Err(OutOfRange): \
             the device has {count} blocks"
        );
        assert!(
            buf.iter().all(|&b| b == 0xee),
            "a refused read of {blocks} block(s) at block {block} changed the buffer"
        );
        let data = two_blocks(pattern(last, 6), pattern(0, 6));
        let result = device.write(block, &data[..len]);
        let allowed = result == Err(BlockError::OutOfRange) || (read_only && result == Err(BlockError::ReadOnly));
        assert!(
            allowed,
            "a write of {blocks} block(s) at block {block} returned {result:?}, not Err(OutOfRange): \
             the device has {count} blocks"
        );
    }
    let why = "requests past the end were refused, and a refusal changes nothing";
    expect(device, 0, &first_before, why);
    expect(device, last, &last_before, why);
}

/// Flushes return `Ok`: with nothing written, after a write (which then
/// still reads back), and twice in a row.
pub fn flush_works(device: &mut impl BlockDevice) {
    flush(device);
    if !device.read_only() {
        need_writable(device);
        write(device, 2, &pattern(2, 7));
        flush(device);
        expect(device, 2, &pattern(2, 7), "written in step 7, then flushed");
    }
    flush(device);
}

/// On a read-only device, whole-block writes in range are refused with
/// `ReadOnly`, and every block keeps its data.
pub fn read_only_refuses_writes(device: &mut impl BlockDevice) {
    assert!(device.read_only(), "this check needs a device that says it is read-only");
    let last = device.block_count().checked_sub(1).expect("the device has no blocks");
    let (mut first, mut end) = ([0u8; BLOCK_SIZE], [0u8; BLOCK_SIZE]);
    read(device, 0, &mut first);
    read(device, last, &mut end);
    for (block, data) in [(0, &pattern(0, 8)[..]), (last, &pattern(last, 8)[..])] {
        let result = device.write(block, data);
        assert!(
            result == Err(BlockError::ReadOnly),
            "a write of block {block} to a read-only device returned {result:?}, not Err(ReadOnly)"
        );
    }
    flush(device);
    let why = "the device is read-only";
    expect(device, 0, &first, why);
    expect(device, last, &end, why);
}

/// Durability: blocks written and then flushed survive `cut`, a power cut
/// the caller makes (it may lose any subset of the writes not yet
/// flushed); blocks written after the last flush read as either their
/// flushed or their new contents. After the cut the device still works.
///
/// Blocks 0 to 3 are written and flushed, 1 and 2 again and flushed, then
/// 0 and 2 written and not flushed before the cut.
pub fn flushed_writes_survive_a_cut<D: BlockDevice>(device: &mut D, mut cut: impl FnMut(&mut D)) {
    need_writable(device);
    for block in 0..4 {
        write(device, block, &pattern(block, 10));
    }
    flush(device);
    write(device, 1, &two_blocks(pattern(1, 11), pattern(2, 11)));
    write(device, 3, &pattern(3, 12));
    flush(device);
    write(device, 0, &pattern(0, 13));
    write(device, 2, &pattern(2, 14));
    cut(device);
    let flushed = "written and flushed before the power cut: flush returned Ok before the write was durable";
    expect(device, 1, &pattern(1, 11), flushed);
    expect(device, 3, &pattern(3, 12), flushed);
    for (block, old, new) in [(0, pattern(0, 10), pattern(0, 13)), (2, pattern(2, 11), pattern(2, 14))] {
        let mut buf = [0u8; BLOCK_SIZE];
        read(device, block, &mut buf);
        if buf != old && buf != new {
            panic!(
                "after a power cut, block {block} reads as {}; it was flushed as {} and written since as {}, \
                 and must read as one of those two",
                Looks(&buf),
                Looks(&old),
                Looks(&new)
            );
        }
    }
    write(device, 2, &pattern(2, 15));
    flush(device);
    expect(device, 2, &pattern(2, 15), "written and flushed after the power cut");
}

/// Every check that suits `device`: the writing ones if it is writable,
/// [`read_only_refuses_writes`] if it is not. (Durability needs a cut the
/// caller makes: [`flushed_writes_survive_a_cut`].)
pub fn all(device: &mut impl BlockDevice) {
    if device.read_only() {
        read_only_refuses_writes(device);
    } else {
        whole_blocks_round_trip(device);
    }
    bad_lengths_are_refused(device);
    out_of_range_is_refused(device);
    flush_works(device);
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn patterns_differ_by_block_and_step_and_say_where_they_came_from() {
        assert_ne!(pattern(0, 1), pattern(1, 1));
        assert_ne!(pattern(0, 1), pattern(0, 2));
        assert_ne!(pattern(0, 1)[9..], pattern(1, 1)[9..]);
        extern crate std;
        use std::string::ToString;
        assert_eq!(Looks(&pattern(7, 3)).to_string(), "the data written to block 7 in step 3");
        assert_eq!(
            Looks(&[0; BLOCK_SIZE]).to_string(),
            "bytes the suite did not write, starting [00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00, 00]"
        );
    }
}
