//! Kernels that write their own KTAP instead of using the runner, to lie or
//! to be odd about it. Each `forged_*.rs` binary includes this file with its
//! own `FORGERY`:
//!
//! - `no-nonce`: a perfect report, every test `ok`, but without the run's
//!   nonce: it scores nothing;
//! - `early-exit`: echoes the nonce, reports one of three tests, and leaves
//!   with the success exit;
//! - `cr-only`: a correct report with the nonce, its lines ended by `\r`
//!   alone.

/// Which lie the kernel tells.
#[allow(dead_code)]
pub enum Forgery {
    /// A perfect report without the nonce.
    NoNonce,
    /// One of three results, then the success exit.
    EarlyExit,
    /// A correct report with `\r` line ends.
    CrOnly,
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
