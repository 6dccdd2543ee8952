//! Exercise 10's host tests: the store over a RAM disk, a disk that cuts
//! the power, and disks that refuse.
//!
//! The power-cut test is the one the chapter is about. It runs seeded
//! random workloads of commits over `fledge_fakes::PowerCut`, and at
//! every write and every flush the store makes, it copies the disk and
//! cuts the power of the copy, keeping every allowed subset of the
//! unflushed writes (a sample of 16 when there are more than 4). Each
//! copy must then open with every acknowledged commit whole, and nothing
//! of the commit in flight unless all of it. How many cut points it
//! tries is printed; `FLEDGE_POWER_CUT_WORKLOADS` sets how many workloads
//! (the benchmark script runs more), `FLEDGE_POWER_CUT_TAR=all` runs the
//! host's `tar` on every image instead of a sample.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::process::Command;
use std::rc::Rc;

use fledge_api::block::{BLOCK_SIZE, BlockDevice, BlockError};
use fledge_api::store::{Change, CommitId, Store, StoreError};
use fledge_block::RamDisk;
use fledge_fakes::{AlwaysBusy, AlwaysFull, FailAfter, PowerCut};
use store::LogStore;
use store::log::{self, Tear};

type Disk = RamDisk<Vec<u8>>;

fn disk(blocks: usize) -> Disk {
    RamDisk::new(vec![0; blocks * BLOCK_SIZE])
}

fn open<D: BlockDevice>(device: D) -> LogStore<D> {
    LogStore::open(device).unwrap_or_else(|e| panic!("LogStore::open failed: {e} ({e:?})"))
}

fn value(store: &mut impl Store, key: &str) -> Option<String> {
    let got = store.get(key.as_bytes()).unwrap_or_else(|e| panic!("get({key:?}) failed: {e}"));
    got.map(|v| String::from_utf8(v).unwrap())
}

fn value_at(store: &mut impl Store, key: &str, at: u32) -> Option<String> {
    let got =
        store.get_at(key.as_bytes(), CommitId(at)).unwrap_or_else(|e| panic!("get_at({key:?}, {at}) failed: {e}"));
    got.map(|v| String::from_utf8(v).unwrap())
}

