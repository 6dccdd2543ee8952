//! Exercise 05's host tests for the heap: your `FixedSizeBlocks` over an
//! arena of ordinary host memory, checked against a model.
//!
//! The model is a map of what is allocated right now: address, size, and
//! the byte the test filled it with. After every step the allocator's
//! answers must agree with it: every block aligned as asked, inside the
//! arena, overlapping no other live block, and still holding its bytes
//! when it is freed.

use std::alloc::Layout;
use std::collections::BTreeMap;

use memory::heap::{BLOCK_SIZES, FixedSizeBlocks};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngAlgorithm, TestRng, TestRunner};

/// Host memory for a heap: `size` bytes, page-aligned, freed on drop.
struct Arena {
    start: *mut u8,
    layout: Layout,
}

impl Arena {
    fn new(size: usize) -> Arena {
        let layout = Layout::from_size_align(size, 4096).expect("arena layout");
        // SAFETY: the layout has a non-zero size.
        let start = unsafe { std::alloc::alloc(layout) };
        assert!(!start.is_null(), "the host is out of memory");
        Arena { start, layout }
    }

    fn heap(&self) -> Box<FixedSizeBlocks> {
        let mut heap = Box::new(FixedSizeBlocks::empty());
        // SAFETY: the arena is ours, unused, and outlives the heap in every
        // test (the heap is dropped first, or leaks nothing that matters).
        unsafe { heap.init(self.start, self.layout.size()) };
        heap
    }

    fn contains(&self, ptr: *mut u8, size: usize) -> bool {
        let (start, ptr) = (self.start as usize, ptr as usize);
        start <= ptr && ptr + size <= start + self.layout.size()
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { std::alloc::dealloc(self.start, self.layout) };
    }
}

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).expect("a valid layout")
}

#[test]
fn layouts_find_their_size_class() {
    let cases = [
        ((1, 1), Some(0)),
        ((8, 8), Some(0)),
        ((9, 1), Some(1)),
        ((16, 16), Some(1)),
        ((24, 8), Some(2)),
        ((8, 64), Some(3)),
        ((100, 4), Some(4)),
        ((2048, 8), Some(8)),
        ((2049, 8), None),
        ((8, 4096), None),
    ];
    for ((size, align), class) in cases {
        assert_eq!(
            FixedSizeBlocks::class_for(layout(size, align)),
            class,
            "class_for(size {size}, align {align}), with BLOCK_SIZES = {BLOCK_SIZES:?}"
        );
    }
}

#[test]
fn freed_blocks_are_reused() {
    let arena = Arena::new(64 << 10);
    let mut heap = arena.heap();
    let small = layout(24, 8);
    let first = heap.alloc(small);
    assert!(!first.is_null(), "a 24-byte allocation from a 64 KiB heap failed");
    assert_eq!(heap.free_blocks(2), 0, "nothing freed yet");
    // SAFETY: `first` came from `alloc(small)` and is not used again.
    unsafe { heap.dealloc(first, small) };
    assert_eq!(heap.free_blocks(2), 1, "the freed 32-byte block is on its class's free list");
    let second = heap.alloc(layout(32, 32));
    assert_eq!(second, first, "the next 32-byte allocation takes the freed block");
    assert_eq!(heap.free_blocks(2), 0);
    // A block never goes to another class.
    // SAFETY: `second` came from `alloc(32, 32)`.
    unsafe { heap.dealloc(second, layout(32, 32)) };
    let other = heap.alloc(layout(64, 8));
    assert_ne!(other, first, "a 64-byte allocation was given a 32-byte block");
}

#[test]
fn big_allocations_use_the_fallback() {
    let arena = Arena::new(32 << 10);
    let mut heap = arena.heap();
    let big = layout(10_000, 16);
    // Freed big allocations go back to the fallback: a 32 KiB heap serves
    // a 10,000-byte allocation a hundred times over.
    for round in 0..100 {
        let ptr = heap.alloc(big);
        assert!(!ptr.is_null(), "round {round}: a 10,000-byte allocation from a 32 KiB heap failed");
        assert!(arena.contains(ptr, big.size()), "round {round}: {ptr:p} is outside the arena");
        // SAFETY: fresh, 10,000 bytes, ours.
        unsafe { ptr.write_bytes(0xab, big.size()) };
        // SAFETY: from `alloc(big)`, not used again.
        unsafe { heap.dealloc(ptr, big) };
    }
    let aligned = heap.alloc(layout(64, 4096));
    assert!(!aligned.is_null() && (aligned as usize).is_multiple_of(4096), "a 4096-aligned allocation: {aligned:p}");
}

