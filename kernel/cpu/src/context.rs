//! What an interrupt handler gets: [`InterruptContext`].
//!
//! When an interrupt or exception arrives, the CPU (in 64-bit mode):
//!
//! 1. aligns the stack pointer down to 16 bytes (or switches to the stack
//!    the TSS names, if the IDT entry asks for an IST stack);
//! 2. pushes the interrupted code's SS, RSP, RFLAGS, CS and RIP, in that
//!    order: the [`InterruptFrame`];
//! 3. for some exceptions (double fault, page fault, general protection and
//!    a few more) pushes an error code;
//! 4. jumps to the handler address in the IDT entry.
//!
//! The entry stub ([`interrupt_entry!`](crate::interrupt_entry)) pushes a 0
//! where the CPU pushed no error code, so every vector has the same layout,
//! then pushes the nine registers the System V ABI lets a called function
//! clobber ([`ScratchRegisters`]). The stack then holds, from the lowest
//! address up:
//!
//! ```text
//!   rsp ──> rax rcx rdx rsi rdi r8 r9 r10 r11   saved by the stub
//!           error code                          by the CPU, or 0 by the stub
//!           rip cs rflags rsp ss                by the CPU: the InterruptFrame
//! ```
//!
//! which is exactly `#[repr(C)] InterruptContext`, so the stub passes the
//! stack pointer as `&mut InterruptContext`. A handler may change the
//! context: `iretq` resumes wherever `frame.instruction_pointer` says.
//! The callee-saved registers (rbx, rbp, r12 to r15) need no saving: the
//! handler, being an ordinary function, preserves them itself.

/// The five values the CPU pushes on every interrupt: where and how to
/// resume the interrupted code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct InterruptFrame {
    /// RIP: the next instruction to run on return. For a fault (page fault,
    /// general protection) the faulting instruction, which runs again; for a
    /// trap (`int3`) the one after it.
    pub instruction_pointer: u64,
    /// CS: the code segment selector; its low two bits are the privilege
    /// level the interrupted code ran at.
    pub code_segment: u64,
    /// RFLAGS, including the interrupt flag (bit 9).
    pub cpu_flags: u64,
    /// RSP: the interrupted code's stack pointer.
    pub stack_pointer: u64,
    /// SS: the stack segment selector.
    pub stack_segment: u64,
}

/// The caller-saved registers of the System V ABI, as the entry stub saved
/// them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
#[allow(missing_docs)]
pub struct ScratchRegisters {
    pub rax: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
}

/// Everything an interrupt handler knows about the interrupted code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct InterruptContext {
    /// The registers the stub saved; restored on return.
    pub registers: ScratchRegisters,
    /// The exception's error code, or 0 for vectors without one.
    pub error_code: u64,
    /// What the CPU pushed.
    pub frame: InterruptFrame,
}

/// The type every handler behind an entry stub has.
pub type Handler = extern "C" fn(&mut InterruptContext);

// The stub's assembly depends on this layout.
const _: () = assert!(core::mem::size_of::<InterruptContext>() == 15 * 8);
const _: () = assert!(core::mem::offset_of!(InterruptContext, error_code) == 9 * 8);
