//! Exercise 09's kernel tests: a real virtio disk, checked from outside.
//!
//! Each test gets the drive its entry in exercise.toml names, made fresh
//! by the grader for its boot: the first virtio block device on the bus.
//!
//! - `data`: 1 MiB filled with the pattern of `fledge_api::block`
//!   (`pattern_byte(0, offset)`), so a read can be checked here, byte by
//!   byte, against what the grader put there;
//! - the same drive for `writes_reach_the_image`, whose writes the
//!   grader checks after QEMU exits by reading the image file: the blocks
//!   written must hold the written pattern (seed 1), every other byte the
//!   fill. The kernel's own word is not taken for it;
//! - `ro`: attached read-only; the grader checks that nothing changed;
//! - `flaky`: every flush fails with an I/O error (QEMU's `blkdebug`), so
//!   a `flush` that never reaches the device shows;
//! - `scratch`: zeros, for the `BlockDevice` conformance suite.

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError, pattern_block};
use fledge_boot::Case;
use fledge_conformance::block as conformance;
use fledge_memory::frames::BitmapFrameAllocator;
use fledge_pci::dma;
use virtio_blk::VirtioBlock;
use virtio_blk::pci::Device;

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![
    reads_the_pattern,
    writes_reach_the_image,
    read_only_drive_refuses_writes,
    a_failed_flush_is_reported,
    conforms
];

/// The blocks `writes_reach_the_image` writes, as its `[test.disk]`
/// entry in exercise.toml lists them: three in one request, one alone.
const WRITTEN: [u64; 4] = [1, 2, 3, 700];

static FRAMES: spin::Mutex<BitmapFrameAllocator> = spin::Mutex::new(BitmapFrameAllocator::empty());

/// The first drive, started, with DMA memory set up first.
fn drive() -> VirtioBlock<Device> {
    let info = fledge_boot::runner::boot_info().expect("the runner has the boot information");
    // Each test runs once a boot, but several run in one boot: the
    // second call finds the memory set up already, which is fine.
    let _ = dma::init_from_boot_info(&FRAMES, info);
    match VirtioBlock::find() {
        Ok(disk) => disk,
        Err(error) => panic!("the drive the grader attached did not start: {error}"),
    }
}

/// Checks that `got` holds block `block`'s pattern, and says where not.
fn check_pattern(seed: u8, block: u64, got: &[u8]) {
    let mut want = [0u8; BLOCK_SIZE];
    pattern_block(seed, block, &mut want);
    let Some(at) = (0..BLOCK_SIZE).find(|&i| got[i] != want[i]) else { return };
    let mut neighbour = [0u8; BLOCK_SIZE];
    for other in [block.wrapping_sub(1), block + 1] {
        pattern_block(seed, other, &mut neighbour);
        if got[..BLOCK_SIZE] == neighbour {
            panic!(
                "block {block} read back holds block {other}'s bytes: the request went to the wrong sector (off by one?)"
            );
        }
    }
    panic!(
        "block {block}, byte {at}: read {:#04x}, but the drive holds {:#04x} there (the fill pattern the grader made)",
        got[at], want[at]
    );
}

fn reads_the_pattern() {
    let mut disk = drive();
    assert_eq!(disk.block_count(), 2048, "the drive `data` has 2048 blocks (1 MiB)");
    let mut one = [0u8; BLOCK_SIZE];
    for block in [0, 1, 2047] {
        disk.read(block, &mut one).unwrap_or_else(|e| panic!("reading block {block}: {e}"));
        check_pattern(0, block, &one);
    }
    // 300 blocks at once: more than one request's worth.
    static BIG: spin::Mutex<[u8; 300 * BLOCK_SIZE]> = spin::Mutex::new([0; 300 * BLOCK_SIZE]);
    let mut big = BIG.lock();
    disk.read(1000, &mut big[..]).unwrap_or_else(|e| panic!("reading 300 blocks from 1000: {e}"));
    for (i, block) in big.chunks(BLOCK_SIZE).enumerate() {
        check_pattern(0, 1000 + i as u64, block);
    }
}

fn writes_reach_the_image() {
    let mut disk = drive();
    let mut three = [0u8; 3 * BLOCK_SIZE];
    for (i, block) in three.chunks_mut(BLOCK_SIZE).enumerate() {
        pattern_block(1, WRITTEN[0] + i as u64, block.try_into().expect("a block"));
    }
    disk.write(WRITTEN[0], &three).unwrap_or_else(|e| panic!("writing blocks 1 to 3: {e}"));
    let mut one = [0u8; BLOCK_SIZE];
    pattern_block(1, WRITTEN[3], &mut one);
    disk.write(WRITTEN[3], &one).unwrap_or_else(|e| panic!("writing block 700: {e}"));
    disk.flush().unwrap_or_else(|e| panic!("flushing: {e}"));
    // A completed write is seen by every later read.
    let mut back = [0u8; BLOCK_SIZE];
    disk.read(WRITTEN[3], &mut back).unwrap_or_else(|e| panic!("reading block 700 back: {e}"));
    assert!(back == one, "block 700 read back is not what was just written to it");
}

fn read_only_drive_refuses_writes() {
    let mut disk = drive();
    assert!(disk.read_only(), "the drive `ro` is attached read-only, and the device says so: read_only() must be true");
    let block = [0u8; BLOCK_SIZE];
    assert_eq!(disk.write(5, &block), Err(BlockError::ReadOnly), "a write to the read-only drive must be refused");
    let mut read = [0u8; BLOCK_SIZE];
    disk.read(5, &mut read).unwrap_or_else(|e| panic!("reads of a read-only drive work, but: {e}"));
    check_pattern(0, 5, &read);
}

fn a_failed_flush_is_reported() {
    let mut disk = drive();
    let mut block = [0u8; BLOCK_SIZE];
    pattern_block(1, 9, &mut block);
    disk.write(9, &block).unwrap_or_else(|e| panic!("writing block 9: {e}"));
    assert_eq!(
        disk.flush(),
        Err(BlockError::Io),
        "this drive fails every flush with an I/O error (the grader set it up so), but flush did not report it: did the flush request reach the device?"
    );
}

fn conforms() {
    conformance::all(&mut drive());
}
