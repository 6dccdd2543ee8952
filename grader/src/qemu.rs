//! Booting a disk image in QEMU, with a deadline.
//!
//! One call to [`boot`] is one run of the guest: QEMU starts with COM1 on a
//! pipe the grader reads, COM2 in a file, the `isa-debug-exit` device at
//! port 0xf4 and `-no-reboot` (a triple fault ends the run instead of
//! rebooting forever). Whatever happens, the QEMU process is gone when
//! `boot` returns: it is started and waited for through [`crate::child`],
//! which kills it at the deadline, on Ctrl-C, or when the grader dies.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

pub use crate::child::Ending;

/// How much of COM1's output is kept in memory; the rest is counted.
pub const OUTPUT_CAP: usize = 8 << 20;

/// The QEMU system emulator Fledge boots with.
pub const QEMU: &str = "qemu-system-x86_64";

/// CPU emulation: TCG (software, the default: slower but the same
/// everywhere) or KVM (hardware virtualisation, where `/dev/kvm` exists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Accel {
    /// Software emulation.
    Tcg,
    /// Linux's KVM.
    Kvm,
}

/// What the grader asks of one boot.
pub struct Request<'a> {
    /// The disk image to boot.
    pub image: &'a Path,
    /// Where COM2's output goes.
    pub com2: &'a Path,
    /// When to give up on the guest.
    pub timeout: Duration,
    /// How to run the CPU.
    pub accel: Accel,
    /// Copy COM1 to the terminal as it arrives.
    pub echo: bool,
}

/// What one boot produced.
pub struct Boot {
    /// COM1's bytes, up to [`OUTPUT_CAP`].
    pub com1: Vec<u8>,
    /// COM1 bytes beyond the cap, counted and dropped.
    pub com1_dropped: u64,
    /// How it ended.
    pub ending: Ending,
    /// Wall time from start to end.
    pub elapsed: Duration,
    /// What QEMU itself said on standard error.
    pub stderr: String,
}

/// Finds QEMU, or explains how to install it.
pub fn find_qemu() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("FLEDGE_QEMU") {
        return Ok(PathBuf::from(path));
    }
    let paths = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&paths).map(|dir| dir.join(QEMU)).find(|path| path.is_file()).with_context(|| {
        format!(
            "QEMU is not installed: `{QEMU}` is not on your PATH.\n\
             Run `scripts/setup.sh` from the repository root, or install it yourself:\n  \
             Debian/Ubuntu: sudo apt-get install qemu-system-x86\n  \
             Fedora:        sudo dnf install qemu-system-x86\n  \
             Arch:          sudo pacman -S qemu-system-x86\n  \
             macOS:         brew install qemu\n\
             (or point FLEDGE_QEMU at a qemu-system-x86_64 binary)"
        )
    })
}

/// The QEMU command line for a request.
pub fn command(qemu: &Path, request: &Request<'_>) -> Command {
    let mut cmd = Command::new(qemu);
    cmd.arg("-drive").arg(format!("format=raw,file={}", request.image.display()));
    // The bootloader's BIOS stage needs VESA, so the default VGA card stays;
    // nothing is displayed.
    cmd.args(["-display", "none", "-no-reboot", "-monitor", "none", "-m", "128M"]);
    cmd.args(["-serial", "stdio"]);
    cmd.arg("-serial").arg(format!("file:{}", request.com2.display()));
    cmd.args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
    match request.accel {
        Accel::Tcg => cmd.args(["-accel", "tcg"]),
        Accel::Kvm => cmd.args(["-accel", "kvm", "-cpu", "host"]),
    };
    cmd
}

/// Boots the image and waits for the guest to finish, crash or run out of
/// time.
pub fn boot(qemu: &Path, request: &Request<'_>) -> Result<Boot> {
    let mut cmd = command(qemu, request);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = crate::child::spawn(&mut cmd).with_context(|| format!("cannot start {}", qemu.display()))?;
    let mut stdout = child.stdout.take().context("QEMU's standard output")?;
    let mut stderr = child.stderr.take().context("QEMU's standard error")?;
    let echo = request.echo;
    let reader = thread::spawn(move || {
        let mut kept = Vec::new();
        let mut dropped = 0u64;
        let mut buf = [0u8; 8192];
        while let Ok(n @ 1..) = stdout.read(&mut buf) {
            if echo {
                use std::io::Write;
                let _ = std::io::stderr().write_all(&buf[..n]);
            }
            let room = OUTPUT_CAP.saturating_sub(kept.len()).min(n);
            kept.extend_from_slice(&buf[..room]);
            dropped += (n - room) as u64;
        }
        (kept, dropped)
    });
    let err_reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.by_ref().take(64 << 10).read_to_string(&mut text);
        text
    });

    let ending = crate::child::wait(&mut child, start, request.timeout)?;
    let elapsed = start.elapsed();
    let (com1, com1_dropped) = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Boot { com1, com1_dropped, ending, elapsed, stderr })
}