/// Writes an image to a file and runs the host's `tar` on it: `tar
/// {mode} disk.img {members...}`.
fn tar(image: &[u8], mode: &str, members: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disk.img");
    std::fs::write(&path, image).unwrap();
    let out = Command::new("tar").arg(mode).arg(&path).args(members).output().expect("the host has GNU tar");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_index_follows_every_change() {
    let mut index = store::index::Index::new();
    index.apply(&[Change::set("a", "1"), Change::set("b", "2")]);
    index.apply(&[Change::set("a", "3"), Change::remove("b"), Change::set("c", "4"), Change::set("c", "5")]);
    index.apply(&[Change::remove("never-set")]);
    let keys: Vec<(&[u8], &[u8])> = index.iter().collect();
    assert_eq!(
        keys,
        [(&b"a"[..], &b"3"[..]), (&b"c"[..], &b"5"[..])],
        "after set a=1 b=2, then set a=3, remove b, set c=4 then c=5: a later change of a key wins, and a removed key is gone"
    );
}

#[test]
fn commits_read_back_after_reopening() {
    let mut store = open(disk(64));
    assert_eq!(store.head(), None, "an empty disk is an empty store");
    let one = store.commit(&[Change::set("index.html", "<h1>Hi")], "ada", "first page").unwrap();
    let two = store
        .commit(&[Change::set("about.html", "<p>Me"), Change::set("index.html", "<h1>Hi!")], "ada", "more")
        .unwrap();
    assert_eq!((one, two), (CommitId(1), CommitId(2)), "commit ids count up from 1");
    assert_eq!(value(&mut store, "index.html").as_deref(), Some("<h1>Hi!"), "the head's value, before reopening");
    let mut again = open(store.into_inner());
    assert_eq!(again.head(), Some(CommitId(2)), "both commits are found when the disk is opened again");
    assert_eq!(value(&mut again, "index.html").as_deref(), Some("<h1>Hi!"));
    assert_eq!(value(&mut again, "about.html").as_deref(), Some("<p>Me"));
    assert_eq!(value(&mut again, "missing"), None);
    let three = again.commit(&[Change::remove("about.html")], "bob", "no about page").unwrap();
    assert_eq!(three, CommitId(3), "a commit after reopening follows the last one");
    let mut third = open(again.into_inner());
    assert_eq!(value(&mut third, "about.html"), None, "a removed key stays removed after reopening");

    // A disk that holds something else is not written over.
    let other = RamDisk::new(vec![0xa5; 16 * BLOCK_SIZE]);
    assert_eq!(LogStore::open(other).map(|_| ()), Err(StoreError::Corrupt), "a disk of something else is refused");
}

#[test]
fn old_versions_history_and_revert() {
    let mut store = open(disk(64));
    store.set_time(1_764_547_200);
    store.commit(&[Change::set("page", "one")], "ada", "first").unwrap();
    store.commit(&[Change::set("page", "two"), Change::set("other", "x")], "ada", "second").unwrap();
    store.commit(&[Change::remove("page")], "bob", "third").unwrap();
    assert_eq!(value_at(&mut store, "page", 1).as_deref(), Some("one"));
    assert_eq!(value_at(&mut store, "page", 2).as_deref(), Some("two"));
    assert_eq!(value_at(&mut store, "page", 3), None);
    assert_eq!(value_at(&mut store, "other", 1), None, "not yet set at commit 1");
    assert_eq!(store.get_at(b"page", CommitId(9)), Err(StoreError::NotFound));

    let reverted = store.revert(CommitId(2), "carol").unwrap();
    assert_eq!(reverted, CommitId(4));
    assert_eq!(value(&mut store, "page"), Some("one".into()), "reverting 2 gives page its value from before 2");
    assert_eq!(value(&mut store, "other"), None, "and removes what 2 added");

    let history = store.history().unwrap();
    let listed: Vec<(u32, Vec<CommitId>, &str, &str)> =
        history.iter().map(|c| (c.id.0, c.parents.clone(), c.author.as_str(), c.message.as_str())).collect();
    assert_eq!(
        listed,
        [
            (4, vec![CommitId(3)], "carol", "revert 000002: second"),
            (3, vec![CommitId(2)], "bob", "third"),
            (2, vec![CommitId(1)], "ada", "second"),
            (1, vec![], "ada", "first"),
        ],
        "history is newest first, each commit's parent the one before"
    );
    assert!(history.iter().all(|c| c.time == 1_764_547_200), "the time the store was given");
    assert_eq!(history[3].changes, [Change::set("page", "one")]);
}

#[test]
fn gnu_tar_reads_the_log() {
    let mut store = open(disk(64));
    store.set_time(1_764_547_200);
    store.commit(&[Change::set("index.html", "<h1>Hi")], "ada", "first page").unwrap();
    store.commit(&[Change::set("about.html", vec![b'x'; 700])], "ada", "add about/me").unwrap();
    let image = store.into_inner().into_inner();
    let (ok, listing, errors) = tar(&image, "tf", &[]);
    assert!(ok, "tar tf exits with an error: {errors}");
    assert_eq!(listing, "000001 first page\n000002 add about_me\n", "tar lists one member per commit, in order");
    let (ok, first, errors) = tar(&image, "xOf", &["000001 first page"]);
    assert!(ok, "tar xOf: {errors}");
    assert!(first.starts_with("fledge-commit 000001\n"), "tar extracts the commit's record:\n{first}");
    assert!(first.contains("index.html\n<h1>Hi\n"), "{first}");
}

/// One request the store made of the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Write { block: u64, blocks: u64 },
    Flush,
}

/// A disk that records every write and flush.
struct Recording {
    disk: Disk,
    ops: Rc<RefCell<Vec<Op>>>,
}

impl BlockDevice for Recording {
    fn block_count(&self) -> u64 {
        self.disk.block_count()
    }
    fn read_only(&self) -> bool {
        false
    }
    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.disk.read(block, buf)
    }
    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        self.disk.write(block, buf)?;
        self.ops.borrow_mut().push(Op::Write { block, blocks: (buf.len() / BLOCK_SIZE) as u64 });
        Ok(())
    }
    fn flush(&mut self) -> Result<(), BlockError> {
        self.ops.borrow_mut().push(Op::Flush);
        self.disk.flush()
    }
}

