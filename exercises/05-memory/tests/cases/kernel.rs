//! Exercise 05's kernel tests: the frame allocator over the real memory
//! map the bootloader handed over.

use bootloader_api::info::MemoryRegionKind;
use fledge_boot::Case;
use memory::frames::{BitmapFrameAllocator, FRAME_SIZE};

/// The tests, in the order they run.
pub static CASES: &[Case] = &[
    Case::new("frames_from_the_boot_memory_map", frames_from_the_boot_memory_map),
    Case::new("allocated_frames_are_usable_ram", allocated_frames_are_usable_ram),
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
