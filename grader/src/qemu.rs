//! Booting a disk image in QEMU, with a deadline.
//!
//! One call to [`boot`] is one run of the guest: QEMU starts with COM1 on a
//! pipe the grader reads, COM2 in a file, the `isa-debug-exit` device at
//! port 0xf4 and `-no-reboot` (a triple fault ends the run instead of
//! rebooting forever). Whatever happens, the QEMU process is gone when
//! `boot` returns: it is started and waited for through [`crate::child`],
//! which kills it at the deadline, on Ctrl-C, when its output passes
//! [`FLOOD_LIMIT`], or when the grader dies.
//!
//! Under `-no-reboot` a triple fault and a reset the guest asked for both
//! make QEMU exit with status 0. QEMU's `cpu_reset` log (`-d cpu_reset`)
//! says `Triple fault` for the first, so the grader can tell them apart.
//!
//! Under KVM, an instruction that KVM cannot emulate (a nested KVM fails on
//! `int N` in long mode, measured on exercise 04) makes QEMU print `KVM
//! internal error` and pause the machine for good, without exiting. The
//! grader watches QEMU's standard error for that line and stops QEMU at
//! once, so such a boot is a crash, not a wait for the deadline.
//!
//! QEMU also listens for its machine protocol on a Unix socket of the
//! boot's own (`-qmp`). At the deadline, before QEMU is stopped, the grader
//! reads the hung CPU's instruction pointer and stack through it
//! ([`crate::stuck`]), so that the scorecard can say where the kernel was
//! stuck.
//!
//! A boot's devices (`devices.rs`) follow the fixed ones, in PCI slots
//! from 4 up. When a test compares the PCI functions it found with QEMU's
//! (`[test.pci]`), QEMU starts paused (`-S`), the grader asks it for them
//! over QMP ([`crate::pci`]) and then lets the guest run.
//!
//! Several boots may run at once (one per thread); each has its own image,
//! COM2 file, event log and socket, and nothing here is shared between
//! them but the Ctrl-C flag.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use fledge_ktap::exit::{DEBUG_EXIT_PORT, ExitCode};

use crate::capture::Capture;
use crate::stuck::{self, Sample};
use crate::{child, devices, pci};

/// A boot that writes more than this to COM1 is stopped: no test needs to
/// say that much, and a guest printing in a loop would otherwise run until
/// its deadline.
pub const FLOOD_LIMIT: u64 = 8 << 20;

/// The QEMU system emulator Fledge boots with.
pub const QEMU: &str = "qemu-system-x86_64";

/// CPU emulation: TCG (software, the default: slower but the same
/// everywhere) or KVM (hardware virtualisation, where `/dev/kvm` exists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Accel {
    /// Software emulation.
    Tcg,
    /// Linux's KVM.
    Kvm,
}

impl Accel {
    /// `tcg` or `kvm`, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Accel::Tcg => "tcg",
            Accel::Kvm => "kvm",
        }
    }
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
    /// Where QEMU writes its `cpu_reset` log.
    pub events: &'a Path,
    /// Wait for gdb on this local port before running the first
    /// instruction.
    pub gdb: Option<u16>,
    /// The CPU model (`-cpu`), when not QEMU's default.
    pub cpu: Option<&'a str>,
    /// The boot's devices, as QEMU arguments ([`crate::devices::prepare`]).
    pub devices: &'a [String],
    /// Start paused, ask QEMU for its PCI functions on bus 0, write them
    /// here ([`crate::pci`]), then run.
    pub pci: Option<&'a Path>,
    /// Kill QEMU with SIGKILL a while after the guest prints a line.
    pub kill: Option<KillAt>,
    /// Do something from the host when the guest prints a line.
    pub ready: Option<Ready>,
}

/// What the grader does when the guest says it is ready (`crate::net`):
/// after the first COM1 line that starts with `marker`, `act` runs on a
/// thread of its own, with QEMU's standard input (the guest's COM1 input)
/// to write to; COM1 is read on meanwhile.
#[derive(Clone)]
pub struct Ready {
    /// The start of the line.
    pub marker: &'static str,
    /// The host's part.
    pub act: Arc<Act>,
}

/// The host's part of a [`Ready`], given the guest's COM1 input.
pub type Act = dyn Fn(&mut dyn std::io::Write) + Send + Sync;

/// When to kill a boot on purpose (`[test.kills]`): `delay` after the
/// first COM1 line that starts with `marker`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KillAt {
    /// The start of the line that arms the kill.
    pub marker: &'static str,
    /// How long after that line QEMU is killed.
    pub delay: Duration,
}

