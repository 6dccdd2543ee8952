//! Leaving QEMU with a status the grader can read.
//!
//! The codes and the port belong to the grading contract, so they live in
//! `fledge-ktap` ([`fledge_ktap::exit`]), where the grader reads them too;
//! this module re-exports them and does the port write. Writing a value `v`
//! to port `0xf4` makes QEMU exit at once with status `(v << 1) | 1`.

use x86_64::instructions::port::Port;

pub use fledge_ktap::exit::{DEBUG_EXIT_PORT, ExitCode};

/// Ends the run. Without an `isa-debug-exit` device (a kernel booted by hand)
/// the write does nothing, so the CPU then halts for good.
pub fn exit_qemu(code: ExitCode) -> ! {
    let mut port = Port::<u32>::new(DEBUG_EXIT_PORT);
    // SAFETY: port 0xf4 is unused on a PC unless QEMU's isa-debug-exit device
    // sits there, and that device's only effect is ending the VM.
    unsafe { port.write(code as u32) };
    loop {
        x86_64::instructions::interrupts::disable();
        x86_64::instructions::hlt();
    }
}
