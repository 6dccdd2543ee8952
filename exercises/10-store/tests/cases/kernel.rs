//! Exercise 10's kernel tests: the store on a real virtio disk, checked
//! from outside.
//!
//! Both tests commit a fixed workload: commit n sets `page-(n % 5)` to a
//! text that names n, and every seventh commit also removes a page
//! ([`changes_of`]). So whatever the disk holds, the kernel knows what
//! every commit on it must say, and checks it each time it opens the
//! store. It prints `# ack NAME` when a commit returns `Ok`, and
//! `# opened at ID` when the store opens; the grader holds it to those
//! lines:
//!
//! - `commits_reach_the_disk`: after QEMU exits, the host's `tar tf` on
//!   the drive's image must list exactly the acknowledged commits
//!   (`[test.tar]`);
//! - `survives_power_loss`: the grader kills QEMU with SIGKILL at a
//!   random moment while it commits, boots again on the same image, and
//!   again (`[test.kills]`): each boot must open at a commit no older than
//!   the last one acknowledged before the kill.

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use fledge_api::store::{Change, CommitId, Store};
use fledge_api::{Clock, Instant};
use fledge_boot::Case;
use fledge_boot::com1::Com1;
use fledge_pci::dma;
use fledge_virtio_blk::VirtioBlock;
use fledge_virtio_blk::pci::Device;
use store::LogStore;
use store::record::member_name;

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![commits_reach_the_disk, survives_power_loss];

/// How many commits each boot of `survives_power_loss` makes past the one
/// it opened at: about 300 ms under TCG (1,100 to 1,700 commits a second),
/// longer than the 200 ms within which the grader kills a boot, so a
/// killed boot is nearly always still committing when the kill comes,
/// and the graded boot ends soon after.
const PER_BOOT: u32 = 400;

/// The first drive, started, with the heap and DMA memory set up first.
fn drive() -> VirtioBlock<Device> {
    static READY: spin::Once<()> = spin::Once::new();
    READY.call_once(|| {
        if let Err(error) = fledge_tasks::bringup::init() {
            panic!("the kernel did not come up: {error}");
        }
        let info = fledge_boot::runner::boot_info().expect("the runner has the boot information");
        let offset = info.physical_memory_offset.into_option().expect("the bootloader maps physical memory");
        // SAFETY: the bootloader maps all physical memory, device memory
        // included, at `offset`; bring-up's allocator holds only usable
        // frames, the heap's already taken out of it; this runs once.
        if unsafe { dma::init(fledge_tasks::bringup::frames(), offset) }.is_err() {
            panic!("DMA memory was set up twice");
        }
    });
    match VirtioBlock::find() {
        Ok(disk) => disk,
        Err(error) => panic!("the drive the grader attached did not start: {error}"),
    }
}

fn open(disk: VirtioBlock<Device>) -> LogStore<VirtioBlock<Device>> {
    match LogStore::open(disk) {
        Ok(store) => store,
        Err(error) => panic!("LogStore::open failed on the virtio disk: {error} ({error:?})"),
    }
}

/// Commit n's changes, and its message.
fn changes_of(n: u32) -> (Vec<Change>, String) {
    let text = format!("<p>version {n} of page {}</p>\n", n % 5);
    let len = text.len() * (1 + (n as usize * 37) % 20);
    let mut changes = alloc::vec![Change::set(format!("page-{}", n % 5), text.repeat(len / text.len()))];
    if n.is_multiple_of(7) {
        changes.push(Change::remove(format!("page-{}", (n + 2) % 5)));
    }
    (changes, format!("edit {n}"))
}

/// Checks that the store holds exactly commits 1 to its head of the
/// workload: each commit's changes, and the keys at the head.
fn check_workload(store: &mut LogStore<VirtioBlock<Device>>) {
    let head = store.head().map_or(0, |id| id.0);
    let mut keys: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    // One commit at a time: after twenty kills the log holds thousands,
    // more than `history()` could return at once on a 2 MiB heap.
    for id in 1..=head {
        let commit = store.read_commit(CommitId(id)).unwrap_or_else(|e| panic!("reading commit {id} failed: {e}"));
        let (changes, message) = changes_of(id);
        assert!(
            commit.changes == changes && commit.message == message,
            "commit {} on the disk is not the commit that was made",
            commit.id
        );
        for change in &changes {
            match change {
                Change::Set { key, value } => keys.insert(key.clone(), value.clone()),
                Change::Remove { key } => keys.remove(key),
            };
        }
    }
    let index: Vec<(&[u8], &[u8])> = store.index().iter().collect();
    let want: Vec<(&[u8], &[u8])> = keys.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect();
    assert!(index == want, "the index at commit {head} is not what commits 1 to {head} set");
}

/// Makes commit n of the workload and prints its acknowledgement.
fn commit(store: &mut LogStore<VirtioBlock<Device>>, n: u32) {
    let (changes, message) = changes_of(n);
    match store.commit(&changes, "fledge", &message) {
        Ok(id) if id == CommitId(n) => {
            let name = member_name(id, &message);
            let _ = writeln!(Com1, "# ack {}", String::from_utf8_lossy(&name));
        }
        Ok(other) => panic!("commit {n} came back as commit {other}"),
        Err(error) => panic!("commit {n} failed: {error} ({error:?})"),
    }
}

fn commits_reach_the_disk() {
    let mut store = open(drive());
    assert_eq!(store.head(), None, "the drive is zeros: an empty store");
    let clock = fledge_tasks::bringup::init().expect("up");
    let start: Instant = clock.now();
    for n in 1..=40 {
        commit(&mut store, n);
    }
    let took = clock.now().saturating_duration_since(start);
    let _ = writeln!(Com1, "# 40 commits in {} ms", took.as_millis());
    drop(store);
    // Start the device again from scratch and read everything back.
    let mut again = open(drive());
    assert_eq!(again.head(), Some(CommitId(40)), "40 commits were made; the store opens at another");
    check_workload(&mut again);
}

fn survives_power_loss() {
    let mut store = open(drive());
    let head = store.head().map_or(0, |id| id.0);
    if let Some((block, why)) = store.truncated() {
        let _ = writeln!(Com1, "# recovery truncated the log at block {block}: {why}");
    }
    let _ = writeln!(Com1, "# opened at {}", CommitId(head));
    check_workload(&mut store);
    let clock = fledge_tasks::bringup::init().expect("up");
    let start: Instant = clock.now();
    for n in head + 1..=head + PER_BOOT {
        commit(&mut store, n);
    }
    let took = clock.now().saturating_duration_since(start);
    let _ = writeln!(Com1, "# {PER_BOOT} commits in {} ms", took.as_millis());
}
