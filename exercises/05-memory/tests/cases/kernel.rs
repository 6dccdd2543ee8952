//! Exercise 05's kernel tests: the frame allocator over the real memory
//! map the bootloader handed over; your page-table walk against the
//! bootloader's tables; pages, a stack and the heap mapped by your code;
//! and the protections the CPU enforces (no writing to code, no running
//! the heap, a guard page under every stack).

extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;
use core::hint::black_box;

use bootloader_api::info::MemoryRegionKind;
use fledge_boot::Case;
use fledge_cpu::probe;
use fledge_memlayout::{SCRATCH, STACK_GUARD, UNMAPPED};
use memory::frames::{BitmapFrameAllocator, FRAME_SIZE};
use memory::heap::{self, HEAP, HEAP_SIZE, HEAP_START};
use memory::paging::{self, Invlpg, MapError, Translation};
use x86_64::registers::control::Cr3;
use x86_64::structures::paging::mapper::TranslateResult;
use x86_64::structures::paging::{OffsetPageTable, Page, PageTable, PageTableFlags, PhysFrame, Size4KiB, Translate};
use x86_64::{PhysAddr, VirtAddr};

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![
    frames_from_the_boot_memory_map,
    allocated_frames_are_usable_ram,
    translate_agrees_with_the_boot_page_tables,
    kernel_code_cannot_be_written,
    the_boot_stack_has_a_guard_page,
    mapped_pages_reach_their_frames,
    box_vec_and_string_work,
    large_allocations_work,
    freed_heap_memory_is_reused,
    the_heap_cannot_run_code,
    a_stack_overflow_hits_the_guard_page
];

/// 64 KiB of bitmaps: too big for the kernel's stack, so a static.
static FRAMES: spin::Mutex<BitmapFrameAllocator> = spin::Mutex::new(BitmapFrameAllocator::empty());

fn boot_regions() -> &'static [bootloader_api::info::MemoryRegion] {
    &fledge_boot::runner::boot_info().expect("the runner keeps the boot info").memory_regions
}

fn frames_from_the_boot_memory_map() {
    let regions = boot_regions();
    let usable: u64 = regions
        .iter()
        .filter(|r| r.kind == MemoryRegionKind::Usable)
        .map(|r| (r.end / FRAME_SIZE).saturating_sub(r.start.div_ceil(FRAME_SIZE)))
        .sum();
    let mut frames = FRAMES.lock();
    frames.init(regions);
    assert_eq!(frames.free_frames() as u64, usable, "every whole usable frame of the boot memory map is free");
    // QEMU runs with 128 MiB; the kernel, the bootloader and the BIOS take
    // a few MiB of it.
    assert!(usable * FRAME_SIZE > 100 << 20, "only {usable} usable frames in a 128 MiB machine");
}

fn allocated_frames_are_usable_ram() {
    let regions = boot_regions();
    let mut frames = FRAMES.lock();
    frames.init(regions);
    let before = frames.free_frames();
    let mut last = None;
    for n in 0..1000 {
        let frame = frames.allocate().unwrap_or_else(|| panic!("out of frames after {n}"));
        let start = frame.start_address().as_u64();
        let inside = regions
            .iter()
            .any(|r| r.kind == MemoryRegionKind::Usable && r.start <= start && start + FRAME_SIZE <= r.end);
        assert!(inside, "frame {start:#x} is not inside a usable region of the memory map");
        assert_ne!(Some(start), last, "the same frame twice in a row");
        last = Some(start);
    }
    assert_eq!(frames.free_frames(), before - 1000);
}

/// Where all of physical memory is mapped, as the bootloader reports it.
fn physical_memory_offset() -> VirtAddr {
    let info = fledge_boot::runner::boot_info().expect("the runner keeps the boot info");
    let offset = info.physical_memory_offset.into_option().expect("fledge_boot asks for physical memory to be mapped");
    VirtAddr::new(offset)
}

