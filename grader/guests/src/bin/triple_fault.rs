//! A kernel whose first test triple-faults the CPU: with an empty interrupt
//! table, `int3` cannot be delivered, nor can the fault that raises, nor the
//! double fault after it, and the CPU resets. Under `-no-reboot` QEMU then
//! exits with status 0. The grader must say `crashed`, and still grade the
//! second test from a fresh boot.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;
use x86_64::VirtAddr;
use x86_64::instructions::tables::{DescriptorTablePointer, lidt};

fn resets_the_cpu() {
    let empty = DescriptorTablePointer { limit: 0, base: VirtAddr::new(0) };
    // SAFETY: not sound at all, on purpose: loading an empty IDT makes the
    // next interrupt reset the machine, which is what this guest is for.
    unsafe { lidt(&empty) };
    x86_64::instructions::interrupts::int3();
}

fn after_the_crash() {}

static CASES: &[Case] = fledge_boot::cases![resets_the_cpu, after_the_crash];

fledge_boot::test_kernel!(CASES);
