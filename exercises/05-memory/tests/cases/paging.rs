//! Exercise 05's host tests for page tables: your `translate`, `map_range`
//! and `map_stack`, run over a fake physical memory.
//!
//! `FakeRam` is a `Vec` of page tables; "physical address" `p` is byte `p`
//! of it, so the physical-memory offset is simply the `Vec`'s address. The
//! kernel reads real page tables the same way, through the bootloader's
//! mapping of all physical memory.

use memory::paging::{self, MapError, Tlb, Translation};
use x86_64::structures::paging::mapper::{MapperFlush, TranslateResult};
use x86_64::structures::paging::{
    FrameAllocator, Mapper, OffsetPageTable, Page, PageTable, PageTableFlags as Flags, PhysFrame, Size2MiB, Size4KiB,
    Translate,
};
use x86_64::{PhysAddr, VirtAddr};

/// Physical memory made of `frames` zeroed 4 KiB frames. Frame 0 holds the
/// level-4 table; `next` hands out the others in order.
struct FakeRam {
    frames: Vec<PageTable>,
    next: usize,
}

impl FakeRam {
    fn new(frames: usize) -> FakeRam {
        FakeRam { frames: (0..frames).map(|_| PageTable::new()).collect(), next: 1 }
    }

    fn offset(&self) -> VirtAddr {
        VirtAddr::from_ptr(self.frames.as_ptr())
    }

    fn level_4(&self) -> PhysFrame {
        PhysFrame::containing_address(PhysAddr::new(0))
    }

    /// The table in frame `n`, to fill in by hand.
    fn table(&mut self, n: usize) -> &mut PageTable {
        &mut self.frames[n]
    }

    fn translate(&self, addr: u64) -> Option<Translation> {
        // SAFETY: every table the walk can reach is a frame of `self.frames`
        // (the tests only write addresses of frames that exist).
        unsafe { paging::translate(self.level_4(), self.offset(), VirtAddr::new(addr)) }
    }

    /// The `x86_64` crate's mapper over this memory, and a frame allocator
    /// for it; the two share the memory, hence the raw pointers.
    fn mapper(&mut self) -> (OffsetPageTable<'static>, Frames) {
        let offset = self.offset();
        let level_4 = self.frames.as_mut_ptr();
        // SAFETY: frame 0 is the level-4 table; the `Vec` outlives the test
        // (each test keeps its `FakeRam` until the end), and the allocator
        // only hands out frames the tables do not use yet.
        let mapper = unsafe { OffsetPageTable::new(&mut *level_4, offset) };
        (mapper, Frames { next: self.next, end: self.frames.len() })
    }
}

/// Hands out the fake memory's frames `next..end`.
struct Frames {
    next: usize,
    end: usize,
}

// SAFETY: each frame is handed out once.
unsafe impl FrameAllocator<Size4KiB> for Frames {
    fn allocate_frame(&mut self) -> Option<PhysFrame> {
        (self.next < self.end).then(|| {
            self.next += 1;
            PhysFrame::containing_address(PhysAddr::new((self.next as u64 - 1) * 4096))
        })
    }
}

/// Counts flushes instead of running `invlpg`, which a host program may not.
#[derive(Default)]
struct CountingTlb {
    flushes: usize,
}

impl Tlb for CountingTlb {
    fn flush(&mut self, flush: MapperFlush<Size4KiB>) {
        self.flushes += 1;
        flush.ignore();
    }
}

fn frame_addr(n: u64) -> PhysAddr {
    PhysAddr::new(n * 4096)
}

const TABLE: Flags = Flags::PRESENT.union(Flags::WRITABLE);

/// Builds level 4 → 3 → 2 → 1 for the address 0x0000_0080_4020_3000
/// (indices 1, 1, 1, 3) by hand: frames 1, 2 and 3 are the tables, frame 9
/// is the page.
fn four_levels(ram: &mut FakeRam, leaf: Flags) -> u64 {
    ram.table(0)[1].set_addr(frame_addr(1), TABLE);
    ram.table(1)[1].set_addr(frame_addr(2), TABLE);
    ram.table(2)[1].set_addr(frame_addr(3), TABLE);
    ram.table(3)[3].set_addr(frame_addr(9), leaf);
    (1 << 39) | (1 << 30) | (1 << 21) | (3 << 12)
}