/// The level-4 table CR3 points at.
fn level_4() -> PhysFrame {
    Cr3::read().0
}

/// The bootloader's page tables, through the `x86_64` crate.
fn boot_page_tables() -> OffsetPageTable<'static> {
    let offset = physical_memory_offset();
    let table = (offset + level_4().start_address().as_u64()).as_mut_ptr::<PageTable>();
    // SAFETY: CR3 holds the level-4 table, readable through the physical
    // memory mapping. The tests run one at a time, so only one mapper
    // changes the tables at once.
    unsafe { OffsetPageTable::new(&mut *table, offset) }
}

/// Your `translate` on the live page tables.
fn translate(addr: u64) -> Option<Translation> {
    // SAFETY: the live tables, read through the bootloader's mapping of
    // physical memory; nothing changes them during a test's walk.
    unsafe { paging::translate(level_4(), physical_memory_offset(), VirtAddr::new(addr)) }
}

/// The frame allocator for the tests that map pages, set up once per boot:
/// initialising it again would hand out frames already in use. (The first
/// two tests initialise it themselves, but always run before the others.)
fn mapping_frames() -> spin::MutexGuard<'static, BitmapFrameAllocator> {
    static READY: spin::Once<()> = spin::Once::new();
    READY.call_once(|| FRAMES.lock().init(boot_regions()));
    FRAMES.lock()
}

/// Sets up what the heap tests need, once per boot: the exception handlers,
/// the frame allocator over the boot memory map, and your heap.
fn memory_ready() {
    static READY: spin::Once<Result<(), MapError>> = spin::Once::new();
    let ready = READY.call_once(|| {
        fledge_exceptions::init();
        let mut frames = mapping_frames();
        // SAFETY: the only call: `READY` runs this once per boot.
        unsafe { heap::init_heap(&HEAP, &mut boot_page_tables(), &mut *frames, &mut Invlpg) }
    });
    if let Err(error) = ready {
        panic!("init_heap failed: {error}");
    }
}

fn translate_agrees_with_the_boot_page_tables() {
    let tables = boot_page_tables();
    let local = 0u64;
    let code = translate_agrees_with_the_boot_page_tables as fn() as usize as u64;
    let offset = physical_memory_offset().as_u64();
    let addresses = [
        ("this function's code", code),
        ("a variable on the stack", &raw const local as u64),
        ("the boot information", fledge_boot::runner::boot_info().map_or(0, |i| i as *const _ as u64)),
        ("physical address 0x1234 through the direct map", offset + 0x1234),
        ("physical address 0x345678 through the direct map", offset + 0x34_5678),
        ("the unmapped page of exercise 03", UNMAPPED),
        ("the heap's first page, before anything mapped it", HEAP_START),
    ];
    for (what, addr) in addresses {
        let expected = match tables.translate(VirtAddr::new(addr)) {
            TranslateResult::Mapped { frame, offset, .. } => Some((frame.start_address() + offset, frame.size())),
            _ => None,
        };
        let got = translate(addr).map(|t| (t.addr, t.page_size));
        assert_eq!(got, expected, "translate({addr:#x}), {what}: (physical address, page size)");
    }
    // The bootloader maps physical memory with 2 MiB pages: the walk must
    // stop at a level-2 entry with HUGE_PAGE set.
    let huge = translate(offset + 0x34_5678).map(|t| t.page_size);
    assert_eq!(huge, Some(2 << 20), "the direct map is made of 2 MiB pages");
    let stack = translate(&raw const local as u64).expect("the stack is mapped");
    assert!(
        stack.flags.contains(PageTableFlags::WRITABLE | PageTableFlags::NO_EXECUTE),
        "the stack is {:?}",
        stack.flags
    );
}

