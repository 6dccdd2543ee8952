//! A bitmap frame allocator.
//!
//! One bit per 4 KiB frame of physical memory, up to [`MAX_MEMORY`]: set
//! means free. A second bitmap remembers which frames were usable at all,
//! so that freeing a frame the allocator never owned is caught instead of
//! quietly handing out, later, memory that belongs to something else. The
//! bitmaps live inside the allocator (64 KiB of them), so it needs no
//! memory of its own to start: there is no heap yet to ask.
//!
//! A region of the memory map need not start or end on a frame boundary;
//! only the frames that lie wholly inside a usable region are free. A
//! frame that straddles the edge of a region shares its memory with
//! something else.
//!
//! `allocate` scans from where the last free frame was found, so handing
//! out frames one after another costs little; `deallocate` moves the scan
//! back if the freed frame comes earlier.

use core::fmt;

use bootloader_api::info::{MemoryRegion, MemoryRegionKind};
use x86_64::PhysAddr;
use x86_64::structures::paging::{FrameAllocator, PhysFrame, Size4KiB};

/// The size of a frame.
pub const FRAME_SIZE: u64 = 4096;

/// How much physical memory the allocator can manage: frames above this
/// are ignored.
pub const MAX_MEMORY: u64 = 1 << 30;

/// The number of frames below [`MAX_MEMORY`].
pub const MAX_FRAMES: usize = (MAX_MEMORY / FRAME_SIZE) as usize;

const WORDS: usize = MAX_FRAMES / 64;

/// Why a frame could not be given back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The frame is not in a usable region: the allocator never owned it.
    NotOwned(PhysFrame<Size4KiB>),
    /// The frame is free already: a double free.
    AlreadyFree(PhysFrame<Size4KiB>),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::NotOwned(frame) => {
                write!(f, "frame {:#x} is not usable memory", frame.start_address().as_u64())
            }
            FrameError::AlreadyFree(frame) => write!(f, "frame {:#x} is free already", frame.start_address().as_u64()),
        }
    }
}

impl core::error::Error for FrameError {}

/// Free frames, one bit each.
#[derive(Clone)]
pub struct BitmapFrameAllocator {
    /// Bit n set: frame n is free.
    free: [u64; WORDS],
    /// Bit n set: frame n lies wholly inside a usable region.
    usable: [u64; WORDS],
    /// Where `allocate` starts looking: no free frame has a lower index.
    next: usize,
    /// How many bits of `free` are set.
    free_count: usize,
}

fn bit(bitmap: &[u64; WORDS], index: usize) -> bool {
    bitmap[index / 64] & (1 << (index % 64)) != 0
}

fn set(bitmap: &mut [u64; WORDS], index: usize, value: bool) {
    let mask = 1 << (index % 64);
    if value {
        bitmap[index / 64] |= mask;
    } else {
        bitmap[index / 64] &= !mask;
    }
}

fn frame_at(index: usize) -> PhysFrame<Size4KiB> {
    PhysFrame::containing_address(PhysAddr::new(index as u64 * FRAME_SIZE))
}

impl BitmapFrameAllocator {
    /// An allocator with no free frames, to be filled by [`init`]. It is
    /// `const`, so the kernel can keep one in a `static`: at 64 KiB it
    /// would not fit on the kernel's stack.
    ///
    /// [`init`]: BitmapFrameAllocator::init
    pub const fn empty() -> BitmapFrameAllocator {
        BitmapFrameAllocator { free: [0; WORDS], usable: [0; WORDS], next: 0, free_count: 0 }
    }

    // ANCHOR: init
    /// Makes the free frames exactly those lying wholly inside the usable
    /// regions of `regions` (and below [`MAX_MEMORY`]), forgetting any
    /// earlier state.
    pub fn init(&mut self, regions: &[MemoryRegion]) {
        self.free.fill(0);
        self.usable.fill(0);
        self.next = 0;
        self.free_count = 0;
        for region in regions.iter().filter(|r| r.kind == MemoryRegionKind::Usable) {
            let first = region.start.div_ceil(FRAME_SIZE);
            let end = (region.end.min(MAX_MEMORY) / FRAME_SIZE).max(first);
            for index in first as usize..end as usize {
                if !bit(&self.usable, index) {
                    set(&mut self.usable, index, true);
                    set(&mut self.free, index, true);
                    self.free_count += 1;
                }
            }
        }
    }
    // ANCHOR_END: init

    // ANCHOR: allocate
    /// A free frame, now taken; `None` when every frame is in use.
    pub fn allocate(&mut self) -> Option<PhysFrame<Size4KiB>> {
        let word = (self.next / 64..WORDS).find(|&w| self.free[w] != 0)?;
        let index = word * 64 + self.free[word].trailing_zeros() as usize;
        set(&mut self.free, index, false);
        self.free_count -= 1;
        self.next = index;
        Some(frame_at(index))
    }
    // ANCHOR_END: allocate

    // ANCHOR: deallocate
    /// Gives `frame` back.
    pub fn deallocate(&mut self, frame: PhysFrame<Size4KiB>) -> Result<(), FrameError> {
        let index = (frame.start_address().as_u64() / FRAME_SIZE) as usize;
        if index >= MAX_FRAMES || !bit(&self.usable, index) {
            return Err(FrameError::NotOwned(frame));
        }
        if bit(&self.free, index) {
            return Err(FrameError::AlreadyFree(frame));
        }
        set(&mut self.free, index, true);
        self.free_count += 1;
        self.next = self.next.min(index);
        Ok(())
    }
    // ANCHOR_END: deallocate

    // ANCHOR: allocate_contiguous
    /// `count` free frames at consecutive addresses, now taken: the first
    /// of them, or `None` when no run that long is free (or `count` is 0).
    ///
    /// A device reaches memory by physical address, so a buffer it reads
    /// must be one piece of physical memory (chapter 8). This scans for
    /// the first long enough run of free bits, one bit at a time: slower
    /// than `allocate`, and rarely needed.
    pub fn allocate_contiguous(&mut self, count: usize) -> Option<PhysFrame<Size4KiB>> {
        let mut run = 0;
        for index in self.next..MAX_FRAMES {
            run = if bit(&self.free, index) { run + 1 } else { 0 };
            if count > 0 && run == count {
                let first = index + 1 - count;
                for taken in first..=index {
                    set(&mut self.free, taken, false);
                }
                self.free_count -= count;
                return Some(frame_at(first));
            }
        }
        None
    }
    // ANCHOR_END: allocate_contiguous

    /// How many frames are free.
    pub fn free_frames(&self) -> usize {
        self.free_count
    }
}

// The `x86_64` crate's page-table code takes frames through this trait.
// SAFETY: `allocate` hands out each usable frame at most once until it is
// given back with `deallocate` (the host tests check that).
unsafe impl FrameAllocator<Size4KiB> for BitmapFrameAllocator {
    fn allocate_frame(&mut self) -> Option<PhysFrame<Size4KiB>> {
        self.allocate()
    }
}
