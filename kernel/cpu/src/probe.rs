//! Memory accesses that may fault, and the fix-up that survives the fault.
//!
//! How does a kernel read a pointer it does not trust (one that came from
//! a user program, say) without dying when the pointer is bad? Linux's
//! answer is the exception table: a list of "if the instruction at address
//! A faults, resume at address B instead". `copy_from_user` reads through
//! instructions that are in the list; its page-fault handler looks the
//! faulting address up and, when it finds it, changes the saved
//! instruction pointer to B and returns. The copy then reports `-EFAULT`
//! rather than taking the kernel down.
//!
//! This module is the smallest version of that idea, with one entry per
//! probe. [`read`] and [`write`] each begin with the one instruction that
//! may fault; a page-fault handler calls [`recover`], which sends the
//! faulting probe to a fix-up that returns [`Faulted`]. Exercise 03 uses
//! the probes to touch unmapped and read-only memory on purpose and keep
//! running.

use core::fmt;

use crate::InterruptContext;

/// A probe's access faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Faulted;

impl fmt::Display for Faulted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the access faulted")
    }
}

/// Reads `*addr`, or returns [`Faulted`] if the read faults and the page-fault
/// handler called [`recover`].
///
/// # Safety
///
/// If `addr` is mapped, reading 8 bytes there must be harmless (not a
/// device register with side effects). If it is not, a page-fault handler
/// that calls [`recover`] must be installed, or the fault is just a fault.
pub unsafe fn read(addr: *const u64) -> Result<u64, Faulted> {
    let mut value = 0;
    // SAFETY: the caller vouches for `addr`; `value` is a valid place for
    // the result.
    match unsafe { read_or_fault(addr, &mut value) } {
        0 => Ok(value),
        _ => Err(Faulted),
    }
}

/// Writes `value` to `*addr`, or returns [`Faulted`] if the write faults and
/// the page-fault handler called [`recover`].
///
/// # Safety
///
/// If `addr` is mapped and writable, writing 8 bytes there must not break
/// anything. If the write faults, a page-fault handler that calls
/// [`recover`] must be installed.
pub unsafe fn write(addr: *mut u64, value: u64) -> Result<(), Faulted> {
    // SAFETY: the caller vouches for `addr`.
    match unsafe { write_or_fault(addr, value) } {
        0 => Ok(()),
        _ => Err(Faulted),
    }
}

/// Called by a page-fault handler: if the fault came from a probe, points
/// the saved instruction pointer at the fix-up, so that returning from the
/// handler makes the probe return [`Faulted`], and says `true`. Otherwise
/// changes nothing and says `false`.
pub fn recover(context: &mut InterruptContext) -> bool {
    let ip = context.frame.instruction_pointer;
    if ip == probe_addresses()[0] || ip == probe_addresses()[1] {
        context.frame.instruction_pointer = fixup_address();
        true
    } else {
        false
    }
}

/// Where the two probes start: the addresses of their faulting instructions.
fn probe_addresses() -> [u64; 2] {
    let read: unsafe extern "C" fn(*const u64, *mut u64) -> u64 = read_or_fault;
    let write: unsafe extern "C" fn(*mut u64, u64) -> u64 = write_or_fault;
    [read as usize as u64, write as usize as u64]
}

/// Where the fix-up starts.
fn fixup_address() -> u64 {
    let fixup: extern "C" fn() -> u64 = fixup;
    fixup as usize as u64
}

// The probes: the access is the first instruction, so a fault there has
// pushed nothing yet and the fix-up's `ret` returns to the probe's caller.

/// Returns 0 after copying `*addr` to `*out`.
#[unsafe(naked)]
unsafe extern "C" fn read_or_fault(addr: *const u64, out: *mut u64) -> u64 {
    core::arch::naked_asm!("mov rax, [rdi]", "mov [rsi], rax", "xor eax, eax", "ret")
}

/// Returns 0 after writing `value` to `*addr`.
#[unsafe(naked)]
unsafe extern "C" fn write_or_fault(addr: *mut u64, value: u64) -> u64 {
    core::arch::naked_asm!("mov [rdi], rsi", "xor eax, eax", "ret")
}

/// Where a faulting probe resumes: returns 1 to the probe's caller.
#[unsafe(naked)]
extern "C" fn fixup() -> u64 {
    core::arch::naked_asm!("mov eax, 1", "ret")
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn probes_of_good_memory_do_not_fault() {
        let mut cell = 7u64;
        // SAFETY: `cell` is ordinary, mapped, writable memory.
        unsafe {
            assert_eq!(read(&cell), Ok(7));
            assert_eq!(write(&mut cell, 9), Ok(()));
        }
        assert_eq!(cell, 9);
    }

    #[test]
    fn recover_only_redirects_probes() {
        let frame = crate::InterruptFrame {
            instruction_pointer: probe_addresses()[0],
            code_segment: 8,
            cpu_flags: 0,
            stack_pointer: 0,
            stack_segment: 0,
        };
        let mut context = InterruptContext { registers: Default::default(), error_code: 0, frame };
        assert!(recover(&mut context));
        assert_eq!(context.frame.instruction_pointer, fixup_address());
        assert!(!recover(&mut context), "the fix-up itself is not a probe");
        assert_eq!(context.frame.instruction_pointer, fixup_address());
    }
}
