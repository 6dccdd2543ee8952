//! The kernel heap: fixed-size blocks, with a general allocator behind
//! them.
//!
//! Most of what a kernel allocates is small and comes in a few sizes:
//! list nodes, small buffers, boxed structs. A *fixed-size-block*
//! allocator keeps one free list per size class (8, 16, 32 ... 2048
//! bytes). Allocating pops the head of the class's list; freeing pushes
//! the block back. Both take a handful of instructions, and a block freed
//! is a block ready for the next allocation of its class.
//!
//! The free lists live inside the free blocks themselves: a free block's
//! first 8 bytes hold the address of the next free block of its class.
//! That is why the smallest class is 8 bytes, and why a block, once freed,
//! must never be used again by the code that freed it.
//!
//! Where do the blocks come from? When a class's list is empty, and for
//! anything bigger than 2048 bytes, the request goes to a *fallback*: the
//! `linked_list_allocator` crate's first-fit allocator over the heap's
//! whole range. It is slower (it walks a list of holes) and can fragment,
//! but it handles any size and alignment.
//!
//! The same design is in Linux's SLAB family, much elaborated, and in
//! Philipp Oppermann's "Writing an OS in Rust" (blog_os), whose heap
//! chapter Fledge's follows.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};

use x86_64::VirtAddr;
use x86_64::structures::paging::{FrameAllocator, Mapper, Page, PageTableFlags, Size4KiB};

use crate::paging::{MapError, Tlb, map_range};

/// Where the kernel heap starts in virtual memory, and how big it is (2
/// MiB): fixed addresses, so they are in the memory map, `kernel/memlayout`.
pub use fledge_memlayout::{HEAP_SIZE, HEAP_START};

/// The size classes, each a power of two, so that a block of a class is
/// also aligned to its size.
pub const BLOCK_SIZES: [usize; 9] = [8, 16, 32, 64, 128, 256, 512, 1024, 2048];

/// A free block: the link to the next free block of its class.
struct FreeBlock {
    next: Option<NonNull<FreeBlock>>,
}

/// A fixed-size-block allocator over one range of memory. Not thread-safe
/// by itself: [`KernelHeap`] puts it behind a lock.
pub struct FixedSizeBlocks {
    /// The first free block of each class.
    heads: [Option<NonNull<FreeBlock>>; BLOCK_SIZES.len()],
    /// Everything else.
    fallback: linked_list_allocator::Heap,
}

// SAFETY: the free blocks belong to the allocator alone (nobody else has
// their addresses), so moving the allocator to another thread moves them
// with it.
unsafe impl Send for FixedSizeBlocks {}

impl FixedSizeBlocks {
    /// An allocator with no memory: every allocation fails until [`init`].
    ///
    /// [`init`]: FixedSizeBlocks::init
    pub const fn empty() -> FixedSizeBlocks {
        FixedSizeBlocks { heads: [None; BLOCK_SIZES.len()], fallback: linked_list_allocator::Heap::empty() }
    }

    /// Gives the allocator the `size` bytes at `start`.
    ///
    /// # Safety
    ///
    /// The range must be mapped, writable, unused by anything else for as
    /// long as the allocator lives, and given only once.
    pub unsafe fn init(&mut self, start: *mut u8, size: usize) {
        // SAFETY: the caller vouches for the range.
        unsafe { self.fallback.init(start, size) };
    }

    /// How many blocks of class `class` are on its free list.
    pub fn free_blocks(&self, class: usize) -> usize {
        let mut count = 0;
        let mut block = self.heads[class];
        while let Some(free) = block {
            count += 1;
            // SAFETY: every block on a free list was written by `dealloc`
            // and is not in use.
            block = unsafe { free.as_ref().next };
        }
        count
    }

    /// The fallback's free bytes.
    pub fn fallback_free(&self) -> usize {
        self.fallback.free()
    }

    /// Asks the fallback; a null pointer if it has no room.
    fn fallback_alloc(&mut self, layout: Layout) -> *mut u8 {
        self.fallback.allocate_first_fit(layout).map_or(ptr::null_mut(), NonNull::as_ptr)
    }

    // ANCHOR: class_for
    /// The size class (an index into [`BLOCK_SIZES`]) that serves `layout`,
    /// or `None` if it is too big (or too strictly aligned) for a block.
    pub fn class_for(layout: Layout) -> Option<usize> {
        let needed = layout.size().max(layout.align());
        BLOCK_SIZES.iter().position(|&size| size >= needed)
    }
    // ANCHOR_END: class_for