fn kernel_code_cannot_be_written() {
    fledge_exceptions::init();
    let code = kernel_code_cannot_be_written as fn() as usize as u64;
    let found = translate(code).expect("this function's code is mapped");
    assert!(
        !found.flags.contains(PageTableFlags::WRITABLE),
        "translate says the kernel's code at {code:#x} is writable: {:?}",
        found.flags
    );
    assert!(!found.flags.contains(PageTableFlags::NO_EXECUTE), "translate says code cannot run: {:?}", found.flags);
    // And the CPU agrees (CR0.WP makes it check even for the kernel).
    // SAFETY: if the write went through it would change this function's
    // first bytes; it must fault, and the trap handler recovers the probe.
    let wrote = unsafe { probe::write(code as *mut u64, 0xcc) };
    assert_eq!(wrote, Err(probe::Faulted), "writing to the kernel's code at {code:#x} did not fault");
}

fn the_boot_stack_has_a_guard_page() {
    let local = 0u64;
    let here = Page::<Size4KiB>::containing_address(VirtAddr::new(&raw const local as u64));
    // Walk down from this page while pages are mapped: the bootloader's
    // stack is 80 KiB, so the guard is within 32 pages.
    let mut page = here;
    for _ in 0..32 {
        let Some(found) = translate(page.start_address().as_u64()) else { break };
        let start = page.start_address();
        assert!(found.flags.contains(PageTableFlags::WRITABLE), "the stack page at {start:#x} is read-only");
        assert!(found.flags.contains(PageTableFlags::NO_EXECUTE), "the stack page at {start:#x} is executable");
        page -= 1;
    }
    assert!(
        translate(page.start_address().as_u64()).is_none(),
        "no unmapped page within 32 pages below the stack pointer ({:#x})",
        here.start_address()
    );
    let pages = here - page;
    assert!(pages >= 2, "the guard page is only {pages} page under the stack pointer");
}

fn mapped_pages_reach_their_frames() {
    let mut frames = mapping_frames();
    let mut tables = boot_page_tables();
    let first = Page::containing_address(VirtAddr::new(SCRATCH));
    let pages = Page::range(first, first + 4);
    let flags = PageTableFlags::PRESENT | PageTableFlags::WRITABLE | PageTableFlags::NO_EXECUTE;
    if let Err(error) = paging::map_range(&mut tables, &mut *frames, &mut Invlpg, pages, flags) {
        panic!("map_range: {error}");
    }
    let offset = physical_memory_offset();
    for (n, page) in (0u64..).zip(pages) {
        let addr = page.start_address() + 8 * n;
        let virt = addr.as_mut_ptr::<u64>();
        // SAFETY: the page was just mapped, writable, to a fresh frame.
        unsafe { virt.write_volatile(0xf1ed6e00 + n) };
        let TranslateResult::Mapped { frame, offset: within, .. } = tables.translate(addr) else {
            panic!("page {n} at {:#x} is not mapped after map_range", page.start_address());
        };
        let phys: PhysAddr = frame.start_address() + within;
        // SAFETY: the direct map covers all physical memory.
        let seen = unsafe { (offset + phys.as_u64()).as_ptr::<u64>().read_volatile() };
        assert_eq!(seen, 0xf1ed6e00 + n, "page {n}: the frame does not hold what was written through the page");
    }
    assert_eq!(
        paging::map_range(&mut tables, &mut *frames, &mut Invlpg, pages, flags),
        Err(MapError::AlreadyMapped(first)),
        "mapping the same pages again"
    );
}

fn box_vec_and_string_work() {
    memory_ready();
    let boxed = black_box(Box::new(41u64));
    assert_eq!(*boxed + 1, 42);
    let inside = (&raw const *boxed as u64).wrapping_sub(HEAP_START);
    assert!(inside < HEAP_SIZE, "the Box is at {boxed:p}, outside the heap");
    let numbers: Vec<u64> = (0..10_000).collect();
    assert_eq!(numbers.iter().sum::<u64>(), 49_995_000);
    let mut text = String::new();
    for n in 0..100 {
        write!(text, "{n},").expect("writing to a String");
    }
    assert!(text.starts_with("0,1,2,") && text.ends_with("98,99,"), "the String holds {text:?}");
    assert_eq!(text.len(), 290);
}

