//! Memory a device can reach: `virtio-drivers`' [`Hal`] over Fledge's
//! frame allocator.
//!
//! A virtio device reads and writes the kernel's memory itself (direct
//! memory access, DMA), by *physical* address, without the CPU's page
//! tables. So a buffer handed to it must be physically contiguous: a
//! virtual range whose pages lie scattered in RAM would be read from the
//! wrong places after its first page. The driver crate asks its `Hal`
//! for such memory in two ways:
//!
//! - `dma_alloc`: pages for the device's queues, which live as long as
//!   the driver. Here: contiguous frames from the frame allocator, zeroed,
//!   reached through the bootloader's map of all physical memory.
//! - `share`: the caller's own buffer, for one request. The crate hands
//!   in whatever the caller had: a slice on the stack, straddling frames
//!   (its issues 8 and 124). So `share` copies it into pages of its own
//!   (a *bounce buffer*) and gives the device those; `unshare` copies the
//!   device's answer back and frees them. Which way to copy is what the
//!   [`BufferDirection`] says: into the bounce buffer when the device is to
//!   read it, back out when the device has written it.
//!
//! ```text
//!   caller's buffer ──share: copy in──▶ bounce pages ──▶ device reads
//!   caller's buffer ◀─unshare: copy out─ bounce pages ◀── device writes
//! ```
//!
//! The `Hal`'s functions take no `self`, so the memory they use is set
//! once, by [`init`], in a static.

use core::ptr::{self, NonNull};

use fledge_memory::frames::{BitmapFrameAllocator, FRAME_SIZE};
use virtio_drivers::{BufferDirection, Hal, PhysAddr};
use x86_64::structures::paging::PhysFrame;

/// Where DMA memory comes from.
struct DmaMemory {
    /// The kernel's frame allocator, shared with everything else that
    /// takes frames.
    frames: &'static spin::Mutex<BitmapFrameAllocator>,
    /// Where physical address 0 appears in virtual memory.
    offset: u64,
}

static MEMORY: spin::Once<DmaMemory> = spin::Once::new();

/// Why [`init`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlreadyInitialized;

/// Gives [`FledgeHal`] its memory: frames from `frames`, reached at
/// `physical_memory_offset` plus their physical address. Once per boot.
///
/// # Safety
///
/// Every physical address the allocator hands out must be mapped,
/// writable, at `physical_memory_offset` plus the address, and stay so;
/// the same holds for the BARs of the devices that will be driven.
pub unsafe fn init(
    frames: &'static spin::Mutex<BitmapFrameAllocator>,
    physical_memory_offset: u64,
) -> Result<(), AlreadyInitialized> {
    let mut fresh = false;
    MEMORY.call_once(|| {
        fresh = true;
        keep_frame_zero(&mut frames.lock());
        DmaMemory { frames, offset: physical_memory_offset }
    });
    if fresh { Ok(()) } else { Err(AlreadyInitialized) }
}

/// Takes the frame at physical address 0 out of `frames` for good, if it
/// is free: `virtio-drivers` reads a DMA address of 0 as "no memory"
/// (and the PC's memory map may well call that frame usable).
fn keep_frame_zero(frames: &mut BitmapFrameAllocator) {
    // `allocate` gives the lowest free frame: frame 0 if it is free.
    if let Some(frame) = frames.allocate()
        && frame.start_address().as_u64() != 0
    {
        frames.deallocate(frame).expect("a frame just taken can be given back");
    }
}

/// Why [`init_from_boot_info`] could not set the memory up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootMemoryError {
    /// The bootloader did not map physical memory (its configuration
    /// asks for the mapping: `fledge_boot`'s does).
    NotMapped,
    /// The memory was set up already.
    AlreadyInitialized,
}

/// Sets [`FledgeHal`]'s memory up from the bootloader's information:
/// `frames` takes the usable regions of its memory map, and the map of
/// all physical memory reaches them. Once per boot; the kernel tests of
/// chapters 8 and 9 start this way.
pub fn init_from_boot_info(
    frames: &'static spin::Mutex<BitmapFrameAllocator>,
    info: &bootloader_api::BootInfo,
) -> Result<(), BootMemoryError> {
    let offset = info.physical_memory_offset.into_option().ok_or(BootMemoryError::NotMapped)?;
    if MEMORY.get().is_some() {
        return Err(BootMemoryError::AlreadyInitialized);
    }
    frames.lock().init(&info.memory_regions);
    // SAFETY: the bootloader maps all physical memory, device memory
    // included, at `offset`, and `frames` now holds only the frames its
    // map calls usable, which nothing else in the kernel was given.
    unsafe { init(frames, offset) }.map_err(|AlreadyInitialized| BootMemoryError::AlreadyInitialized)
}

