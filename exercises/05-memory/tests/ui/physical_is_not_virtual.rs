// A physical address cannot stand in for a virtual one: `translate` takes
// the address to look up as a `VirtAddr`, and a `PhysAddr` is another type.
// In C both would be a `uint64_t`, and this would compile.

use fledge_memlayout::PHYSICAL_MEMORY_OFFSET;
use memory::paging;
use x86_64::structures::paging::PhysFrame;
use x86_64::{PhysAddr, VirtAddr};

fn main() {
    let level_4 = PhysFrame::containing_address(PhysAddr::new(0x1000));
    let offset = VirtAddr::new(PHYSICAL_MEMORY_OFFSET);
    let table = PhysAddr::new(0x2000);
    // SAFETY: never runs; this file must not compile.
    let _ = unsafe { paging::translate(level_4, offset, table) };
}