    // ANCHOR: alloc
    /// Allocates memory for `layout`, or returns a null pointer if there is
    /// none left. Never panics.
    pub fn alloc(&mut self, layout: Layout) -> *mut u8 {
        let Some(class) = Self::class_for(layout) else {
            return self.fallback_alloc(layout);
        };
        match self.heads[class] {
            Some(block) => {
                // SAFETY: `block` is on the free list, so `dealloc` wrote a
                // `FreeBlock` there and nobody uses it.
                self.heads[class] = unsafe { block.as_ref().next };
                block.as_ptr().cast()
            }
            None => {
                let size = BLOCK_SIZES[class];
                match Layout::from_size_align(size, size) {
                    Ok(block) => self.fallback_alloc(block),
                    Err(_) => ptr::null_mut(),
                }
            }
        }
    }
    // ANCHOR_END: alloc

    // ANCHOR: dealloc
    /// Gives back the memory at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must have come from [`alloc`](FixedSizeBlocks::alloc) with this
    /// same `layout`, and must not be used again.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        let Some(block) = NonNull::new(ptr) else { return };
        match Self::class_for(layout) {
            Some(class) => {
                let block = block.cast::<FreeBlock>();
                // SAFETY: the block is at least 8 bytes and 8-aligned (every
                // class is), and the caller gave it up.
                unsafe { block.write(FreeBlock { next: self.heads[class] }) };
                self.heads[class] = Some(block);
            }
            // SAFETY: the fallback handed it out for this layout.
            None => unsafe { self.fallback.deallocate(block, layout) },
        }
    }
    // ANCHOR_END: dealloc
}

/// The kernel heap: a [`FixedSizeBlocks`] behind a spin lock, so that it
/// can be a `static` and Rust's `alloc` crate (`Box`, `Vec`, `String`) can
/// use it.
///
/// An interrupt handler must not allocate: if it interrupted code holding
/// the lock, it would spin forever.
pub struct KernelHeap(spin::Mutex<FixedSizeBlocks>);

impl KernelHeap {
    /// A heap with no memory yet.
    pub const fn empty() -> KernelHeap {
        KernelHeap(spin::Mutex::new(FixedSizeBlocks::empty()))
    }

    /// The allocator itself, locked.
    pub fn lock(&self) -> spin::MutexGuard<'_, FixedSizeBlocks> {
        self.0.lock()
    }
}

// SAFETY: `alloc` returns memory from the heap's range that nothing else
// uses, for the layout asked (the block classes are aligned to their size,
// the fallback honours the alignment), or null; `dealloc` only takes back
// what `alloc` gave.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0.lock().alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `GlobalAlloc`'s contract is `FixedSizeBlocks::dealloc`'s.
        unsafe { self.0.lock().dealloc(ptr, layout) }
    }
}

/// The kernel's heap. On the bare-metal target it is the global
/// allocator; host tests use the system's and their own [`FixedSizeBlocks`].
#[cfg_attr(target_os = "none", global_allocator)]
pub static HEAP: KernelHeap = KernelHeap::empty();

// ANCHOR: init_heap
/// Maps the heap's pages (`HEAP_SIZE` bytes from `HEAP_START`), writable
/// but not executable, and gives them to `heap`.
///
/// # Safety
///
/// Call it once per heap: the range is given to `heap` for good.
pub unsafe fn init_heap(
    heap: &KernelHeap,
    mapper: &mut impl Mapper<Size4KiB>,
    frames: &mut impl FrameAllocator<Size4KiB>,
    tlb: &mut impl Tlb,
) -> Result<(), MapError> {
    let first = Page::containing_address(VirtAddr::new(HEAP_START));
    let pages = Page::range(first, first + HEAP_SIZE / 4096);
    let flags = PageTableFlags::PRESENT | PageTableFlags::WRITABLE | PageTableFlags::NO_EXECUTE;
    map_range(mapper, frames, tlb, pages, flags)?;
    // SAFETY: the range was just mapped to fresh frames, and the caller
    // gives it to `heap` only once.
    unsafe { heap.lock().init(HEAP_START as *mut u8, HEAP_SIZE as usize) };
    Ok(())
}
// ANCHOR_END: init_heap