#[test]
fn translate_walks_four_levels() {
    let mut ram = FakeRam::new(16);
    let page = four_levels(&mut ram, Flags::PRESENT | Flags::WRITABLE);
    let found = ram.translate(page + 0x123).expect("the address is mapped");
    assert_eq!(found.addr, PhysAddr::new(9 * 4096 + 0x123), "physical address of page + 0x123");
    assert_eq!(found.page_size, 4096);
    assert!(found.flags.contains(Flags::PRESENT | Flags::WRITABLE), "flags {:?}", found.flags);
    assert_eq!(ram.translate(page + 0xfff).map(|t| t.addr), Some(PhysAddr::new(9 * 4096 + 0xfff)));
}

#[test]
fn unmapped_addresses_translate_to_none() {
    let mut ram = FakeRam::new(16);
    let page = four_levels(&mut ram, Flags::PRESENT);
    assert_eq!(ram.translate(page + 4096), None, "the next page: level-1 entry not present");
    assert_eq!(ram.translate(page + (1 << 21)), None, "level-2 entry not present");
    assert_eq!(ram.translate(page + (1 << 30)), None, "level-3 entry not present");
    assert_eq!(ram.translate(page + (1 << 39)), None, "level-4 entry not present");
    // An entry with an address but without PRESENT is not a mapping.
    ram.table(3)[4].set_addr(frame_addr(10), Flags::WRITABLE);
    assert_eq!(ram.translate(page + 4096), None, "an entry with WRITABLE but not PRESENT");
}

#[test]
fn translate_handles_huge_pages() {
    let mut ram = FakeRam::new(16);
    // A 1 GiB page at level 3 and a 2 MiB page at level 2.
    ram.table(0)[0].set_addr(frame_addr(1), TABLE);
    ram.table(1)[5].set_addr(PhysAddr::new(3 << 30), Flags::PRESENT | Flags::HUGE_PAGE);
    ram.table(1)[6].set_addr(frame_addr(2), TABLE);
    ram.table(2)[7].set_addr(PhysAddr::new(0x40_0000), Flags::PRESENT | Flags::HUGE_PAGE | Flags::WRITABLE);

    let found = ram.translate((5 << 30) + 0x1234_5678).expect("inside the 1 GiB page");
    assert_eq!((found.addr, found.page_size), (PhysAddr::new((3 << 30) + 0x1234_5678), 1 << 30), "1 GiB page");
    let found = ram.translate((6 << 30) + (7 << 21) + 0x1_2345).expect("inside the 2 MiB page");
    assert_eq!((found.addr, found.page_size), (PhysAddr::new(0x40_0000 + 0x1_2345), 2 << 20), "2 MiB page");
    assert!(found.flags.contains(Flags::HUGE_PAGE | Flags::WRITABLE), "flags {:?}", found.flags);
}

#[test]
fn translate_combines_the_flags_of_every_level() {
    let mut ram = FakeRam::new(16);
    let page = four_levels(&mut ram, Flags::PRESENT | Flags::WRITABLE | Flags::USER_ACCESSIBLE);
    assert!(ram.translate(page).is_some_and(|t| !t.flags.contains(Flags::USER_ACCESSIBLE)), "level 3 is not USER");

    // Read-only at level 3 makes everything under it read-only.
    ram.table(1)[1].set_flags(Flags::PRESENT);
    let found = ram.translate(page).expect("mapped");
    assert!(!found.flags.contains(Flags::WRITABLE), "read-only at level 3, yet {:?}", found.flags);

    // NO_EXECUTE at level 4 forbids running anything under it.
    ram.table(1)[1].set_flags(TABLE);
    ram.table(0)[1].set_flags(TABLE | Flags::NO_EXECUTE);
    let found = ram.translate(page).expect("mapped");
    assert!(found.flags.contains(Flags::NO_EXECUTE), "NO_EXECUTE at level 4, yet {:?}", found.flags);
    assert!(found.flags.contains(Flags::WRITABLE), "writable at every level, yet {:?}", found.flags);
}

fn pages(start: u64, count: u64) -> x86_64::structures::paging::page::PageRange {
    let first = Page::containing_address(VirtAddr::new(start));
    Page::range(first, first + count)
}

