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
//!
//! [`execute`] is the third probe: it *calls* an address, so the access
//! that may fault is the fetch of the first instruction there, and the
//! faulting instruction pointer is that address, not the probe's. What
//! identifies it is the return address its `call` left on the stack.
//! Exercise 05 uses it to check that the heap cannot run code.

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

impl core::error::Error for Faulted {}

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

/// Calls the code at `addr`, or returns [`Faulted`] if fetching its first
/// instruction faults and the page-fault handler called [`recover`].
///
/// # Safety
///
/// If `addr` is executable, the code there must behave like an
/// `extern "C" fn()`: a lone `ret` (the byte `0xc3`) is the usual choice.
/// If it is not, a page-fault handler that calls [`recover`] must be
/// installed.
pub unsafe fn execute(addr: *const u8) -> Result<(), Faulted> {
    // SAFETY: the caller vouches for the code at `addr`.
    match unsafe { call_or_fault(addr) } {
        0 => Ok(()),
        _ => Err(Faulted),
    }
}

/// The page-fault error code's bit for "the access was an instruction
/// fetch".
const INSTRUCTION_FETCH: u64 = 1 << 4;

/// Called by a page-fault handler: if the fault came from a probe, points
/// the saved instruction pointer at the fix-up, so that returning from the
/// handler makes the probe return [`Faulted`], and says `true`. Otherwise
/// changes nothing and says `false`.
pub fn recover(context: &mut InterruptContext) -> bool {
    let ip = context.frame.instruction_pointer;
    if ip == probe_addresses()[0] || ip == probe_addresses()[1] {
        context.frame.instruction_pointer = fixup_address();
        return true;
    }
    if context.error_code & INSTRUCTION_FETCH != 0 {
        let sp = context.frame.stack_pointer;
        // SAFETY: the CPU pushed the interrupt frame onto the interrupted
        // stack just below `sp` (page faults do not switch stacks in
        // Fledge's kernels), so the word at `sp` is mapped stack memory.
        // For a fetch fault right after a `call` it is the return address.
        let top = unsafe { (sp as *const u64).read() };
        if top == call_return_address() {
            // Undo the `call` (pop its return address), then let the
            // fix-up's `ret` return to `execute`.
            context.frame.stack_pointer = sp + 8;
            context.frame.instruction_pointer = fixup_address();
            return true;
        }
    }
    false
}

/// Where the two probes start: the addresses of their faulting instructions.
fn probe_addresses() -> [u64; 2] {
    let read: unsafe extern "C" fn(*const u64, *mut u64) -> u64 = read_or_fault;
    let write: unsafe extern "C" fn(*mut u64, u64) -> u64 = write_or_fault;
    [read as usize as u64, write as usize as u64]
}

/// The return address that `call_or_fault`'s `call rdi` pushes: the
/// instruction after it, 2 bytes (`ff d7`) in.
fn call_return_address() -> u64 {
    let call: unsafe extern "C" fn(*const u8) -> u64 = call_or_fault;
    call as usize as u64 + 2
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

/// Returns 0 after calling `addr`.
#[unsafe(naked)]
unsafe extern "C" fn call_or_fault(addr: *const u8) -> u64 {
    core::arch::naked_asm!("call rdi", "xor eax, eax", "ret")
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

    #[test]
    fn execute_runs_executable_code() {
        // Any code that returns will do: the fix-up returns 1 in eax, which
        // `call_or_fault` then overwrites.
        // SAFETY: the fix-up is an `extern "C" fn() -> u64`.
        unsafe { assert_eq!(execute(fixup_address() as *const u8), Ok(())) };
    }

    #[test]
    fn the_call_is_two_bytes_long() {
        let start = call_return_address() - 2;
        // SAFETY: `call_or_fault` is code in this binary, readable as bytes.
        let bytes = unsafe { core::slice::from_raw_parts(start as *const u8, 2) };
        assert_eq!(bytes, [0xff, 0xd7], "call_or_fault must begin with `call rdi`");
    }

    #[test]
    fn recover_pops_the_call_of_a_fetch_fault() {
        let stack = [call_return_address(), 0];
        let frame = crate::InterruptFrame {
            instruction_pointer: 0xdead_0000,
            code_segment: 8,
            cpu_flags: 0,
            stack_pointer: stack.as_ptr() as u64,
            stack_segment: 0,
        };
        let mut context = InterruptContext { registers: Default::default(), error_code: INSTRUCTION_FETCH, frame };
        assert!(recover(&mut context));
        assert_eq!(context.frame.instruction_pointer, fixup_address());
        assert_eq!(context.frame.stack_pointer, stack.as_ptr() as u64 + 8);

        let other = [0x1234u64, 0];
        context.frame.instruction_pointer = 0xdead_0000;
        context.frame.stack_pointer = other.as_ptr() as u64;
        assert!(!recover(&mut context), "a fetch fault that did not come from `execute`");
        context.error_code = 0;
        context.frame.stack_pointer = stack.as_ptr() as u64;
        assert!(!recover(&mut context), "not a fetch fault");
    }
}
