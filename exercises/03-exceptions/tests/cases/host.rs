//! Exercise 03's host tests: the tables and the fault decoder are plain data
//! and plain logic, so they are checked here, before anything boots.

use exceptions::fault::{Access, PageFault};
use exceptions::gdt::{self, DOUBLE_FAULT_IST_INDEX};
use exceptions::idt;
use fledge_cpu::entry;
use x86_64::VirtAddr;
use x86_64::structures::gdt::Descriptor;
use x86_64::structures::tss::TaskStateSegment;

#[test]
fn tss_gives_the_double_fault_its_stack() {
    let top = VirtAddr::new(0x1234_5000);
    let tss = gdt::tss(top);
    let ist = tss.interrupt_stack_table;
    assert_eq!(
        ist[DOUBLE_FAULT_IST_INDEX as usize], top,
        "IST slot {DOUBLE_FAULT_IST_INDEX} must hold the stack's top"
    );
    for (slot, addr) in ist.iter().enumerate().filter(|&(slot, _)| slot != DOUBLE_FAULT_IST_INDEX as usize) {
        assert_eq!(*addr, VirtAddr::zero(), "IST slot {slot} should stay empty");
    }
    let privilege = tss.privilege_stack_table;
    assert!(privilege.iter().all(|a| *a == VirtAddr::zero()), "the privilege stacks should stay empty");
}

#[test]
fn gdt_holds_code_data_and_the_tss() {
    static TSS: spin::Lazy<TaskStateSegment> = spin::Lazy::new(TaskStateSegment::new);
    let (table, selectors) = gdt::build(&TSS);
    let entries = table.entries();
    let raw = |selector: x86_64::structures::gdt::SegmentSelector| {
        entries.get(selector.index() as usize).map(|e| e.raw()).unwrap_or_else(|| {
            panic!("selector {selector:?} points past the end of the GDT ({} entries)", entries.len())
        })
    };
    for (what, selector) in [("code", selectors.code), ("data", selectors.data), ("TSS", selectors.tss)] {
        assert_eq!(selector.rpl(), x86_64::PrivilegeLevel::Ring0, "the {what} selector must be for ring 0");
    }
    let Descriptor::UserSegment(code) = Descriptor::kernel_code_segment() else { unreachable!() };
    let Descriptor::UserSegment(data) = Descriptor::kernel_data_segment() else { unreachable!() };
    let Descriptor::SystemSegment(tss_low, tss_high) = Descriptor::tss_segment(&TSS) else { unreachable!() };
    assert_eq!(raw(selectors.code), code, "selectors.code must name a kernel code segment descriptor");
    assert_eq!(raw(selectors.data), data, "selectors.data must name a kernel data segment descriptor");
    assert_eq!(raw(selectors.tss), tss_low, "selectors.tss must name the descriptor of the TSS you were given");
    let high = entries.get(selectors.tss.index() as usize + 1).map(|e| e.raw());
    assert_eq!(high, Some(tss_high), "a TSS descriptor takes two GDT slots");
}

#[test]
fn idt_routes_the_three_exceptions() {
    let table = idt::build();
    assert_eq!(
        table.breakpoint.handler_addr(),
        entry::address(idt::breakpoint_entry),
        "the breakpoint entry must point at breakpoint_entry"
    );
    assert_eq!(
        table.page_fault.handler_addr(),
        entry::address(idt::page_fault_entry),
        "the page-fault entry must point at page_fault_entry"
    );
    assert_eq!(
        table.double_fault.handler_addr(),
        entry::address(idt::double_fault_entry),
        "the double-fault entry must point at double_fault_entry"
    );
    assert_eq!(table.general_protection_fault.handler_addr(), VirtAddr::zero(), "only three entries are asked for");
    // The x86_64 crate keeps an entry's IST slot to itself, but its Debug
    // output shows it.
    let double_fault = format!("{:?}", table.double_fault);
    assert!(
        double_fault.contains(&format!("stack_index: Some({DOUBLE_FAULT_IST_INDEX})")),
        "the double-fault entry must switch to IST slot DOUBLE_FAULT_IST_INDEX (set_stack_index); it is {double_fault}"
    );
}

#[test]
fn page_fault_error_codes_are_decoded() {
    let cases = [
        (0b00000, Access::Read, false, false, false),
        (0b00010, Access::Write, false, false, false),
        (0b00011, Access::Write, true, false, false),
        (0b00101, Access::Read, true, true, false),
        (0b10000, Access::Execute, false, false, false),
        (0b10001, Access::Execute, true, false, false),
        (0b01000, Access::Read, false, false, true),
    ];
    for (code, access, present, user, reserved_bit) in cases {
        let fault = PageFault::decode(0x1000, code);
        assert_eq!(fault, PageFault { address: 0x1000, access, present, user, reserved_bit }, "error code {code:#07b}");
    }
}

#[test]
fn page_faults_read_as_sentences() {
    let read = PageFault::decode(0x0000_0dea_dbee_f000, 0);
    assert_eq!(read.to_string(), "page fault at 0x00000deadbeef000: read of a not-present page in kernel mode");
    let write = PageFault::decode(0xffff_8000_0000_1000, 0b00011);
    assert_eq!(write.to_string(), "page fault at 0xffff800000001000: write of a protected page in kernel mode");
    let fetch = PageFault::decode(0x40_0000, 0b11101);
    assert_eq!(
        fetch.to_string(),
        "page fault at 0x0000000000400000: instruction fetch of a protected page in user mode (a page table has a reserved bit set)"
    );
}
