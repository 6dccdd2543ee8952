//! Leaving QEMU: reference solution.

use x86_64::instructions::port::Port;

pub use fledge_boot::exit::{DEBUG_EXIT_PORT, ExitCode};

/// Ends the run with `code`: writes it to [`DEBUG_EXIT_PORT`], then halts
/// for good in case nothing listens there.
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