fn large_allocations_work() {
    memory_ready();
    for round in 0..3 {
        let mut big = black_box(alloc::vec![0u8; 1 << 20]);
        for (n, byte) in big.iter_mut().enumerate() {
            *byte = (n % 251) as u8;
        }
        let bad = big.iter().enumerate().position(|(n, &byte)| byte != (n % 251) as u8);
        assert_eq!(bad, None, "round {round}: a 1 MiB Vec did not keep its contents");
    }
    let mut grown = Vec::new();
    for n in 0..100_000u32 {
        grown.push(n);
    }
    assert_eq!(grown[99_999], 99_999);
}

fn freed_heap_memory_is_reused() {
    memory_ready();
    // Twenty times the heap's size, a little at a time, all freed again.
    let total = 20 * HEAP_SIZE as usize;
    let mut allocated = 0;
    while allocated < total {
        // `black_box`: the compiler may otherwise see that nothing uses the
        // memory and leave out the allocations altogether.
        let small = black_box(Box::new([7u8; 100]));
        let middle = black_box(alloc::vec![1u8; 1500]);
        let large = black_box(alloc::vec![2u8; 8000]);
        allocated += small.len() + middle.len() + large.len();
        assert_eq!(small[99] + middle[1499] + large[7999], 10);
    }
    let long_lived = Box::new(1u64);
    assert_eq!(*long_lived, 1);
}

fn the_heap_cannot_run_code() {
    memory_ready();
    let code = Box::new([0xc3u8; 16]);
    let addr = code.as_ptr();
    let found = translate(addr as u64).expect("the heap is mapped");
    assert!(
        found.flags.contains(PageTableFlags::NO_EXECUTE),
        "the heap page at {addr:p} is executable: map it with NO_EXECUTE ({:?})",
        found.flags
    );
    // SAFETY: the box holds `ret` instructions, so even if the CPU ran them
    // they would only return; the trap handler recovers a faulting fetch.
    let ran = unsafe { probe::execute(addr) };
    assert_eq!(ran, Err(probe::Faulted), "the CPU ran code from the heap at {addr:p}");
}

fn a_stack_overflow_hits_the_guard_page() {
    memory_ready();
    let guard = Page::containing_address(VirtAddr::new(STACK_GUARD));
    let mut frames = mapping_frames();
    let top = match paging::map_stack(&mut boot_page_tables(), &mut *frames, &mut Invlpg, guard, 4) {
        Ok(top) => top,
        Err(error) => panic!("map_stack: {error}"),
    };
    drop(frames);
    assert_eq!(top.as_u64(), STACK_GUARD + 5 * 4096, "map_stack's top for 4 pages above the guard");
    assert!(translate(STACK_GUARD).is_none(), "the guard page at {STACK_GUARD:#x} is mapped");
    if let Err(error) = fledge_exceptions::guard::watch_guard_page(STACK_GUARD) {
        panic!("{error}");
    }
    // SAFETY: `top` is the end of four fresh, writable pages; `overflow`
    // never returns, so nothing runs on the old stack again (the
    // double-fault handler panics, and the test ends there).
    unsafe {
        core::arch::asm!(
            "mov rsp, {top}",
            "call {overflow}",
            top = in(reg) top.as_u64(),
            overflow = sym overflow,
            options(noreturn)
        );
    }
}

/// Recurses on the new stack until it runs into the guard page.
extern "C" fn overflow() -> ! {
    let depth = recurse(0);
    panic!("the recursion came back after {depth} calls instead of overflowing the stack");
}

/// Calls itself until the stack runs out.
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let frame = core::hint::black_box([depth; 32]);
    recurse(depth + 1) + frame[0]
}
