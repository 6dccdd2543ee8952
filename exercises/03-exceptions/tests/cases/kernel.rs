//! Exercise 03's kernel tests: exceptions, raised on purpose.
//!
//! Each test loads what it needs (`gdt::init`, `idt::load`; both are cheap
//! to call again). The last two end their boot by design: the grader wants
//! the panic your handler makes (the page fault's sentence, the double
//! fault's report) and boots again for the next test.

use core::arch::asm;

use exceptions::fault::Access;
use exceptions::handlers::{breakpoints, page_faults};
use exceptions::{gdt, idt};
use fledge_boot::Case;
use fledge_cpu::probe;
// An address nothing maps, far from the kernel and canonical (bits 47 to
// 63 all equal: an address that is not raises a general-protection fault,
// not a page fault). The memory map, `kernel/memlayout`, reserves it.
use fledge_memlayout::UNMAPPED;

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![
    gdt_and_tss_are_loaded,
    breakpoint_resumes,
    page_fault_reports_the_address,
    page_fault_on_a_read_only_page,
    unexpected_page_fault_panics,
    stack_overflow_is_caught
];

fn gdt_and_tss_are_loaded() {
    gdt::init();
    let (table, selectors) = gdt::loaded().expect("gdt::init() returned but did not load a GDT");
    let pointer = x86_64::instructions::tables::sgdt();
    assert_eq!(pointer.base.as_u64(), table as *const _ as u64, "the CPU's GDT register does not point at your GDT");
    let cs = <x86_64::instructions::segmentation::CS as x86_64::instructions::segmentation::Segment>::get_reg();
    assert_eq!(cs, selectors.code, "CS was not reloaded with your code selector");
    let task: u16;
    // SAFETY: `str` copies the task register's selector and has no effect.
    unsafe { asm!("str {0:x}", out(reg) task, options(nomem, nostack, preserves_flags)) };
    assert_eq!(task, selectors.tss.0, "the task register does not hold your TSS selector");
}

fn breakpoint_resumes() {
    idt::load();
    let (before, _) = breakpoints();
    let after_int3: u64;
    // SAFETY: `int3` traps to the breakpoint handler, which returns; the
    // `lea` only computes the address of the label after the `int3`.
    unsafe { asm!("lea {0}, [rip + 2f]", "int3", "2:", out(reg) after_int3) };
    let (count, ip) = breakpoints();
    assert_eq!(count, before + 1, "the breakpoint handler did not record the breakpoint");
    assert_eq!(ip, after_int3, "the recorded instruction pointer should be the one just after `int3`");
    x86_64::instructions::interrupts::int3();
    assert_eq!(breakpoints().0, before + 2, "a second breakpoint was not handled");
}

fn page_fault_reports_the_address() {
    idt::load();
    // SAFETY: UNMAPPED is not mapped, and the page-fault handler recovers
    // probes.
    let read = unsafe { probe::read(UNMAPPED as *const u64) };
    assert!(read.is_err(), "reading {UNMAPPED:#x} should fault, but it read {read:?}");
    let (count, fault) = page_faults();
    assert_eq!(count, 1, "the page-fault handler should have recorded one fault");
    let fault = fault.expect("a fault was recorded");
    assert_eq!(fault.address, UNMAPPED, "the recorded address (CR2) is wrong");
    assert_eq!(fault.access, Access::Read, "the access was a read");
    assert!(!fault.present, "nothing is mapped there: the page was not present");
    assert!(!fault.user, "the fault happened in kernel mode");
}

fn page_fault_on_a_read_only_page() {
    idt::load();
    // Kernel code is mapped read-only. Write back the value that is there, so
    // that nothing changes even if the write went through.
    let code = page_fault_on_a_read_only_page as fn() as usize as *mut u64;
    // SAFETY: the address is this function's own code: mapped and readable.
    let value = unsafe { probe::read(code) }.expect("reading kernel code should not fault");
    // SAFETY: writing the same value back changes nothing; the page-fault
    // handler recovers the probe when the write faults.
    let write = unsafe { probe::write(code, value) };
    assert!(write.is_err(), "writing to kernel code should fault (the bootloader maps it read-only)");
    let fault = page_faults().1.expect("a fault was recorded");
    assert_eq!(fault.address, code as u64, "the recorded address (CR2) is wrong");
    assert_eq!(fault.access, Access::Write, "the access was a write");
    assert!(fault.present, "the page is present: this was a protection violation");
}

fn unexpected_page_fault_panics() {
    idt::load();
    let address = (UNMAPPED + 0x2000) as *const u64;
    // SAFETY: not safe at all, on purpose: this read faults and the
    // page-fault handler must panic, since no probe is there to recover.
    let value = unsafe { address.read_volatile() };
    panic!("reading {address:p} returned {value:#x} instead of faulting");
}

fn stack_overflow_is_caught() {
    gdt::init();
    idt::load();
    let depth = recurse(0);
    panic!("the recursion came back after {depth} calls instead of overflowing the stack");
}

/// Calls itself until the stack runs into the guard page.
#[allow(unconditional_recursion)]
fn recurse(depth: u64) -> u64 {
    let frame = core::hint::black_box([depth; 32]);
    core::hint::black_box(recurse(depth + 1)) + frame[(depth % 32) as usize]
}