/// How a boot ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// QEMU exited with this status: 33 and 35 are the guest's
    /// `isa-debug-exit`, anything else QEMU's own.
    Exited(i32),
    /// The CPU triple-faulted (under `-no-reboot`, QEMU then exits).
    TripleFault,
    /// The guest asked the machine to reset (keyboard controller, ACPI).
    Reset,
    /// The machine reset, and QEMU's event log, which tells a triple fault
    /// from a requested reset, was not written (a `FLEDGE_QEMU` wrapper that
    /// sends `-D` elsewhere, say).
    UnknownReset,
    /// QEMU was killed by this signal, not by the grader.
    Signalled(i32),
    /// The deadline passed and the grader stopped QEMU.
    TimedOut,
    /// The guest wrote more than [`FLOOD_LIMIT`] and the grader stopped it.
    Flooded,
    /// QEMU said `KVM internal error` (KVM could not run an instruction)
    /// and the grader stopped it.
    KvmError,
    /// The person at the terminal pressed Ctrl-C.
    Interrupted,
    /// The grader killed QEMU with SIGKILL on purpose ([`KillAt`]).
    Killed,
}

impl Ending {
    /// The exit code the kernel wrote, if QEMU's status is one of the two.
    pub fn exit_code(self) -> Option<ExitCode> {
        match self {
            Ending::Exited(status) => ExitCode::from_qemu_status(status),
            _ => None,
        }
    }
}

/// What QEMU prints on standard error when KVM cannot go on.
const KVM_ERROR: &str = "KVM internal error";

/// What one boot produced.
pub struct Boot {
    /// COM1's output, its head and tail if it was long.
    pub com1: Capture,
    /// How it ended.
    pub ending: Ending,
    /// Wall time from start to end.
    pub elapsed: Duration,
    /// How much of it the guest's CPU waited for a core of the host.
    pub waited: Duration,
    /// What QEMU itself said on standard error.
    pub stderr: String,
    /// Where the CPU was at the deadline, if the boot ran out of time and
    /// QEMU could be asked.
    pub stuck: Option<Vec<Sample>>,
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

/// A path for a boot's QMP socket. Unix socket paths are limited to about
/// a hundred bytes, which a folder inside a clone can pass, so it lives in
/// the temporary folder, named after the grader's process and a counter.
fn qmp_socket() -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let name = format!("fledge-{}-{}.qmp", std::process::id(), COUNT.fetch_add(1, Ordering::SeqCst));
    let dir = std::env::temp_dir();
    let dir = if dir.as_os_str().len() > 60 { PathBuf::from("/tmp") } else { dir };
    dir.join(name)
}

/// The QEMU command line for a request.
pub fn command(qemu: &Path, request: &Request<'_>) -> Command {
    let mut cmd = Command::new(qemu);
    cmd.arg("-drive").arg(format!("format=raw,file={}", devices::escape(request.image)));
    // The bootloader's BIOS stage needs VESA, so the default VGA card stays;
    // nothing is displayed.
    cmd.args(["-display", "none", "-no-reboot", "-monitor", "none", "-m", "128M"]);
    // No network card unless a test asks for one: the default card's boot
    // ROM (iPXE) costs every boot about 0.3 s of emulated CPU time before
    // the bootloader even starts (measured: 1.35 s a boot with it, 1.05 s
    // without).
    cmd.args(["-nic", "none"]);
    cmd.args(["-serial", "stdio"]);
    cmd.arg("-serial").arg(format!("file:{}", request.com2.display()));
    cmd.arg("-device").arg(format!("isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04"));
    cmd.args(request.devices);
    cmd.args(["-d", "cpu_reset", "-D"]).arg(request.events);
    if let Some(port) = request.gdb {
        cmd.arg("-gdb").arg(format!("tcp:127.0.0.1:{port}")).arg("-S");
    } else if request.pci.is_some() {
        // Paused until the grader has asked for the PCI functions.
        cmd.arg("-S");
    }
    match request.accel {
        Accel::Tcg => cmd.args(["-accel", "tcg"]),
        Accel::Kvm => cmd.args(["-accel", "kvm"]),
    };
    match (request.cpu, request.accel) {
        (Some(model), Accel::Tcg) => cmd.args(["-cpu", model]),
        (None, Accel::Tcg) => &mut cmd,
        // Under KVM the guest does without IA32_ARCH_CAPABILITIES (MSR
        // 0x10a), which no Fledge kernel reads: a nested KVM (CI's) refuses
        // the value QEMU sets for `host` and `max`, and QEMU then aborts
        // before the first instruction.
        (model, Accel::Kvm) => cmd.arg("-cpu").arg(format!("{},-arch-capabilities", model.unwrap_or("host"))),
    };
    cmd
}