#[test]
fn out_of_memory_is_a_null_pointer() {
    let arena = Arena::new(16 << 10);
    let mut heap = arena.heap();
    assert!(heap.alloc(layout(64 << 10, 8)).is_null(), "64 KiB from a 16 KiB heap");
    // Small blocks until nothing is left: null, not a panic.
    let mut count = 0;
    while !heap.alloc(layout(2048, 8)).is_null() {
        count += 1;
        assert!(count <= 8, "more than 8 blocks of 2048 bytes from 16 KiB");
    }
    assert!(count >= 6, "only {count} blocks of 2048 bytes from 16 KiB");
    assert!(heap.alloc(layout(8, 8)).is_null() || count < 8, "an 8-byte block from an exhausted heap");
}

/// One step of a generated workload.
#[derive(Clone, Debug)]
enum Step {
    /// Allocate `size` bytes aligned to `1 << align_log2`.
    Alloc { size: usize, align_log2: u32 },
    /// Free the live allocation at this index (modulo the number live).
    Free(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (1usize..=64, 0u32..=3).prop_map(|(size, align_log2)| Step::Alloc { size, align_log2 }),
        2 => (65usize..=3000, 0u32..=6).prop_map(|(size, align_log2)| Step::Alloc { size, align_log2 }),
        1 => (3001usize..=20_000, 0u32..=12).prop_map(|(size, align_log2)| Step::Alloc { size, align_log2 }),
        4 => any::<usize>().prop_map(Step::Free),
    ]
}

/// Runs `steps` against a fresh heap of 1 MiB and the model.
fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let arena = Arena::new(1 << 20);
    let mut heap = arena.heap();
    // Live allocations: address → (layout, fill byte).
    let mut live: BTreeMap<usize, (Layout, u8)> = BTreeMap::new();
    let mut bytes_live = 0;
    for (n, step) in steps.iter().enumerate() {
        match *step {
            Step::Alloc { size, align_log2 } => {
                // Keep well below the arena so that running out is never
                // the right answer (fragmentation included).
                if bytes_live + size > 256 << 10 {
                    continue;
                }
                let wanted = layout(size, 1 << align_log2);
                let ptr = heap.alloc(wanted);
                prop_assert!(
                    !ptr.is_null(),
                    "step {n}: alloc({wanted:?}) failed with {bytes_live} bytes live of 1 MiB"
                );
                prop_assert!(arena.contains(ptr, size), "step {n}: {ptr:p} ({size} bytes) is outside the arena");
                prop_assert_eq!(
                    ptr as usize % wanted.align(),
                    0,
                    "step {}: {:p} is not aligned to {}",
                    n,
                    ptr,
                    wanted.align()
                );
                let addr = ptr as usize;
                if let Some((&before, &(other, _))) = live.range(..=addr).next_back() {
                    prop_assert!(
                        before + other.size() <= addr,
                        "step {n}: {ptr:p} overlaps the live block at {before:#x}"
                    );
                }
                if let Some((&after, _)) = live.range(addr..).next() {
                    prop_assert!(
                        addr + size <= after,
                        "step {n}: {ptr:p} + {size} overlaps the live block at {after:#x}"
                    );
                }
                let fill = (n % 251) as u8;
                // SAFETY: fresh memory of `size` bytes.
                unsafe { ptr.write_bytes(fill, size) };
                live.insert(addr, (wanted, fill));
                bytes_live += size;
            }
            Step::Free(pick) => {
                if live.is_empty() {
                    continue;
                }
                let addr = *live.keys().nth(pick % live.len()).expect("an index below the length");
                let (wanted, fill) = live.remove(&addr).expect("the key just found");
                // SAFETY: live, `wanted.size()` bytes.
                let contents = unsafe { std::slice::from_raw_parts(addr as *const u8, wanted.size()) };
                prop_assert!(
                    contents.iter().all(|&b| b == fill),
                    "step {n}: the block at {addr:#x} ({wanted:?}) was overwritten while it was allocated"
                );
                // SAFETY: from `alloc(wanted)`, freed once.
                unsafe { heap.dealloc(addr as *mut u8, wanted) };
                bytes_live -= wanted.size();
            }
        }
    }
    Ok(())
}

#[test]
fn generated_workloads_match_the_model() {
    // A fixed seed, as in the frame allocator's property test: the same
    // 1,000 workloads every time, and no saved-case file.
    let config =
        Config { cases: 1000, failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[5; 32]));
    let result = runner.run(&prop::collection::vec(step(), 1..300), |steps| run(&steps));
    if let Err(error) = result {
        panic!("{error}");
    }
}
