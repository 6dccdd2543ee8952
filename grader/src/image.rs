//! Turning a kernel ELF into a bootable BIOS disk image.
//!
//! The `bootloader` crate does the work: it writes an MBR disk whose boot
//! sector, second stage and FAT partition carry its own stages, the kernel
//! and, as the *ramdisk*, the grader's run configuration (written by
//! `fledge_ktap::config`'s `Display`, read by the kernel with its `parse`).
//! Each boot gets its own image in its own folder, because each boot gets
//! its own nonce and boots may run at the same time.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use bootloader::{BiosBoot, BootConfig};
use bootloader_boot_config::LevelFilter;
use fledge_ktap::RunConfig;

/// A fresh random nonce: 16 hex digits.
pub fn nonce() -> Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for the nonce: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes `dir/disk.img` booting `kernel` with `config` as its ramdisk
/// (also kept as `dir/run-config.txt`).
pub fn build(kernel: &Path, config: &RunConfig<'_>, dir: &Path) -> Result<PathBuf> {
    let ramdisk = dir.join("run-config.txt");
    fs::write(&ramdisk, config.to_string()).with_context(|| format!("cannot write {}", ramdisk.display()))?;
    // The bootloader's own log lines would only slow the boot and clutter
    // COM1; the kernel's KTAP is what the grader wants to read there.
    let mut boot_config = BootConfig::default();
    boot_config.serial_logging = false;
    boot_config.frame_buffer_logging = false;
    boot_config.log_level = LevelFilter::Off;
    let image = dir.join("disk.img");
    BiosBoot::new(kernel)
        .set_ramdisk(&ramdisk)
        .set_boot_config(&boot_config)
        .create_disk_image(&image)
        .with_context(|| format!("cannot make a disk image of {} in {}", kernel.display(), dir.display()))?;
    Ok(image)
}
