//! The two ways a test kernel leaves QEMU, and the exit statuses the grader
//! reads them back as.
//!
//! The grader starts QEMU with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`.
//! Writing a value `v` to port [`DEBUG_EXIT_PORT`] makes QEMU exit at once
//! with status `(v << 1) | 1`:
//!
//! ```text
//! kernel writes            QEMU exits with
//! ExitCode::Success 0x10   33
//! ExitCode::Failure 0x11   35
//! ```
//!
//! The status is odd whatever `v` is, so it cannot be confused with QEMU's
//! own 0 ("the guest shut down", which is what a triple fault becomes under
//! `-no-reboot`). This file is the one place both numbers are written: the
//! kernel writes codes through `fledge_boot::exit`, which re-exports
//! [`ExitCode`], and the grader reads statuses with
//! [`ExitCode::from_qemu_status`].

/// The I/O port of QEMU's `isa-debug-exit` device, as the grader attaches it.
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

    /// The code a kernel wrote, read back from QEMU's exit status; `None`
    /// for any status that is not one of the two (QEMU's own errors, 0 for
    /// a reset).
    pub const fn from_qemu_status(status: i32) -> Option<ExitCode> {
        if status == ExitCode::Success.qemu_status() {
            Some(ExitCode::Success)
        } else if status == ExitCode::Failure.qemu_status() {
            Some(ExitCode::Failure)
        } else {
            None
        }
    }

    /// `success` or `failure`: the word the grader's messages and the
    /// exercise manifests use.
    pub const fn name(self) -> &'static str {
        match self {
            ExitCode::Success => "success",
            ExitCode::Failure => "failure",
        }
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

    #[test]
    fn statuses_read_back_as_the_codes_written() {
        for code in [ExitCode::Success, ExitCode::Failure] {
            assert_eq!(ExitCode::from_qemu_status(code.qemu_status()), Some(code));
        }
        for other in [0, 1, 32, 34, 36, -1] {
            assert_eq!(ExitCode::from_qemu_status(other), None, "{other}");
        }
    }
}