#[test]
fn map_range_maps_and_flushes_every_page() {
    let mut ram = FakeRam::new(64);
    let (mut mapper, mut frames) = ram.mapper();
    let mut tlb = CountingTlb::default();
    let flags = Flags::PRESENT | Flags::WRITABLE | Flags::NO_EXECUTE;
    let range = pages(0x5555_0000_0000, 5);
    assert_eq!(paging::map_range(&mut mapper, &mut frames, &mut tlb, range, flags), Ok(()));
    assert_eq!(tlb.flushes, 5, "one flush per page mapped");
    let mut seen = std::collections::BTreeSet::new();
    for page in range {
        match mapper.translate(page.start_address()) {
            TranslateResult::Mapped { frame, flags: got, .. } => {
                assert_eq!(got & flags, flags, "page {:#x}: flags", page.start_address());
                assert!(seen.insert(frame.start_address()), "two pages share the frame {:#x}", frame.start_address());
                assert_ne!(frame.start_address(), PhysAddr::new(0), "a page got the level-4 table's frame");
            }
            other => panic!("page {:#x} is not mapped: {other:?}", page.start_address()),
        }
    }
    // 5 pages + 3 new tables (levels 3, 2 and 1) from frames 1 to 8.
    assert_eq!(frames.next, 9, "frames used: 5 pages and 3 tables");
}

#[test]
fn map_range_reports_errors() {
    let mut ram = FakeRam::new(8);
    let (mut mapper, mut frames) = ram.mapper();
    let mut tlb = CountingTlb::default();
    let flags = Flags::PRESENT | Flags::WRITABLE;
    let range = pages(0x4000_0000, 2);
    paging::map_range(&mut mapper, &mut frames, &mut tlb, range, flags).expect("2 pages fit");
    let next = frames.next;
    assert_eq!(
        paging::map_range(&mut mapper, &mut frames, &mut tlb, pages(0x4000_1000, 2), flags),
        Err(MapError::AlreadyMapped(range.start + 1)),
        "the second page is mapped already"
    );
    assert_eq!(frames.next, next, "no frame taken for a page that was mapped already");
    assert_eq!(
        paging::map_range(&mut mapper, &mut frames, &mut tlb, pages(0x4000_2000, 10), flags),
        Err(MapError::OutOfFrames { mapped: 2 }),
        "8 frames: 1 level-4 table, 3 tables, 2 pages, then 2 more pages"
    );

    // A 2 MiB page, mapped through the `x86_64` crate, covers 512 small ones.
    let mut ram = FakeRam::new(16);
    let (mut mapper, mut frames) = ram.mapper();
    let huge = Page::<Size2MiB>::containing_address(VirtAddr::new(0x8000_0000));
    let frame = PhysFrame::<Size2MiB>::containing_address(PhysAddr::new(0));
    // SAFETY: only the fake tables change; nothing reads or writes through
    // the huge page.
    let flush = unsafe { mapper.map_to(huge, frame, Flags::PRESENT, &mut frames) };
    flush.expect("mapping a 2 MiB page").ignore();
    let inside = Page::containing_address(VirtAddr::new(0x8000_3000));
    assert_eq!(
        paging::map_range(&mut mapper, &mut frames, &mut tlb, pages(0x8000_3000, 1), flags),
        Err(MapError::InsideHugePage(inside)),
        "a 2 MiB page covers it"
    );
}

#[test]
fn map_stack_leaves_its_guard_unmapped() {
    let mut ram = FakeRam::new(64);
    let (mut mapper, mut frames) = ram.mapper();
    let mut tlb = CountingTlb::default();
    let guard = Page::containing_address(VirtAddr::new(0x7000_0000_0000));
    let top = paging::map_stack(&mut mapper, &mut frames, &mut tlb, guard, 3).expect("a 3-page stack");
    assert_eq!(top, VirtAddr::new(0x7000_0000_4000), "the top is the end of the third page above the guard");
    assert_eq!(tlb.flushes, 3);
    assert!(matches!(mapper.translate(guard.start_address()), TranslateResult::NotMapped), "the guard page is mapped");
    for n in 1..=3 {
        let TranslateResult::Mapped { flags, .. } = mapper.translate((guard + n).start_address()) else {
            panic!("stack page {n} above the guard is not mapped");
        };
        assert!(flags.contains(Flags::WRITABLE | Flags::NO_EXECUTE), "stack page {n}: {flags:?}");
    }
    assert!(matches!(mapper.translate((guard + 4).start_address()), TranslateResult::NotMapped), "one page too many");

    // A guard that is mapped is refused, and nothing is mapped.
    let below = guard + 2;
    let next = frames.next;
    assert_eq!(
        paging::map_stack(&mut mapper, &mut frames, &mut tlb, below, 3),
        Err(MapError::GuardPageMapped(below)),
        "the guard page is a page of the first stack"
    );
    assert_eq!(frames.next, next, "no frame taken when the guard is mapped");
}
