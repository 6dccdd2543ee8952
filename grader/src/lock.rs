//! One grader at a time per exercise.
//!
//! Each grading run works in `target/fledge/<package>/`: a `boot-N` folder
//! per boot with its disk image, COM2's file and QEMU's event log. Two runs
//! of the same exercise at once (a `--watch` and a hand-typed `cargo grade`,
//! or two terminals) would remove and overwrite each other's boots, and
//! QEMU refuses to open an image another QEMU holds. (The boots of one run
//! never share a folder, so they need no lock among themselves.) So a run takes an exclusive `flock` on a file in that folder
//! first, and holds it until the boots' files are judged (a disk image
//! is read after QEMU exits); a second run says it is waiting, and waits.
//! The lock goes away with the process, however it ends.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use anyhow::{Context, Result};

/// Holds the lock until dropped.
pub struct Lock(#[allow(dead_code)] File);

/// Takes the lock on `dir`, waiting for another grader to finish if needed.
pub fn exclusive(dir: &Path) -> Result<Lock> {
    let path = dir.join("grader.lock");
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    let fd = file.as_raw_fd();
    // SAFETY: `flock` on a file descriptor this function owns; no memory is
    // involved.
    if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        eprintln!("another `cargo grade` is using {}; waiting for it to finish...", dir.display());
        // SAFETY: as above, now waiting for the lock.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error()).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    Ok(Lock(file))
}