fn memory() -> &'static DmaMemory {
    MEMORY.get().expect("fledge_pci::dma::init was not called before the first device was set up")
}

/// Where physical address `paddr` is in virtual memory.
pub fn virt(paddr: PhysAddr) -> *mut u8 {
    memory().offset.wrapping_add(paddr) as *mut u8
}

/// How many pages `bytes` bytes take.
fn pages_for(bytes: usize) -> usize {
    bytes.div_ceil(FRAME_SIZE as usize).max(1)
}

// ANCHOR: allocate
/// `pages` contiguous frames, zeroed: their physical address and where
/// the kernel reaches them.
fn allocate(pages: usize) -> (PhysAddr, NonNull<u8>) {
    let first = memory().frames.lock().allocate_contiguous(pages);
    let Some(first) = first else {
        panic!("fledge_pci::dma: no {pages} contiguous free frames for a DMA buffer");
    };
    let paddr = first.start_address().as_u64();
    let vaddr = virt(paddr);
    // SAFETY: the frames were free until now, so nothing else uses them,
    // and `init`'s contract maps them writable at `vaddr`.
    unsafe { ptr::write_bytes(vaddr, 0, pages * FRAME_SIZE as usize) };
    (paddr, NonNull::new(vaddr).expect("the physical-memory map is not at address 0"))
}
// ANCHOR_END: allocate

/// Gives back `pages` frames from `paddr` on.
fn free(paddr: PhysAddr, pages: usize) {
    let mut frames = memory().frames.lock();
    for page in 0..pages as u64 {
        let frame = PhysFrame::containing_address(x86_64::PhysAddr::new(paddr + page * FRAME_SIZE));
        if let Err(error) = frames.deallocate(frame) {
            panic!("fledge_pci::dma: freeing a DMA buffer: {error}");
        }
    }
}

/// The [`Hal`] of Fledge's drivers.
#[derive(Debug)]
pub struct FledgeHal;

// SAFETY: `dma_alloc` returns zeroed, page-aligned, contiguous frames
// that no one else holds until `dma_dealloc`; `mmio_phys_to_virt` returns
// the bootloader's mapping of the BAR (`init`'s contract); `share` hands
// the device pages of its own, never the caller's buffer.
unsafe impl Hal for FledgeHal {
    fn dma_alloc(pages: usize, _direction: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        allocate(pages)
    }

    unsafe fn dma_dealloc(paddr: PhysAddr, _vaddr: NonNull<u8>, pages: usize) -> i32 {
        free(paddr, pages);
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        NonNull::new(virt(paddr)).expect("the physical-memory map is not at address 0")
    }

    // ANCHOR: share
    unsafe fn share(buffer: NonNull<[u8]>, direction: BufferDirection) -> PhysAddr {
        let (paddr, bounce) = allocate(pages_for(buffer.len()));
        if direction != BufferDirection::DeviceToDriver {
            // SAFETY: the caller's buffer is valid for `len` bytes
            // (`share`'s contract), the bounce pages hold at least as
            // many, and the two do not overlap.
            unsafe { ptr::copy_nonoverlapping(buffer.as_ptr().cast::<u8>(), bounce.as_ptr(), buffer.len()) };
        }
        paddr
    }
    // ANCHOR_END: share

    // ANCHOR: unshare
    unsafe fn unshare(paddr: PhysAddr, buffer: NonNull<[u8]>, direction: BufferDirection) {
        if direction != BufferDirection::DriverToDevice {
            // SAFETY: `paddr` came from `share` for this buffer, so its
            // bounce pages hold `len` bytes; the caller's buffer is valid
            // for as many (`unshare`'s contract).
            unsafe { ptr::copy_nonoverlapping(virt(paddr), buffer.as_ptr().cast::<u8>(), buffer.len()) };
        }
        free(paddr, pages_for(buffer.len()));
    }
    // ANCHOR_END: unshare
}
