//! Commits per second of `LogStore` on the host, and what each commit
//! asks of the disk: over a file (`HostDisk`, whose flush is
//! `fdatasync`) and over a RAM disk.
//!
//! ```text
//! cargo run --release -p fledge-store --example bench [COMMITS]
//! ```
//!
//! The workload is exercise 10's kernel workload: commit n sets one page
//! of a few hundred bytes, and every seventh commit removes another.
//! scripts/bench-store.sh runs this beside the QEMU figures.

use std::time::Instant;

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError};
use fledge_api::store::{Change, Store};
use fledge_block::RamDisk;
use fledge_hosted::HostDisk;
use fledge_store::LogStore;

/// Counts the requests that reach the disk below.
struct Counting<D> {
    disk: D,
    writes: u64,
    blocks: u64,
    flushes: u64,
}

impl<D: BlockDevice> BlockDevice for Counting<D> {
    fn block_count(&self) -> u64 {
        self.disk.block_count()
    }
    fn read_only(&self) -> bool {
        self.disk.read_only()
    }
    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.disk.read(block, buf)
    }
    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        self.writes += 1;
        self.blocks += (buf.len() / BLOCK_SIZE) as u64;
        self.disk.write(block, buf)
    }
    fn flush(&mut self) -> Result<(), BlockError> {
        self.flushes += 1;
        self.disk.flush()
    }
}

/// Commit n of the workload.
fn changes_of(n: u32) -> Vec<Change> {
    let text = format!("<p>version {n} of page {}</p>\n", n % 5);
    let mut changes = vec![Change::set(format!("page-{}", n % 5), text.repeat(1 + (n as usize * 37) % 20))];
    if n.is_multiple_of(7) {
        changes.push(Change::remove(format!("page-{}", (n + 2) % 5)));
    }
    changes
}

fn run<D: BlockDevice>(name: &str, disk: D, commits: u32) {
    let mut store = LogStore::open(Counting { disk, writes: 0, blocks: 0, flushes: 0 }).expect("an empty store opens");
    let start = Instant::now();
    for n in 1..=commits {
        store.commit(&changes_of(n), "fledge", &format!("edit {n}")).expect("the commit is made");
    }
    let took = start.elapsed();
    let disk = store.into_inner();
    let per = |x: u64| x as f64 / f64::from(commits);
    println!(
        "{name:<10} {commits} commits in {:.3} s: {:.0} commits/s; per commit {:.1} flushes, {:.1} writes, {:.1} blocks",
        took.as_secs_f64(),
        f64::from(commits) / took.as_secs_f64(),
        per(disk.flushes),
        per(disk.writes),
        per(disk.blocks)
    );
}

fn main() {
    let commits: u32 = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(3000);
    let blocks = u64::from(commits) * 4 + 16;
    run("ram disk", RamDisk::new(vec![0; blocks as usize * BLOCK_SIZE]), commits);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = HostDisk::create(dir.path().join("disk.img"), blocks).expect("the image file is made");
    run("host file", file, commits);
}
