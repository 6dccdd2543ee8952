//! Kernels that write their own KTAP instead of using the runner, to lie or
//! to be odd about it. Each `forged_*.rs` binary includes this file with its
//! own `FORGERY`:
//!
//! - `no-nonce`: a perfect report, every test `ok`, but without the run's
//!   nonce: it scores nothing;
//! - `early-exit`: echoes the nonce, reports one of three tests, and leaves
//!   with the success exit;
//! - `cr-only`: a correct report with the nonce, its lines ended by `\r`
//!   alone;
//! - `hang-no-nonce`: a report without the nonce that hangs in its second
//!   test: `timed_out` all the same, and nothing counts;
//! - `triple-fault-no-nonce`: the same, but the second test triple-faults:
//!   `crashed`, and nothing counts;
//! - `ok-then-failure-exit`: every test `ok`, then the failure exit: never
//!   `passed`;
//! - `past-the-plan`: plans two tests and reports three: the third scores
//!   nothing and is named;
//! - `skip`: skips its second test (`# SKIP`): `skipped`, no points;
//! - `twice`: reports its first test `ok`, then `not ok`: the first stands.

/// Which lie the kernel tells.
#[allow(dead_code)]
pub enum Forgery {
    /// A perfect report without the nonce.
    NoNonce,
    /// One of three results, then the success exit.
    EarlyExit,
    /// A correct report with `\r` line ends.
    CrOnly,
    /// No nonce, then a hang in test 2.
    HangNoNonce,
    /// No nonce, then a triple fault in test 2.
    TripleFaultNoNonce,
    /// Every test `ok`, then the failure exit.
    OkThenFailureExit,
    /// Two tests planned, three reported.
    PastThePlan,
    /// Test 2 skipped.
    Skip,
    /// Test 1 reported `ok`, then `not ok`.
    Twice,
}

#[cfg(target_os = "none")]
mod kernel {
    use super::Forgery;
    use core::fmt::Write;

    use fledge_boot::bootloader_api::{self, BootInfo};
    use fledge_boot::com1::{self, Com1};
    use fledge_boot::exit::{ExitCode, exit_qemu};

    bootloader_api::entry_point!(main, config = &fledge_boot::BOOTLOADER_CONFIG);

    fn main(boot_info: &'static mut BootInfo) -> ! {
        com1::init();
        let nonce = match fledge_boot::runner::run_config(boot_info) {
            Ok(config) => config.nonce,
            Err(_) => "",
        };
        let out = &mut Com1;
        match crate::FORGERY {
            Forgery::NoNonce => {
                let _ = write!(out, "KTAP version 1\n1..3\nok 1 first\nok 2 second\nok 3 third\n");
                exit_qemu(ExitCode::Success)
            }
            Forgery::EarlyExit => {
                let _ = write!(out, "KTAP version 1\n# nonce: {nonce}\n1..3\n# run 1 first\nok 1 first\n");
                exit_qemu(ExitCode::Success)
            }
            Forgery::CrOnly => {
                let _ = write!(out, "KTAP version 1\r# nonce: {nonce}\r1..2\r# run 1 first\rok 1 first\r");
                let _ = write!(out, "# run 2 second\rok 2 second\r");
                exit_qemu(ExitCode::Success)
            }
            Forgery::HangNoNonce => {
                let _ = write!(out, "KTAP version 1\n1..3\n# run 1 first\nok 1 first\n# run 2 hangs\n");
                loop {
                    core::hint::spin_loop();
                }
            }
            Forgery::TripleFaultNoNonce => {
                let _ = write!(out, "KTAP version 1\n1..2\n# run 1 first\nok 1 first\n# run 2 resets\n");
                triple_fault()
            }
            Forgery::OkThenFailureExit => {
                let _ = write!(out, "KTAP version 1\n# nonce: {nonce}\n1..2\nok 1 first\nok 2 second\n");
                exit_qemu(ExitCode::Failure)
            }
            Forgery::PastThePlan => {
                let _ = write!(out, "KTAP version 1\n# nonce: {nonce}\n1..2\nok 1 first\nok 2 second\nok 3 extra\n");
                exit_qemu(ExitCode::Success)
            }
            Forgery::Skip => {
                let _ = write!(out, "KTAP version 1\n# nonce: {nonce}\n1..2\nok 1 first\n");
                let _ = write!(out, "ok 2 second # SKIP no hardware for it\n");
                exit_qemu(ExitCode::Success)
            }
            Forgery::Twice => {
                let _ = write!(out, "KTAP version 1\n# nonce: {nonce}\n1..2\nok 1 first\n");
                let _ = write!(out, "not ok 1 first # changed its mind\nok 2 second\n");
                exit_qemu(ExitCode::Success)
            }
        }
    }

    /// Resets the CPU: with an empty interrupt table, `int3` cannot be
    /// delivered, nor the faults that follow.
    fn triple_fault() -> ! {
        use x86_64::VirtAddr;
        use x86_64::instructions::tables::{DescriptorTablePointer, lidt};
        let empty = DescriptorTablePointer { limit: 0, base: VirtAddr::new(0) };
        // SAFETY: not sound at all, on purpose: the next interrupt resets
        // the machine, which is what this guest is for.
        unsafe { lidt(&empty) };
        x86_64::instructions::interrupts::int3();
        loop {
            x86_64::instructions::hlt();
        }
    }

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        fledge_boot::handler::handle(info)
    }
}

/// On the host there is nothing to run.
#[cfg(not(target_os = "none"))]
pub fn main() {
    eprintln!("a kernel for the grader's tests: it runs in QEMU");
    std::process::exit(2);
}
