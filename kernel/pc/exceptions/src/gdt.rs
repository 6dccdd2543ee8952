//! The Global Descriptor Table and the Task State Segment.
//!
//! Segmentation is mostly switched off in 64-bit mode, but two of its
//! structures still matter. The GDT must hold a code segment descriptor
//! (its "long mode" bit is what makes the CPU run 64-bit code) and it is
//! where the Task State Segment is registered. The TSS no longer switches
//! tasks; in 64-bit mode it holds stack pointers, among them the seven of
//! the Interrupt Stack Table (IST). An IDT entry that names an IST slot
//! makes the CPU switch to that stack before it pushes anything.
//!
//! That is what saves a kernel whose stack overflowed. The overflow runs
//! into the guard page under the stack, an unmapped page the bootloader
//! leaves there, and that is a page fault. To handle it the CPU must push
//! the interrupt frame, on the same stack, into the same guard page, which
//! faults again: a double fault. If the double-fault handler also used that
//! stack, the third fault would reset the machine. With its own IST stack
//! it runs, and can say what happened.
//!
//! The bootloader has loaded a GDT of its own; this one replaces it.

use core::ops::Range;

use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;

// ANCHOR: stack
/// The IST slot of the double-fault handler's stack (slot 0 is the CPU's
/// IST1).
pub const DOUBLE_FAULT_IST_INDEX: u16 = 0;

/// The size of the double-fault handler's stack: enough for the handler and
/// the panic report it makes.
pub const DOUBLE_FAULT_STACK_SIZE: usize = 5 * 4096;

#[repr(C, align(16))]
struct Stack([u8; DOUBLE_FAULT_STACK_SIZE]);

/// The double-fault handler's stack. `static mut`, so that it is placed in
/// writable memory; Rust code never touches it, only the CPU.
static mut DOUBLE_FAULT_STACK: Stack = Stack([0; DOUBLE_FAULT_STACK_SIZE]);

/// The addresses of the double-fault stack. Stacks grow down: the CPU
/// starts at `end`.
pub fn double_fault_stack() -> Range<u64> {
    let start = (&raw const DOUBLE_FAULT_STACK) as u64;
    start..start + DOUBLE_FAULT_STACK_SIZE as u64
}
// ANCHOR_END: stack

/// Where the GDT's segments are.
#[derive(Clone, Copy, Debug)]
pub struct Selectors {
    /// The kernel's 64-bit code segment.
    pub code: SegmentSelector,
    /// The kernel's data segment, for SS, DS and ES.
    pub data: SegmentSelector,
    /// The TSS.
    pub tss: SegmentSelector,
}

// ANCHOR: tss
/// A TSS whose IST slot [`DOUBLE_FAULT_IST_INDEX`] holds
/// `double_fault_stack_top`; every other field stays zero.
pub fn tss(double_fault_stack_top: VirtAddr) -> TaskStateSegment {
    let mut tss = TaskStateSegment::new();
    tss.interrupt_stack_table[DOUBLE_FAULT_IST_INDEX as usize] = double_fault_stack_top;
    tss
}
// ANCHOR_END: tss

// ANCHOR: build
/// A GDT with a kernel code segment, a kernel data segment and `tss`, and
/// the selectors of the three.
pub fn build(tss: &'static TaskStateSegment) -> (GlobalDescriptorTable, Selectors) {
    let mut gdt = GlobalDescriptorTable::new();
    let code = gdt.append(Descriptor::kernel_code_segment());
    let data = gdt.append(Descriptor::kernel_data_segment());
    let tss = gdt.append(Descriptor::tss_segment(tss));
    (gdt, Selectors { code, data, tss })
}
// ANCHOR_END: build

// ANCHOR: load
/// Makes `gdt` the CPU's GDT: loads it, reloads the segment registers from
/// it, and loads the task register with the TSS.
///
/// # Safety
///
/// `selectors` must be the ones [`build`] returned with `gdt`: a selector
/// that names the wrong descriptor faults at once, or at the next
/// interrupt.
pub unsafe fn load(gdt: &'static GlobalDescriptorTable, selectors: &Selectors) {
    gdt.load();
    // SAFETY: the caller promises the selectors name this GDT's code, data
    // and TSS descriptors, which `build` made valid for the kernel.
    unsafe {
        CS::set_reg(selectors.code);
        SS::set_reg(selectors.data);
        DS::set_reg(selectors.data);
        ES::set_reg(selectors.data);
        load_tss(selectors.tss);
    }
}
// ANCHOR_END: load

// ANCHOR: init
static TSS: spin::Once<TaskStateSegment> = spin::Once::new();
static GDT: spin::Once<(GlobalDescriptorTable, Selectors)> = spin::Once::new();
static LOADED: spin::Once<()> = spin::Once::new();

/// Builds and loads the GDT and the TSS, once.
pub fn init() {
    let tss = TSS.call_once(|| tss(VirtAddr::new(double_fault_stack().end)));
    let (gdt, selectors) = GDT.call_once(|| build(tss));
    // SAFETY: `selectors` came from `build`, with this `gdt`.
    LOADED.call_once(|| unsafe { load(gdt, selectors) });
}
// ANCHOR_END: init

/// The GDT and its selectors, once [`init`] has built them.
pub fn loaded() -> Option<&'static (GlobalDescriptorTable, Selectors)> {
    LOADED.get().and(GDT.get())
}
