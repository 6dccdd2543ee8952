//! Leaving QEMU with a status the grader can read.
//!
//! The grader starts QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`.
//! Writing a value `v` to port `0xf4` makes QEMU exit at once with status
//! `(v << 1) | 1`. The status is odd whatever `v` is, so it cannot be
//! confused with QEMU's own 0 ("the guest shut down", which is what a triple
//! fault becomes under `-no-reboot`).

use x86_64::instructions::port::Port;

/// The port of QEMU's `isa-debug-exit` device.
pub const DEBUG_EXIT_PORT: u16 = 0xf4;

/// The two ways a test kernel ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExitCode {
    /// Every test that ran passed: QEMU exits with status 33.
    Success = 0x10,
    /// A test failed or the run could not go on: QEMU exits with status 35.
    Failure = 0x11,
}

impl ExitCode {
    /// The status QEMU itself exits with after the kernel writes this code.
    pub const fn qemu_status(self) -> i32 {
        ((self as i32) << 1) | 1
    }
}

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

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn qemu_statuses_match_the_grading_contract() {
        assert_eq!(ExitCode::Success.qemu_status(), 33);
        assert_eq!(ExitCode::Failure.qemu_status(), 35);
    }
}
