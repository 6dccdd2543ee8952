//! The memory map of a Fledge kernel on the PC: every fixed address, in
//! one place.
//!
//! xv6 keeps its memory layout in one header, `memlayout.h`, so that a
//! reader who wants to know "what lives at this address?" looks in one
//! file. This file is that file for Fledge. The kernel, the exercises and their tests
//! name these constants instead of writing the numbers again, and nothing
//! else in Fledge picks a fixed address.
//!
//! The 48-bit virtual address space of x86-64, from the bottom up. An
//! address is *canonical* when its bits 47 to 63 are all equal, so the
//! space is two halves with a hole between them; a non-canonical address
//! raises a general-protection fault, never a page fault.
//!
//! ```text
//!   0x0000_0000_0000_0000  ┐
//!        ...               │ the bootloader's own mappings (its page
//!                          │ tables, the boot information, the kernel's
//!                          │ stack with its guard page) go where it finds
//!                          │ room, and are not fixed
//!   0x0000_0100_0000_0000  │ KERNEL_BASE: the kernel's ELF image
//!   0x0000_0dea_dbee_f000  │ UNMAPPED: a page nothing ever maps
//!   0x0000_2000_0000_0000  │ HEAP_START: the kernel heap, HEAP_SIZE bytes
//!   0x0000_3000_0000_0000  │ SCRATCH: where tests map pages of their own
//!   0x0000_3000_0010_0000  │ STACK_GUARD: the guard page under a test stack
//!   0x0000_7fff_ffff_ffff  ┘ the top of the lower half
//!        (non-canonical hole)
//!   0xffff_8000_0000_0000  ┐ PHYSICAL_MEMORY_OFFSET: all of physical memory,
//!        ...               ┘ mapped by the bootloader (the "direct map")
//! ```
//!
//! Fixed *physical* addresses: none. Fledge takes its physical memory from
//! the firmware's memory map (exercise 05's frame allocator) and finds its
//! devices by asking them (PCI), so nothing in the kernel assumes where RAM
//! or a device is. The I/O ports of the PC's legacy devices (COM1 at
//! `0x3f8`, the PICs, the PIT) are another address space, and each
//! driver names its own.
//!
//! The exercise manifests quote two of these addresses in the panic
//! messages they expect (a test in this crate keeps them in step).

#![no_std]

// ANCHOR: layout
/// Where the bootloader loads the kernel's ELF image. Fledge's kernels are
/// position-independent executables linked at 0, so this is also the
/// offset to add to any address in the ELF file: `cargo grade --gdb` tells
/// gdb to load the symbols there.
pub const KERNEL_BASE: u64 = 0x0000_0100_0000_0000;

/// Where the bootloader maps all of physical memory: physical address `p`
/// can be read at virtual address `PHYSICAL_MEMORY_OFFSET + p`. Page-table
/// code needs it, because a page-table entry holds the *physical* address
/// of the next table and the CPU only lets the kernel use virtual ones. It
/// is the start of the upper half, as in Linux's direct map (which begins
/// a little higher, at `0xffff_8880_0000_0000`).
pub const PHYSICAL_MEMORY_OFFSET: u64 = 0xffff_8000_0000_0000;

/// Where the kernel heap starts (exercise 05's `init_heap` maps it).
pub const HEAP_START: u64 = 0x0000_2000_0000_0000;

/// How big the kernel heap is: 2 MiB.
pub const HEAP_SIZE: u64 = 2 << 20;

/// A region nothing else uses, where kernel tests map pages of their own
/// (exercise 05 maps four here and reads them back through the direct map).
pub const SCRATCH: u64 = 0x0000_3000_0000_0000;

/// The guard page under a stack that kernel tests build with exercise 05's
/// `map_stack`: left unmapped, so that the stack running into it faults.
/// One MiB above [`SCRATCH`], clear of the pages mapped there.
pub const STACK_GUARD: u64 = SCRATCH + 0x10_0000;

/// A page that nothing ever maps: in the lower half, far from the kernel,
/// the heap and the bootloader's mappings, and canonical, so that touching
/// it is a page fault (exercise 03 reads it on purpose).
pub const UNMAPPED: u64 = 0x0000_0dea_dbee_f000;
// ANCHOR_END: layout

/// The size of a page, and of a frame of physical memory: 4 KiB.
pub const PAGE_SIZE: u64 = 4096;

// The regions must not overlap, and every address must be canonical and
// page-aligned; the compiler checks it.
const _: () = {
    const fn canonical(addr: u64) -> bool {
        addr < 0x0000_8000_0000_0000 || addr >= 0xffff_8000_0000_0000
    }
    let fixed = [KERNEL_BASE, PHYSICAL_MEMORY_OFFSET, HEAP_START, SCRATCH, STACK_GUARD, UNMAPPED];
    let mut i = 0;
    while i < fixed.len() {
        assert!(canonical(fixed[i]), "a fixed address is not canonical");
        assert!(fixed[i].is_multiple_of(PAGE_SIZE), "a fixed address is not page-aligned");
        i += 1;
    }
    assert!(KERNEL_BASE < UNMAPPED && UNMAPPED < HEAP_START, "the regions are out of order");
    assert!(HEAP_START + HEAP_SIZE <= SCRATCH, "the heap runs into the scratch region");
    assert!(SCRATCH < STACK_GUARD, "the guard page is below the scratch region");
};

#[cfg(test)]
mod test {
    extern crate std;

    use std::format;
    use std::fs;
    use std::path::Path;

    use super::*;

    /// The text of an exercise's manifest.
    fn manifest(folder: &str) -> std::string::String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../exercises").join(folder).join("exercise.toml");
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    #[test]
    fn manifests_quote_these_addresses() {
        // Exercise 03 reads two pages above UNMAPPED outside any probe, and
        // wants the page fault's report, address in 16 hex digits.
        let expected = format!("page fault at {:#018x}: read of a not-present page", UNMAPPED + 0x2000);
        assert!(manifest("03-exceptions").contains(&expected), "exercises/03-exceptions/exercise.toml: {expected}");
        // Exercise 05's stack overflow names its guard page.
        let expected = format!("the stack ran into its guard page at {STACK_GUARD:#x}");
        assert!(manifest("05-memory").contains(&expected), "exercises/05-memory/exercise.toml: {expected}");
    }
}
