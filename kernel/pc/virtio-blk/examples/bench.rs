//! Sequential throughput of `VirtioBlock`, in QEMU.
//!
//! `scripts/bench-block.sh` boots this kernel with a scratch drive of at
//! least 32 MiB and times, from the host, the lines it prints around each
//! run: `# bench start write 512`, then `# bench end write 512 4194304`
//! (the bytes moved). Writes end with a flush, so they are timed to the
//! disk's cache of the host, as `dd conv=fdatasync` is.

#![cfg_attr(target_os = "none", no_std, no_main)]

use core::fmt::Write;

use fledge_api::block::{BLOCK_SIZE, BlockDevice};
use fledge_boot::Case;
use fledge_boot::com1::Com1;
use fledge_memory::frames::BitmapFrameAllocator;
use fledge_virtio_blk::VirtioBlock;

static CASES: &[Case] = fledge_boot::cases![sequential];

static FRAMES: spin::Mutex<BitmapFrameAllocator> = spin::Mutex::new(BitmapFrameAllocator::empty());

/// The request sizes, and how many bytes each run moves.
const RUNS: [(usize, usize); 2] = [(512, 4 << 20), (64 << 10, 32 << 20)];

fn sequential() {
    let info = fledge_boot::runner::boot_info().expect("the runner has the boot information");
    fledge_pci::dma::init_from_boot_info(&FRAMES, info).expect("DMA memory, once");
    let mut disk = match VirtioBlock::find() {
        Ok(disk) => disk,
        Err(error) => panic!("no drive to measure: {error} (run scripts/bench-block.sh, which attaches one)"),
    };
    let needed = RUNS.iter().map(|&(_, total)| total).max().unwrap_or(0) as u64 / BLOCK_SIZE as u64;
    assert!(disk.block_count() >= needed, "the drive has {} blocks; the benchmark needs {needed}", disk.block_count());
    static BUF: spin::Mutex<[u8; 64 << 10]> = spin::Mutex::new([0x5A; 64 << 10]);
    let mut buf = BUF.lock();
    for (size, total) in RUNS {
        let blocks = (size / BLOCK_SIZE) as u64;
        let _ = writeln!(Com1, "# bench start write {size}");
        for i in 0..(total / size) as u64 {
            disk.write(i * blocks, &buf[..size]).expect("a benchmark write");
        }
        disk.flush().expect("the benchmark's flush");
        let _ = writeln!(Com1, "# bench end write {size} {total}");
        let _ = writeln!(Com1, "# bench start read {size}");
        for i in 0..(total / size) as u64 {
            disk.read(i * blocks, &mut buf[..size]).expect("a benchmark read");
        }
        let _ = writeln!(Com1, "# bench end read {size} {total}");
    }
}

fledge_boot::test_kernel!(CASES);
