//! A ready-made trap setup for the exercises after 03.
//!
//! Exercise 03 has you build a GDT, a TSS and an IDT. Later exercises still
//! need them, to survive a probe's fault or to hear about a stack
//! overflow, but should not depend on your exercise 03 being finished, so
//! this module is the upstream kernel's version of the same three things,
//! smaller:
//!
//! - a GDT with a kernel code segment, a data segment and a TSS whose first
//!   interrupt-stack-table slot holds a stack of its own for double faults;
//! - an IDT with two handlers. A page fault goes to [`probe::recover`]
//!   (so probes work), and anything else panics with CR2 and the error
//!   code. A double fault panics too, and says "stack overflow" when CR2
//!   lies in a page registered with [`watch_guard_page`].
//!
//! Why is a stack overflow a *double* fault? The overflowing instruction
//! touches the guard page, a page fault; to deliver it, the CPU pushes the
//! interrupt frame onto the same stack, which is still in the guard page,
//! and faults again. A fault while delivering a page fault is a double
//! fault, and only a handler on a known-good stack (the IST) can run then.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use x86_64::VirtAddr;
use x86_64::instructions::segmentation::{CS, DS, ES, SS, Segment};
use x86_64::instructions::tables::load_tss;
use x86_64::registers::control::Cr2;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::idt::InterruptDescriptorTable;
use x86_64::structures::tss::TaskStateSegment;

use crate::{InterruptContext, entry, probe};

/// The IST slot of the double-fault stack.
const DOUBLE_FAULT_IST_INDEX: u16 = 0;

/// The double-fault handler's stack: 20 KiB, enough for a panic report.
const DOUBLE_FAULT_STACK_SIZE: usize = 5 * 4096;

#[repr(C, align(16))]
struct Stack([u8; DOUBLE_FAULT_STACK_SIZE]);

/// Written only by the CPU, when it switches to it for a double fault.
static mut DOUBLE_FAULT_STACK: Stack = Stack([0; DOUBLE_FAULT_STACK_SIZE]);

static TSS: spin::Once<TaskStateSegment> = spin::Once::new();
static GDT: spin::Once<(GlobalDescriptorTable, [SegmentSelector; 3])> = spin::Once::new();
static LOADED: AtomicBool = AtomicBool::new(false);
static IDT: spin::Once<InterruptDescriptorTable> = spin::Once::new();

/// The start of the page [`watch_guard_page`] registered, or 0.
static GUARD_PAGE: AtomicU64 = AtomicU64::new(0);

crate::interrupt_entry!(fn page_fault_entry => page_fault, error_code);
crate::interrupt_entry!(fn double_fault_entry => double_fault, error_code);

/// Loads the GDT (with the TSS) and the IDT. Calling it again builds
/// nothing new and loads only the IDT again (a TSS cannot be loaded twice).
pub fn install() {
    let tss = TSS.call_once(|| {
        let mut tss = TaskStateSegment::new();
        let bottom = (&raw const DOUBLE_FAULT_STACK) as u64;
        tss.interrupt_stack_table[DOUBLE_FAULT_IST_INDEX as usize] =
            VirtAddr::new(bottom + DOUBLE_FAULT_STACK_SIZE as u64);
        tss
    });
    let (gdt, selectors) = GDT.call_once(|| {
        let mut gdt = GlobalDescriptorTable::new();
        let code = gdt.append(Descriptor::kernel_code_segment());
        let data = gdt.append(Descriptor::kernel_data_segment());
        let tss = gdt.append(Descriptor::tss_segment(tss));
        (gdt, [code, data, tss])
    });
    if !LOADED.swap(true, Ordering::SeqCst) {
        let [code, data, tss] = *selectors;
        gdt.load();
        // SAFETY: the selectors are the segments of the GDT just loaded; the
        // TSS descriptor is loaded only once, as `load_tss` requires (a
        // second load of a busy TSS faults).
        unsafe {
            CS::set_reg(code);
            SS::set_reg(data);
            DS::set_reg(data);
            ES::set_reg(data);
            load_tss(tss);
        }
    }
    IDT.call_once(|| {
        let mut idt = InterruptDescriptorTable::new();
        // SAFETY: both are entry stubs for vectors with an error code, and
        // the IST slot holds a valid stack (set in the TSS above).
        unsafe {
            idt.page_fault.set_handler_addr(entry::address(page_fault_entry));
            idt.double_fault
                .set_handler_addr(entry::address(double_fault_entry))
                .set_stack_index(DOUBLE_FAULT_IST_INDEX);
        }
        idt
    })
    .load();
}

/// Registers the unmapped page at `page_start` as a stack's guard page: a
/// double fault with CR2 inside it is reported as a stack overflow.
pub fn watch_guard_page(page_start: u64) {
    GUARD_PAGE.store(page_start, Ordering::SeqCst);
}

extern "C" fn page_fault(context: &mut InterruptContext) {
    if probe::recover(context) {
        return;
    }
    panic!(
        "page fault at {:#x} (error code {:#x}) from the instruction at {:#x}",
        Cr2::read_raw(),
        context.error_code,
        context.frame.instruction_pointer
    );
}

extern "C" fn double_fault(context: &mut InterruptContext) {
    let address = Cr2::read_raw();
    let guard = GUARD_PAGE.load(Ordering::SeqCst);
    if guard != 0 && (guard..guard + 4096).contains(&address) {
        panic!("stack overflow: the stack ran into its guard page at {guard:#x} (CR2 {address:#x})");
    }
    panic!("double fault from the instruction at {:#x}, CR2 {address:#x}", context.frame.instruction_pointer);
}
