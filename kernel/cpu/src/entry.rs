//! Interrupt entry stubs, written as naked functions.
//!
//! A naked function (`#[unsafe(naked)]`, stable since Rust 1.88) is one the
//! compiler emits with no prologue or epilogue: its body is a single
//! `naked_asm!` block and nothing else. That is exactly what an interrupt
//! entry needs, because the CPU does not call it the way Rust calls a
//! function: there is no return address on top of the stack but an
//! [`InterruptFrame`](crate::InterruptFrame), maybe an error code, and the
//! way back is `iretq`, not `ret`.
//!
//! [`interrupt_entry!`](crate::interrupt_entry) writes one stub per handler:
//!
//! ```text
//! push 0                     only for vectors without an error code
//! push r11 ... push rax      the scratch registers
//! mov  rdi, rsp              first argument: &mut InterruptContext
//! cld                        the ABI wants the direction flag clear
//! sub  rsp, 8                15 pushed quadwords: realign to 16 for the call
//! call handler
//! add  rsp, 8
//! pop  rax ... pop r11
//! add  rsp, 8                drop the error code
//! iretq
//! ```
//!
//! Only the scratch registers are saved: the kernel is built for a target
//! without SSE (`x86_64-unknown-none` uses soft floats), so no vector
//! register can hold the interrupted code's state.

/// Defines an interrupt entry stub named `$name` that calls `$handler`, an
/// `extern "C" fn(&mut InterruptContext)`. Put its address in an IDT entry:
///
/// ```text
/// fledge_cpu::interrupt_entry!(fn breakpoint_entry => handlers::breakpoint);
/// fledge_cpu::interrupt_entry!(fn page_fault_entry => handlers::page_fault, error_code);
///
/// // SAFETY: breakpoint_entry is an interrupt entry stub for a vector
/// // without an error code.
/// unsafe { idt.breakpoint.set_handler_addr(fledge_cpu::entry::address(breakpoint_entry)) };
/// ```
///
/// Write `error_code` for exactly the vectors where the CPU pushes one
/// (8 double fault, 10 to 14, 17, 21, 29, 30): with the wrong variant the
/// stub pops one word too many or too few, and `iretq` jumps to garbage.
#[macro_export]
macro_rules! interrupt_entry {
    ($(#[$attr:meta])* $vis:vis fn $name:ident => $handler:path) => {
        $crate::interrupt_entry!(@stub $(#[$attr])* $vis fn $name => $handler, "push 0");
    };
    ($(#[$attr:meta])* $vis:vis fn $name:ident => $handler:path, error_code) => {
        $crate::interrupt_entry!(@stub $(#[$attr])* $vis fn $name => $handler, "");
    };
    (@stub $(#[$attr:meta])* $vis:vis fn $name:ident => $handler:path, $push:literal) => {
        $(#[$attr])*
        ///
        /// An interrupt entry stub: never call it, put its address in the IDT.
        #[unsafe(naked)]
        $vis extern "C" fn $name() {
            // The handler must have the type the stub calls it with.
            const _: $crate::context::Handler = $handler;
            ::core::arch::naked_asm!(
                $push,
                "push r11",
                "push r10",
                "push r9",
                "push r8",
                "push rdi",
                "push rsi",
                "push rdx",
                "push rcx",
                "push rax",
                "mov rdi, rsp",
                "cld",
                "sub rsp, 8",
                "call {handler}",
                "add rsp, 8",
                "pop rax",
                "pop rcx",
                "pop rdx",
                "pop rsi",
                "pop rdi",
                "pop r8",
                "pop r9",
                "pop r10",
                "pop r11",
                "add rsp, 8",
                "iretq",
                handler = sym $handler,
            )
        }
    };
}

/// The address of an entry stub, for `Entry::set_handler_addr`.
pub fn address(stub: extern "C" fn()) -> x86_64::VirtAddr {
    x86_64::VirtAddr::new(stub as usize as u64)
}
