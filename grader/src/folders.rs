//! The folders of a grading's boots under `target/fledge/<package>/`:
//! `boot-N/` each, cleared before a grading, and the last boot's files
//! linked into the package's folder itself, where they always were.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Boot `boot`'s folder (from 1) in the boots' folder `dir`, once the
/// grading has named it.
pub fn boot_dir(dir: &Path, boot: usize) -> PathBuf {
    dir.join(format!("boot-{boot}"))
}

/// Removes the boot folders of an earlier grading.
pub fn clear_boot_folders(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("boot-")) {
            fs::remove_dir_all(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// The files every boot leaves, by name.
const BOOT_FILES: [&str; 4] = ["disk.img", "run-config.txt", "com2.log", "qemu-events.log"];

/// Makes the last boot's files appear in the package's folder too.
pub fn link_last_boot(dir: &Path, last: &Path) -> Result<()> {
    for name in BOOT_FILES {
        let (from, to) = (last.join(name), dir.join(name));
        let _ = fs::remove_file(&to);
        if from.is_file() && fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to).with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
        }
    }
    Ok(())
}