#[test]
fn the_record_is_durable_before_its_header() {
    let ops = Rc::new(RefCell::new(Vec::new()));
    let mut store = open(Recording { disk: disk(64), ops: ops.clone() });
    for n in 0..3 {
        ops.borrow_mut().clear();
        let header = store.end();
        store.commit(&[Change::set(format!("k{n}"), vec![b'v'; 600 * n])], "ada", "a commit").unwrap();
        let ops = ops.borrow();
        let header_write = ops.iter().position(|op| matches!(op, Op::Write { block, .. } if *block == header));
        let Some(header_write) = header_write else {
            panic!("commit {}: no write to block {header}, where its header goes: {ops:?}", n + 1)
        };
        let record_writes: Vec<usize> =
            (0..ops.len()).filter(|&i| matches!(ops[i], Op::Write { block, .. } if block > header)).collect();
        assert!(
            !record_writes.is_empty(),
            "commit {}: the record after block {header} was never written: {ops:?}",
            n + 1
        );
        let last_record = *record_writes.last().unwrap();
        assert!(
            last_record < header_write && ops[last_record..header_write].contains(&Op::Flush),
            "commit {}: the header (block {header}) was written before a flush made its record durable. The requests: {ops:?}",
            n + 1
        );
        assert_eq!(
            ops.last(),
            Some(&Op::Flush),
            "commit {}: commit returned with the header not flushed: a power cut now loses an acknowledged commit. The requests: {ops:?}",
            n + 1
        );
    }
}

#[test]
fn a_damaged_tail_is_truncated() {
    // One byte of commit 3's record changed on the disk: damage that tar
    // itself would never notice.
    let mut store = open(disk(64));
    for n in 1..=3 {
        store.commit(&[Change::set("page", format!("version {n}"))], "ada", &format!("version {n}")).unwrap();
    }
    let third = store.members()[2];
    let mut image = store.into_inner().into_inner();
    image[(third.block as usize + 1) * BLOCK_SIZE + 30] ^= 1;
    let mut store = open(RamDisk::new(image));
    assert_eq!(
        store.head(),
        Some(CommitId(2)),
        "commit 3's record no longer matches its CRC-32C: the store must open at commit 2"
    );
    assert_eq!(value(&mut store, "page").as_deref(), Some("version 2"));
    let (ok, listing, errors) = tar(store.device().bytes(), "tf", &[]);
    assert!(ok, "{errors}");
    assert_eq!(
        listing, "000001 version 1\n000002 version 2\n",
        "after recovery tar must list what the store has: the damaged member's header is still on the disk"
    );
    assert_eq!(store.commit(&[Change::set("page", "again")], "ada", "again").unwrap(), CommitId(3));

    // A header that is garbage: tar would stop with an error on it.
    let mut store = open(disk(64));
    store.commit(&[Change::set("a", "1")], "ada", "one").unwrap();
    let end = store.end() as usize;
    let mut image = store.into_inner().into_inner();
    image[end * BLOCK_SIZE..(end + 1) * BLOCK_SIZE].fill(0x55);
    let store = open(RamDisk::new(image));
    assert_eq!(store.head(), Some(CommitId(1)));
    assert!(matches!(store.truncated(), Some((_, Tear::Header(_)))), "the store says where it truncated");
    let (ok, listing, errors) = tar(store.device().bytes(), "tf", &[]);
    assert!(ok && listing == "000001 one\n", "tar after recovery: exit ok {ok}, listing {listing:?}, {errors}");
}

