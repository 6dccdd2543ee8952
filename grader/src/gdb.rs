//! `cargo grade --gdb`: one boot, paused, with gdb attached.
//!
//! QEMU has a gdb server built in (`-gdb tcp:...`), and `-S` keeps the CPU
//! from running its first instruction until a debugger says so. The grader
//! builds the kernel with debug info (the `kernel-debug` profile), starts
//! QEMU that way, and prints the one gdb command that connects, loads the
//! kernel's symbols at the address the bootloader puts it
//! ([`fledge_boot::KERNEL_BASE`]) and stops at its entry point.
//!
//! The breakpoint must be a hardware one (`hbreak`): when gdb connects, the
//! CPU has not even run the BIOS, and the kernel is not in memory yet. A
//! software breakpoint is an `int3` byte written into memory, which the
//! bootloader would overwrite when it loads the kernel; a hardware one is a
//! debug register, which watches the address whatever is put there.

use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::grade::{self, Options};
use crate::{build, manifest, sanitize};

/// What to debug: a kernel ELF, or an exercise (by the name people type).
pub struct Kernel<'a> {
    /// `--kernel PATH`.
    pub path: Option<&'a Path>,
    /// The exercise, if no path.
    pub exercise: Option<&'a str>,
}

/// `--gdb`: builds the kernel with debug info, prints the gdb command, and
/// boots it once, paused until gdb connects. The boot is not a grading, so
/// the exit status is always 1.
pub fn run(
    root: &Path,
    kernel: Kernel<'_>,
    solution: bool,
    timeout: Option<Duration>,
    options: Options,
) -> Result<ExitCode> {
    let kernel = match (kernel.path, kernel.exercise) {
        (Some(path), _) => path.to_path_buf(),
        (None, Some(query)) => {
            let manifest = manifest::find(root, query)?;
            let package = manifest.package(solution);
            match build::kernel(root, &package, build::DEBUG_PROFILE, options.progress)? {
                Ok(kernel) => kernel,
                Err(failure) => {
                    eprintln!("{}", build::first_errors(&failure.messages, 40));
                    return Ok(ExitCode::from(1));
                }
            }
        }
        (None, None) => anyhow::bail!("--gdb needs an exercise or --kernel PATH"),
    };
    let kernel = kernel.canonicalize().with_context(|| format!("cannot find {}", kernel.display()))?;
    let port = free_port()?;
    println!("{}", instructions(&kernel, port));
    // A debugging session lasts as long as the person wants; one boot, with
    // its output on the terminal.
    let options = Options {
        gdb: Some(port),
        echo: true,
        jobs: 1,
        timeout: Some(timeout.unwrap_or(Duration::from_secs(24 * 3600))),
        ..options
    };
    let report = grade::kernel(root, &kernel, options)?;
    // One boot from test 1, with the debugger in the way: not a grading.
    println!(
        "\nThe boot is over ({}{}). This was a debugging boot, not a grading: run the same command without --gdb for the score.",
        report.verdict.as_str(),
        report.notes.first().map(|n| format!("; {}", sanitize::line(n))).unwrap_or_default()
    );
    if let Some(log) = &report.log {
        println!("Serial log: {}", log.display());
    }
    Ok(ExitCode::from(1))
}

/// A local TCP port nobody is listening on right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port for gdb")?;
    Ok(listener.local_addr()?.port())
}

/// The gdb command that connects to QEMU on `port` and stops at the entry
/// point of `kernel`.
pub fn command(kernel: &Path, port: u16) -> String {
    format!(
        "gdb -q -ex 'set confirm off' -ex 'symbol-file -o {:#x} {}' -ex 'target remote 127.0.0.1:{port}' -ex 'hbreak *_start' -ex 'continue'",
        fledge_boot::KERNEL_BASE,
        kernel.display()
    )
}

/// What to tell the person before QEMU starts waiting.
pub fn instructions(kernel: &Path, port: u16) -> String {
    format!(
        "QEMU is starting, paused before its first instruction, with a gdb server on port {port}.\n\
         In another terminal, run:\n\n  {}\n\n\
         gdb stops at the kernel's entry point, _start. From there: `break` a function, `continue`, `bt`, `info registers`.\n\
         The kernel's serial output appears below. `kill` in gdb, or Ctrl-C here, ends the boot; quitting gdb lets\n\
         the kernel run on to its end.\n",
        command(kernel, port)
    )
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_command_names_the_kernel_its_offset_and_the_port() {
        let command = command(Path::new("/x/kernel"), 4321);
        assert!(command.contains("symbol-file -o 0x10000000000 /x/kernel"), "{command}");
        assert!(command.contains("target remote 127.0.0.1:4321"), "{command}");
        assert!(command.contains("hbreak *_start"), "{command}");
    }
}
