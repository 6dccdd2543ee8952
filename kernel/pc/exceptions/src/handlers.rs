//! The exception handlers: ordinary Rust functions, called by the entry
//! stubs with the interrupted code's [`InterruptContext`].
//!
//! Three kinds of exception, three ways of ending:
//!
//! - a breakpoint is a *trap*: the saved instruction pointer is already past
//!   the `int3`, so returning resumes the program;
//! - a page fault is a *fault*: returning re-runs the faulting instruction,
//!   which is right once the fault is fixed (the page mapped) and an
//!   endless loop otherwise. Here nothing gets mapped, so the handler
//!   either sends a probe to its fix-up (`fledge_cpu::probe`) or panics;
//! - a double fault is an *abort*: there is nothing to return to. The
//!   handler's first line (given) says "stack overflow" when the fault
//!   came from a stack running into its guard page.
//!
//! Handlers run with interrupts off and may have interrupted anything,
//! even code holding a lock, so they record what they saw in atomics, which
//! never wait.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use fledge_cpu::{InterruptContext, probe};
use x86_64::registers::control::Cr2;

use crate::fault::PageFault;
use crate::guard;

/// How many breakpoints have been handled.
static BREAKPOINTS: AtomicUsize = AtomicUsize::new(0);
/// The saved instruction pointer of the last breakpoint.
static BREAKPOINT_IP: AtomicU64 = AtomicU64::new(0);
/// How many page faults have been handled, and the last one's CR2 and
/// error code.
static PAGE_FAULTS: AtomicUsize = AtomicUsize::new(0);
static PAGE_FAULT_ADDRESS: AtomicU64 = AtomicU64::new(0);
static PAGE_FAULT_ERROR: AtomicU64 = AtomicU64::new(0);

/// How many breakpoints were handled, and the instruction pointer the last
/// one saved.
pub fn breakpoints() -> (usize, u64) {
    (BREAKPOINTS.load(Ordering::SeqCst), BREAKPOINT_IP.load(Ordering::SeqCst))
}

/// Notes a breakpoint at `ip`.
fn record_breakpoint(ip: u64) {
    BREAKPOINT_IP.store(ip, Ordering::SeqCst);
    BREAKPOINTS.fetch_add(1, Ordering::SeqCst);
}

/// How many page faults were handled, and the last one.
pub fn page_faults() -> (usize, Option<PageFault>) {
    let count = PAGE_FAULTS.load(Ordering::SeqCst);
    let last = (count > 0)
        .then(|| PageFault::decode(PAGE_FAULT_ADDRESS.load(Ordering::SeqCst), PAGE_FAULT_ERROR.load(Ordering::SeqCst)));
    (count, last)
}

/// Notes a page fault at `address` with `error_code`.
fn record_page_fault(address: u64, error_code: u64) {
    PAGE_FAULT_ADDRESS.store(address, Ordering::SeqCst);
    PAGE_FAULT_ERROR.store(error_code, Ordering::SeqCst);
    PAGE_FAULTS.fetch_add(1, Ordering::SeqCst);
}

// ANCHOR: breakpoint
/// Vector 3: records the breakpoint and returns, so the program resumes
/// after its `int3`.
pub extern "C" fn breakpoint(context: &mut InterruptContext) {
    record_breakpoint(context.frame.instruction_pointer);
}
// ANCHOR_END: breakpoint

// ANCHOR: page_fault
/// Vector 14: records the fault (CR2 and the error code); resumes a probe
/// at its fix-up, and panics with the decoded fault otherwise.
pub extern "C" fn page_fault(context: &mut InterruptContext) {
    let address = Cr2::read_raw();
    record_page_fault(address, context.error_code);
    if !probe::recover(context) {
        panic!("{}", PageFault::decode(address, context.error_code));
    }
}
// ANCHOR_END: page_fault

// ANCHOR: double_fault
/// Vector 8: there is no coming back; panics with where it happened. A
/// stack that ran into a watched guard page is reported as a stack
/// overflow (see [`guard`]).
pub extern "C" fn double_fault(context: &mut InterruptContext) {
    guard::report_stack_overflow(Cr2::read_raw());
    panic!(
        "double fault at ip {:#x} with the stack pointer at {:#x} (a stack overflow, if that is near a stack's end)",
        context.frame.instruction_pointer, context.frame.stack_pointer
    );
}
// ANCHOR_END: double_fault
