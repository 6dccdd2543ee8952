//! The boot spine of a test kernel.
//!
//! ```text
//! bootloader ──> run(boot_info, cases)
//!                  1. com1::init           the runner's own serial line
//!                  2. read the ramdisk     nonce and first test, from the grader
//!                  3. KTAP header          version, nonce, plan
//!                  4. for each test:       "# run N name", the test, "ok N name"
//!                  5. exit_qemu(Success)
//!
//! a test panics ──> handler::handle(info)
//!                  "not ok N name # panicked at file:line:col: message"
//!                  exit_qemu(Failure); the grader boots again from N + 1
//! ```
//!
//! There is no unwinding in a kernel: once a test panics, the stack it was
//! using, and any lock it held, are in an unknown state. Rather than carry
//! on on top of that, the runner ends the boot and lets the grader start a
//! clean one. That is the same reason the Linux kernel's KUnit runs each
//! suite it cares about in isolation.

use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bootloader_api::BootInfo;
use fledge_ktap::ktap::{self, Outcome};
use fledge_ktap::{Case, RunConfig};

use crate::com1::{self, Com1};
use crate::exit::{ExitCode, exit_qemu};
use crate::report;

/// The suite being run, for the panic handler.
static CASES: spin::Once<&'static [Case]> = spin::Once::new();

/// What the bootloader handed over, for tests that need it (the memory
/// map, say).
static BOOT_INFO: spin::Once<&'static BootInfo> = spin::Once::new();

/// The bootloader's [`BootInfo`], once the runner has started.
pub fn boot_info() -> Option<&'static BootInfo> {
    BOOT_INFO.get().copied()
}

/// The number (1-based) of the test that is running, or 0 between tests.
static CURRENT: AtomicUsize = AtomicUsize::new(0);

/// Runs `cases` as the grader asked, reports each in KTAP on COM1, and
/// leaves QEMU.
pub fn run(boot_info: &'static mut BootInfo, cases: &'static [Case]) -> ! {
    run_with(boot_info, cases, exit_qemu)
}

/// Like [`run`], but leaves QEMU through `exit` once every test has passed.
/// Exercise 02 passes the learner's own way out here.
pub fn run_with(boot_info: &'static mut BootInfo, cases: &'static [Case], exit: fn(ExitCode) -> !) -> ! {
    // Tests only read what the bootloader handed over.
    let boot_info: &'static BootInfo = boot_info;
    com1::init();
    let mut out = Com1;
    let config = match run_config(boot_info) {
        Ok(config) => config,
        Err(error) => {
            let _ = ktap::header(&mut out, "", cases.len());
            let _ = ktap::bail_out(&mut out, format_args!("{error}"));
            exit_qemu(ExitCode::Failure)
        }
    };
    CASES.call_once(|| cases);
    BOOT_INFO.call_once(|| boot_info);
    let _ = ktap::header(&mut out, config.nonce, cases.len());
    for (index, case) in cases.iter().enumerate() {
        let number = index + 1;
        if number < config.start {
            let _ = ktap::result(&mut out, number, case.name, Outcome::Skip("ran in an earlier boot"));
            continue;
        }
        if !config.wants(case.name) {
            let _ = ktap::result(&mut out, number, case.name, Outcome::Skip("not in this boot"));
            continue;
        }
        let _ = ktap::running(&mut out, number, case.name);
        CURRENT.store(number, Ordering::SeqCst);
        (case.run)();
        CURRENT.store(0, Ordering::SeqCst);
        let _ = ktap::result(&mut out, number, case.name, Outcome::Pass);
    }
    exit(ExitCode::Success)
}

/// The test that is running: its number (1-based) and name. `None` before
/// the first test, between tests and after the last.
pub fn current() -> Option<(usize, &'static str)> {
    let number = CURRENT.load(Ordering::SeqCst);
    let name = CASES.get()?.get(number.checked_sub(1)?)?.name;
    Some((number, name))
}

/// Reads the grader's run configuration from the ramdisk. A kernel booted by
/// hand has no ramdisk and runs every test with no nonce.
pub fn run_config(boot_info: &'static BootInfo) -> Result<RunConfig<'static>, fledge_ktap::ConfigError> {
    let Some(addr) = boot_info.ramdisk_addr.into_option() else {
        return Ok(RunConfig::UNCONFIGURED);
    };
    // SAFETY: the bootloader loaded the ramdisk at `addr`, mapped its
    // `ramdisk_len` bytes for the kernel and hands them over for good; nothing
    // writes to them.
    let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, boot_info.ramdisk_len as usize) };
    RunConfig::parse(bytes)
}

/// Hands a panic to `handler`, a panic handler somebody else wrote
/// (exercise 02's learner), but only once.
///
/// A panic handler that panics is called again, and again, until the stack
/// runs out and the machine resets with nothing said. So a second panic is
/// reported here instead, as a KTAP bail-out that names where the handler
/// itself went wrong, and the run ends with the failure exit.
pub fn guarded_panic(info: &PanicInfo<'_>, handler: fn(&PanicInfo<'_>) -> !) -> ! {
    static ENTERED: AtomicBool = AtomicBool::new(false);
    if !ENTERED.swap(true, Ordering::SeqCst) {
        handler(info)
    }
    let lead = "the panic handler itself panicked";
    let _ = report::write_line(&mut Com1, None, lead, info.location(), &info.message());
    exit_qemu(ExitCode::Failure)
}
