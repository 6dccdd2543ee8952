//! Page tables: reading them by hand, and changing them through the
//! `x86_64` crate.
//!
//! A virtual address on x86-64 is four 9-bit table indices and a 12-bit
//! offset:
//!
//! ```text
//!  47      39 38      30 29      21 20      12 11         0
//! | level 4  | level 3  | level 2  | level 1  |  offset    |
//! ```
//!
//! CR3 holds the physical frame of the level-4 table. Each entry of a
//! table holds the physical address of the next table down, and flags. A
//! level-3 or level-2 entry with `HUGE_PAGE` set is itself the mapping:
//! a 1 GiB or 2 MiB page, and the rest of the address is the offset into
//! it. An entry without `PRESENT` ends the walk: the address is unmapped.
//!
//! The tables hold *physical* addresses, but the kernel can only read
//! memory through *virtual* ones. Fledge asks the bootloader to map all
//! physical memory at one offset (`fledge_boot::PHYSICAL_MEMORY_OFFSET`),
//! so the table at physical `p` is readable at `offset + p`. The host
//! tests use the same trick the other way round: a `Vec` of tables plays
//! physical memory, and the "offset" is where the `Vec` lives.
//!
//! Two functions here are yours: [`translate`] walks the tables by hand,
//! and [`map_range`] maps pages through the `x86_64` crate's
//! [`Mapper`](x86_64::structures::paging::Mapper), which does the same
//! walk and creates missing tables as it goes. [`map_stack`] uses it to
//! build a stack with an unmapped guard page under it.
//!
//! After changing an entry, the CPU may still hold the old one in its TLB
//! (translation lookaside buffer), a cache of translations. The `x86_64`
//! crate hands back a [`MapperFlush`] for every change, marked
//! `#[must_use]`; Fledge's crates make ignoring one an error. The [`Tlb`]
//! trait says what to do with it, so the host tests can count the flushes
//! instead of running `invlpg`, which only the kernel may.

use core::fmt;

use x86_64::structures::paging::mapper::{MapToError, MapperFlush, TranslateError};
use x86_64::structures::paging::page::PageRange;
use x86_64::structures::paging::{FrameAllocator, Mapper, Page, PageTable, PageTableFlags, PhysFrame, Size4KiB};
use x86_64::{PhysAddr, VirtAddr};

/// What [`translate`] found: where the address lands in physical memory,
/// how big the page holding it is, and what the walk allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    /// The physical address the virtual one maps to.
    pub addr: PhysAddr,
    /// The size of the page: 4 KiB, 2 MiB or 1 GiB.
    pub page_size: u64,
    /// The *effective* flags: `WRITABLE` and `USER_ACCESSIBLE` only if
    /// every level allows it, `NO_EXECUTE` if any level forbids it. The
    /// other flags are those of the last entry.
    pub flags: PageTableFlags,
}

/// Returns the table at physical address `table`, read through the mapping
/// of physical memory at `offset`.
///
/// # Safety
///
/// `offset + table` must be mapped and hold a page table that nothing
/// changes while the reference lives.
unsafe fn table_at<'a>(offset: VirtAddr, table: PhysAddr) -> &'a PageTable {
    // SAFETY: the caller vouches that a page table lives there.
    unsafe { &*(offset + table.as_u64()).as_ptr::<PageTable>() }
}

// ANCHOR: translate
/// Walks the page tables under the level-4 table `level_4` to find where
/// `addr` is mapped, or `None` if it is not.
///
/// # Safety
///
/// `level_4` and every table under it must be readable through the mapping
/// of physical memory at `offset`, and must not change during the walk.
pub unsafe fn translate(level_4: PhysFrame, offset: VirtAddr, addr: VirtAddr) -> Option<Translation> {
    // For each level, `indices[level]` picks the entry in the table at
    // physical address `table` (read it with `table_at`). Not PRESENT: the
    // address is unmapped. HUGE_PAGE at level 3 (1 GiB) or 2 (2 MiB), or any
    // level-1 entry (4 KiB): the entry maps the page, and the low bits of
    // `addr` are the offset into it. Otherwise go down to `entry.addr()`.
    // Keep WRITABLE and USER_ACCESSIBLE only if every level has them, and
    // NO_EXECUTE if any level has it.
    let indices = [addr.p4_index(), addr.p3_index(), addr.p2_index(), addr.p1_index()];
    todo!("walk the four levels from {level_4:?} to find {addr:?} ({indices:?}), through {offset:?}")
}
// ANCHOR_END: translate

/// What to do with a [`MapperFlush`]: on the machine, flush that page from
/// the TLB; in a host test, count it.
pub trait Tlb {
    /// Makes the CPU forget whatever it cached for the page `flush` names.
    fn flush(&mut self, flush: MapperFlush<Size4KiB>);
}

/// The real thing: `invlpg`, one page at a time.
pub struct Invlpg;

impl Tlb for Invlpg {
    fn flush(&mut self, flush: MapperFlush<Size4KiB>) {
        flush.flush();
    }
}

/// Why a mapping could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// The frame allocator ran out, after this many pages were mapped.
    OutOfFrames {
        /// Pages of the range mapped before the allocator ran out.
        mapped: u64,
    },
    /// This page is mapped already.
    AlreadyMapped(Page),
    /// A huge page already covers this page.
    InsideHugePage(Page),
    /// The page that should stay unmapped under a stack is mapped.
    GuardPageMapped(Page),
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::OutOfFrames { mapped } => write!(f, "out of frames after mapping {mapped} pages"),
            MapError::AlreadyMapped(page) => write!(f, "the page at {:#x} is mapped already", page.start_address()),
            MapError::InsideHugePage(page) => {
                write!(f, "the page at {:#x} lies inside a huge page", page.start_address())
            }
            MapError::GuardPageMapped(page) => {
                write!(f, "the guard page at {:#x} is mapped", page.start_address())
            }
        }
    }
}

impl core::error::Error for MapError {}

// ANCHOR: map_range
/// Maps every page of `pages` to a fresh frame from `frames`, with `flags`,
/// and flushes each through `tlb`. Stops at the first error.
pub fn map_range(
    mapper: &mut impl Mapper<Size4KiB>,
    frames: &mut impl FrameAllocator<Size4KiB>,
    tlb: &mut impl Tlb,
    pages: PageRange,
    flags: PageTableFlags,
) -> Result<(), MapError> {
    // For each page: if `mapper.translate_page(page)` finds it mapped, or
    // inside a huge page, return the error before taking a frame. Otherwise
    // take a frame, `map_to` it (unsafe: say why in a SAFETY comment), turn a
    // `MapToError` into a `MapError`, and hand the `MapperFlush` to `tlb`.
    todo!("map {pages:?} with {flags:?}, flushing each page through the Tlb")
}
// ANCHOR_END: map_range

// ANCHOR: map_stack
/// Builds a stack of `pages` writable, non-executable pages just above
/// `guard`, which must be unmapped and stays so. Returns the stack's top:
/// the end of its highest page, where the stack pointer starts.
pub fn map_stack(
    mapper: &mut impl Mapper<Size4KiB>,
    frames: &mut impl FrameAllocator<Size4KiB>,
    tlb: &mut impl Tlb,
    guard: Page,
    pages: u64,
) -> Result<VirtAddr, MapError> {
    // Refuse a guard page that `translate_page` finds (anything but
    // `PageNotMapped`). Then map the `pages` pages above it, writable and not
    // executable, and return the end of the highest one.
    todo!("map a {pages}-page stack above the guard page {guard:?}")
}
// ANCHOR_END: map_stack
