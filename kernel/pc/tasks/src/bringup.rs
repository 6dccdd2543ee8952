//! Bringing up a kernel that runs tasks, in order, once per boot:
//!
//! ```text
//! 1. heap        frames from the boot memory map, the heap's pages mapped
//!                (exercise 05): the executor's tasks are boxed
//! 2. exceptions  GDT, TSS and IDT (exercise 03), inside step 3's IDT
//! 3. timer       exercise 04's `bringup::start` with this crate's IDT,
//!                and IRQ 3 (COM2) unmasked beside IRQ 0; interrupts last
//! ```
//!
//! What it returns is what the executor is made of: the PIT's clock.

use core::fmt;
use core::time::Duration;

use fledge_memory::frames::BitmapFrameAllocator;
use fledge_memory::heap::{self, HEAP};
use fledge_memory::paging::{Invlpg, MapError};
use fledge_timer::bringup::{self, HZ, Platform};
use fledge_timer::clock::PitClock;
use fledge_timer::pic;
use fledge_timer::pit::{self, PitError};
use x86_64::VirtAddr;
use x86_64::instructions::port::Port;
use x86_64::registers::control::Cr3;
use x86_64::structures::paging::{OffsetPageTable, PageTable};

use crate::idt;
use crate::serial_input::COM2_IRQ;

/// Why the kernel could not be brought up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BringupError {
    /// The runner has no boot information, or it maps no physical memory.
    NoBootInfo,
    /// The heap's pages could not be mapped.
    Heap(MapError),
    /// The PIT cannot run at the rate asked.
    Timer(PitError),
}

impl fmt::Display for BringupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BringupError::NoBootInfo => f.write_str("no boot information with physical memory mapped"),
            BringupError::Heap(error) => write!(f, "the heap could not be mapped: {error}"),
            BringupError::Timer(error) => write!(f, "the timer could not be started: {error}"),
        }
    }
}

impl core::error::Error for BringupError {}

/// The steps of exercise 04's bring-up, with this crate's IDT and COM2's
/// line unmasked too.
struct Tasks;

impl Platform for Tasks {
    fn load_idt(&mut self) {
        idt::load();
    }

    fn remap_pics(&mut self) {
        pic::with(|pics| {
            pics.remap();
            let primary = pics.masks().to_le_bytes()[0];
            // SAFETY: port 0x21 is the primary PIC's mask register; the
            // PICs' lock is held (with interrupts off), and this clears
            // one more line's mask than `remap` did.
            unsafe { Port::<u8>::new(0x21).write(primary & !(1 << COM2_IRQ)) };
        });
    }

    fn program_pit(&mut self, hz: u32) -> Result<Duration, PitError> {
        pit::program(hz)
    }

    fn enable_interrupts(&mut self) {
        x86_64::instructions::interrupts::enable();
    }
}

/// 64 KiB of bitmap: a static, not on the stack.
static FRAMES: spin::Mutex<BitmapFrameAllocator> = spin::Mutex::new(BitmapFrameAllocator::empty());

/// The frame allocator the heap took its frames from, once [`init`] has
/// run. Anything else that needs frames (DMA memory, exercise 08) must
/// take them from this one: a second allocator over the same memory map
/// would hand out the heap's frames again.
pub fn frames() -> &'static spin::Mutex<BitmapFrameAllocator> {
    &FRAMES
}

fn heap_up() -> Result<(), BringupError> {
    let info = fledge_boot::runner::boot_info().ok_or(BringupError::NoBootInfo)?;
    let offset = info.physical_memory_offset.into_option().ok_or(BringupError::NoBootInfo)?;
    let mut frames = FRAMES.lock();
    frames.init(&info.memory_regions);
    let offset = VirtAddr::new(offset);
    let table = (offset + Cr3::read().0.start_address().as_u64()).as_mut_ptr::<PageTable>();
    // SAFETY: CR3 holds the live level-4 table, reachable through the
    // bootloader's map of all physical memory at `offset`; nothing else
    // changes the tables while this runs (once, before any task).
    let mut tables = unsafe { OffsetPageTable::new(&mut *table, offset) };
    // SAFETY: called once per boot (`UP` below), so the heap's range is
    // given to the heap once.
    unsafe { heap::init_heap(&HEAP, &mut tables, &mut *frames, &mut Invlpg) }.map_err(BringupError::Heap)
}

static UP: spin::Once<Result<PitClock, BringupError>> = spin::Once::new();

/// Brings the kernel up (once) and returns the PIT's clock, at
/// exercise 04's [`HZ`].
pub fn init() -> Result<&'static PitClock, BringupError> {
    UP.call_once(|| {
        heap_up()?;
        let period = bringup::start(&mut Tasks, HZ).map_err(BringupError::Timer)?;
        Ok(PitClock::new(period))
    })
    .as_ref()
    .map_err(|error| *error)
}
