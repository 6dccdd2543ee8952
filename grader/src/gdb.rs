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

use anyhow::{Context, Result};

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