/// Boots the image and waits for the guest to finish, crash, flood or run
/// out of time.
pub fn boot(qemu: &Path, request: &Request<'_>) -> Result<Boot> {
    let mut cmd = command(qemu, request);
    let socket = qmp_socket();
    cmd.arg("-qmp").arg(format!("unix:{},server=on,wait=off", socket.display()));
    let input = if request.ready.is_some() { Stdio::piped() } else { Stdio::null() };
    cmd.stdin(input).stdout(Stdio::piped()).stderr(Stdio::piped());
    let _ = std::fs::remove_file(request.events);
    let start = Instant::now();
    let mut child = child::spawn(&mut cmd).with_context(|| format!("cannot start {}", qemu.display()))?;
    let mut stdout = child.stdout.take().context("QEMU's standard output")?;
    let mut stderr = child.stderr.take().context("QEMU's standard error")?;
    let echo = request.echo;
    // Raised by either reader: a flood on COM1, or KVM giving up.
    let stop = Arc::new(AtomicBool::new(false));
    let flooded = Arc::new(AtomicBool::new(false));
    let (flag, stop_flood) = (Arc::clone(&flooded), Arc::clone(&stop));
    let killed = Arc::new(AtomicBool::new(false));
    let mut kill = request.kill.map(|at| (at, Arc::clone(&killed), Arc::clone(&stop)));
    let mut ready = request.ready.clone().zip(child.stdin.take());
    let reader = thread::spawn(move || {
        let mut capture = Capture::new();
        let mut buf = [0u8; 8192];
        let mut line = Vec::new();
        while let Ok(n @ 1..) = stdout.read(&mut buf) {
            if kill.is_some() || ready.is_some() {
                for &byte in &buf[..n] {
                    if byte != b'\n' {
                        line.push(byte);
                        continue;
                    }
                    if let Some((ready, mut input)) = ready.take_if(|(r, _)| line.starts_with(r.marker.as_bytes())) {
                        thread::spawn(move || (ready.act)(&mut input));
                    }
                    if let Some((at, killed, stop)) = kill.take_if(|(at, ..)| line.starts_with(at.marker.as_bytes())) {
                        // The kill comes from a thread of its own, so that
                        // COM1 is read on meanwhile.
                        thread::spawn(move || {
                            thread::sleep(at.delay);
                            killed.store(true, Ordering::SeqCst);
                            stop.store(true, Ordering::SeqCst);
                        });
                    }
                    line.clear();
                }
            }
            if echo {
                use std::io::Write;
                let _ = std::io::stderr().write_all(crate::sanitize::bytes(&buf[..n]).as_bytes());
            }
            capture.push(&buf[..n]);
            if capture.total() > FLOOD_LIMIT {
                // Keep reading, so that QEMU never blocks on a full pipe
                // before the grader has stopped it.
                flag.store(true, Ordering::SeqCst);
                stop_flood.store(true, Ordering::SeqCst);
            }
        }
        capture
    });
    let kvm_failed = Arc::new(AtomicBool::new(false));
    let (flag, stop_kvm) = (Arc::clone(&kvm_failed), Arc::clone(&stop));
    let err_reader = thread::spawn(move || {
        // Line by line, to notice KVM giving up while QEMU still runs; the
        // first 64 KiB are kept.
        let mut text = String::new();
        let mut lines = std::io::BufReader::new(stderr.by_ref().take(64 << 10));
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut lines, &mut line).is_ok_and(|n| n > 0) {
            if line.contains(KVM_ERROR) {
                flag.store(true, Ordering::SeqCst);
                stop_kvm.store(true, Ordering::SeqCst);
            }
            text.push_str(&line);
            line.clear();
        }
        text
    });

    if let Some(path) = request.pci {
        // A failure is written down for the judge, and the boot goes on;
        // a file that could not be written, the judge says so.
        let asked = pci::ask(&socket, request.gdb.is_none());
        let _ = pci::write(path, &asked);
    }
    let mut stuck = None;
    let mut waited = Duration::ZERO;
    let at_deadline = &mut || stuck = stuck::sample(&socket);
    let ending = child::wait_then(&mut child, start, request.timeout, &stop, at_deadline, &mut waited);
    let _ = std::fs::remove_file(&socket);
    let ending = ending?;
    let elapsed = start.elapsed();
    let com1 = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let ending = match ending {
        child::Ending::Exited(0) => match std::fs::read(request.events) {
            Ok(events) if events.windows(12).any(|w| w == b"Triple fault") => Ending::TripleFault,
            Ok(events) if events.windows(9).any(|w| w == b"CPU Reset") => Ending::Reset,
            _ => Ending::UnknownReset,
        },
        child::Ending::Exited(code) => Ending::Exited(code),
        child::Ending::Signalled(signal) => Ending::Signalled(signal),
        child::Ending::TimedOut => Ending::TimedOut,
        child::Ending::Stopped if kvm_failed.load(Ordering::SeqCst) => Ending::KvmError,
        child::Ending::Stopped if killed.load(Ordering::SeqCst) => Ending::Killed,
        child::Ending::Stopped => Ending::Flooded,
        child::Ending::Interrupted => Ending::Interrupted,
    };
    Ok(Boot { com1, ending, elapsed, waited, stderr, stuck })
}