#[test]
fn full_and_busy_disks_give_clean_errors() {
    let mut store = open(disk(64));
    store.commit(&[Change::set("a", "1")], "ada", "one").unwrap();
    let image = store.into_inner().into_inner();

    let mut full = open(AlwaysFull::new(RamDisk::new(image.clone())));
    assert_eq!(
        full.commit(&[Change::set("a", "2")], "ada", "two"),
        Err(StoreError::Device(BlockError::Full)),
        "a disk whose every write fails as full"
    );
    assert_eq!(value(&mut full, "a").as_deref(), Some("1"), "what was committed is still readable");
    assert_eq!(full.history().map(|h| h.len()), Ok(1));

    assert_eq!(
        LogStore::open(AlwaysBusy::new(RamDisk::new(image.clone()))).map(|_| ()),
        Err(StoreError::Device(BlockError::Busy)),
        "a disk that is always busy cannot be opened, and says why"
    );
    // A disk that turns busy just after the store opened: the first
    // store that opens with as few requests as it needs.
    let mut busy = (0..64)
        .find_map(|n| match LogStore::open(FailAfter::new(RamDisk::new(image.clone()), n, BlockError::Busy)) {
            Ok(store) => Some(store),
            Err(StoreError::Device(BlockError::Busy)) => None,
            Err(other) => panic!("opening on a disk that turns busy after {n} requests: {other} ({other:?}), not Busy"),
        })
        .expect("the store opens on a disk that answers 64 requests");
    assert_eq!(busy.commit(&[Change::set("a", "2")], "ada", "two"), Err(StoreError::Device(BlockError::Busy)));
    assert_eq!(busy.head(), Some(CommitId(1)));

    // The log itself reaching the end of the disk.
    let mut small = open(disk(8));
    let mut made = 0;
    let error = loop {
        match small.commit(&[Change::set("k", vec![b'v'; 300])], "ada", "fill") {
            Ok(_) => made += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(error, StoreError::Full, "after {made} commits");
    let mut again = open(small.into_inner());
    assert_eq!(again.head(), Some(CommitId(made)), "every commit before the full one is kept");
    assert_eq!(again.commit(&[Change::set("k", "")], "ada", &"m".repeat(2000)), Err(StoreError::TooLarge));
}

// ---------------------------------------------------------------------
// Power cuts.

/// SplitMix64: the tests' random numbers, the same on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random commit: one to three changes of eight keys, values up to
/// 1500 bytes (so a record spans up to four blocks), some removes.
fn random_changes(random: &mut Random, n: usize) -> Vec<Change> {
    (0..1 + random.below(3))
        .map(|_| {
            let key = format!("key-{}", random.below(8));
            if random.below(5) == 0 {
                Change::remove(key)
            } else {
                let len = random.below(1500) as usize;
                Change::set(key, format!("commit {n} ").into_bytes().into_iter().cycle().take(len).collect::<Vec<_>>())
            }
        })
        .collect()
}

/// What the keys hold after each commit: `states[n]` after commit n.
fn state_after(states: &mut Vec<BTreeMap<Vec<u8>, Vec<u8>>>, changes: &[Change]) {
    let mut next = states.last().cloned().unwrap_or_default();
    for change in changes {
        match change {
            Change::Set { key, value } => next.insert(key.clone(), value.clone()),
            Change::Remove { key } => next.remove(key),
        };
    }
    states.push(next);
}

/// What the test knows while the workload runs.
#[derive(Default)]
struct Model {
    /// The changes of every commit asked for, the one in flight last.
    asked: Vec<Vec<Change>>,
    /// `states[n]`: the keys after commit n (`states[0]` is empty).
    states: Vec<BTreeMap<Vec<u8>, Vec<u8>>>,
    /// How many commits returned `Ok`.
    acknowledged: usize,
}

/// Totals over all the cuts.
#[derive(Default)]
struct Tally {
    cut_points: usize,
    lost: usize,
    tar_runs: usize,
    images: HashSet<u64>,
}

/// A disk that, after every write and flush, calls `at_boundary` with
/// itself: where the power could go.
struct Boundaries<F: FnMut(&PowerCut<Disk>)> {
    disk: PowerCut<Disk>,
    at_boundary: F,
}

impl<F: FnMut(&PowerCut<Disk>)> BlockDevice for Boundaries<F> {
    fn block_count(&self) -> u64 {
        self.disk.block_count()
    }
    fn read_only(&self) -> bool {
        false
    }
    fn read(&mut self, block: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        self.disk.read(block, buf)
    }
    fn write(&mut self, block: u64, buf: &[u8]) -> Result<(), BlockError> {
        let result = self.disk.write(block, buf);
        (self.at_boundary)(&self.disk);
        result
    }
    fn flush(&mut self) -> Result<(), BlockError> {
        let result = self.disk.flush();
        (self.at_boundary)(&self.disk);
        result
    }
}

fn image_hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// Cuts the power of a copy of `disk`, keeping the pending writes `keep`
/// says, and checks what opens.
fn check_cut(
    disk: &PowerCut<Disk>,
    keep: &mut dyn FnMut(usize) -> bool,
    model: &Model,
    tally: &mut Tally,
    where_: &str,
) {
    let mut copy = disk.clone();
    copy.cut(keep).unwrap();
    let medium = copy.into_inner();
    tally.cut_points += 1;

    // Before recovery: every member tar can see is whole.
    let mut raw = medium.clone();
    let found = log::scan(&mut raw, |_| {}).unwrap();
    if let Some((block, why)) = found.truncated {
        panic!(
            "{where_}: after a power cut, block {block} holds a member that is not whole ({why}). A header must never be durable before its record."
        );
    }

    let mut store = LogStore::open(medium)
        .unwrap_or_else(|e| panic!("{where_}: the store does not open after a power cut: {e} ({e:?})"));
    let head = store.head().map_or(0, |id| id.0 as usize);
    let acknowledged = model.acknowledged;
    if head < acknowledged {
        tally.lost += acknowledged - head;
        panic!(
            "{where_}: commit {acknowledged} was acknowledged, but after a power cut the store opens at commit {head}: an acknowledged commit was lost"
        );
    }
    assert!(
        head <= model.asked.len(),
        "{where_}: the store opens at commit {head}, but only {} were ever asked for",
        model.asked.len()
    );
    // The head's keys, then every commit's changes, as they were asked.
    let keys = store.index().iter().map(|(k, v)| (k.to_vec(), v.to_vec()));
    assert!(keys.eq(model.states[head].clone()), "{where_}: the keys at commit {head} are not what its commits set");
    // The last two commits, where a cut could reach.
    for n in head.saturating_sub(1).max(1)..=head {
        let commit = store.read_commit(CommitId(n as u32)).unwrap();
        assert!(
            commit.changes == model.asked[n - 1],
            "{where_}: commit {n} reads back with other changes than were made"
        );
    }

    // The host's tar: on every distinct image when asked, else on every
    // 50th cut point.
    let end = (store.end() as usize + 2) * BLOCK_SIZE;
    let image = store.into_inner().into_inner();
    let all = std::env::var("FLEDGE_POWER_CUT_TAR").is_ok_and(|v| v == "all");
    let run = if all { tally.images.insert(image_hash(&image[..end])) } else { tally.cut_points % 50 == 1 };
    if run {
        tally.tar_runs += 1;
        let (ok, listing, errors) = tar(&image, "tvf", &[]);
        assert!(ok, "{where_}: GNU tar tvf fails on the recovered image: {errors}");
        assert_eq!(listing.lines().count(), head, "{where_}: tar lists {listing}, the store has {head} commits");
    }
}

/// Runs one seeded workload of `commits` commits, cutting the power at
/// every boundary.
fn workload(seed: u64, commits: usize, tally: &mut Tally) {
    let model = Rc::new(RefCell::new(Model { states: vec![BTreeMap::new()], ..Model::default() }));
    let shared = Rc::new(RefCell::new(std::mem::take(tally)));
    let (watch, counts) = (model.clone(), shared.clone());
    let mut step = 0;
    let at_boundary = move |disk: &PowerCut<Disk>| {
        step += 1;
        let model = watch.borrow();
        let mut tally = counts.borrow_mut();
        let where_ = format!("workload {seed}, commit {}, disk request {step}", model.asked.len());
        let pending = disk.pending();
        if pending <= 4 {
            for subset in 0..1u32 << pending {
                check_cut(disk, &mut |write| subset >> write & 1 == 1, &model, &mut tally, &where_);
            }
        } else {
            for sample in 0..16u64 {
                let mut random = Random(seed ^ step << 8 ^ sample);
                check_cut(disk, &mut |_| random.below(2) == 1, &model, &mut tally, &where_);
            }
        }
    };
    let mut store = open(Boundaries { disk: PowerCut::new(disk(160)), at_boundary });
    let mut random = Random(seed);
    for n in 1..=commits {
        let changes = random_changes(&mut random, n);
        {
            let mut model = model.borrow_mut();
            model.asked.push(changes.clone());
            let states = &mut model.states;
            state_after(states, &changes);
        }
        store
            .commit(&changes, "ada", &format!("commit {n}"))
            .unwrap_or_else(|e| panic!("workload {seed}, commit {n}: {e}"));
        model.borrow_mut().acknowledged = n;
    }
    drop(store);
    *tally = Rc::try_unwrap(shared).ok().expect("the disk is dropped").into_inner();
}

#[test]
fn power_cuts_lose_no_acknowledged_commit() {
    let workloads: u64 = std::env::var("FLEDGE_POWER_CUT_WORKLOADS").ok().and_then(|n| n.parse().ok()).unwrap_or(24);
    let mut tally = Tally::default();
    for seed in 0..workloads {
        workload(seed, 25, &mut tally);
    }
    println!(
        "power cuts: {} cut points over {workloads} workloads of 25 commits, {} acknowledged commits lost; tar tvf run on {} images",
        tally.cut_points, tally.lost, tally.tar_runs
    );
    assert!(tally.cut_points >= 10_000 || workloads < 24, "too few cut points: {}", tally.cut_points);
}
