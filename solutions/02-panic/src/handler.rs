//! The panic handler: reference solution.

use core::panic::PanicInfo;

use fledge_boot::com1::Com1;
use fledge_boot::runner;

use crate::exit::{ExitCode, exit_qemu};
use crate::report::write_report;

/// Reports `info` on COM1 as the failure of the running test, then ends the
/// run with [`ExitCode::Failure`].
pub fn handle(info: &PanicInfo<'_>) -> ! {
    let _ = write_report(&mut Com1, runner::current(), info.location(), &info.message());
    exit_qemu(ExitCode::Failure)
}
