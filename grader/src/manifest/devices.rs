//! Devices: what a kernel test's boots get besides the boot disk, the two
//! serial ports and `isa-debug-exit`, and the host-side checks that look
//! at them.
//!
//! ```toml
//! devices = ["virtio-rng"]        # every kernel test's boots (default: none)
//!
//! [drive.data]                    # a drive, attached by the device "virtio-blk:data"
//! blocks = 64                     # 512-byte blocks
//! fill = "pattern"                # "zero" (default) | "pattern" | "seed:FILE"
//! read_only = false               # QEMU's readonly=on
//!
//! [[test]]
//! name = "writes_three_blocks"
//! kind = "qemu"
//! devices = ["virtio-blk:data"]   # this test's boots get exactly these instead
//! [test.disk]                     # after the boot, the image is checked on the host
//! drive = "data"
//! written = [2, 3, 17]            # these hold pattern 1; every other byte still the fill
//! [test.pci]                      # the test's `# pci BB:DD.F VVVV:DDDD` lines against QEMU's query-pci
//! ```
//!
//! `fill = "pattern"` is `fledge_api::block::pattern_byte` with seed 0;
//! `seed:FILE` copies FILE (relative to the exercise's folder, exactly
//! `blocks * 512` bytes). Every boot gets fresh images. The devices sit in
//! PCI slots 4, 5, ... in list order, so a kernel finds them at the same
//! addresses every run. [`Manifest::load`](super::Manifest::load) refuses,
//! naming the test and the fix: an unknown device, a drive nobody
//! declared, a disk check of a drive the test's boots do not attach, a
//! written block past the drive's end, a seed file of the wrong size.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::Deserialize;

use super::{Kind, Manifest, TestSpec};

/// The largest drive: 64 MiB, made afresh for every boot.
pub const MAX_BLOCKS: u64 = 128 * 1024;

/// The PCI slot of a boot's first device; the rest follow in list order.
/// (Slots 0 to 2 are the host bridge, the PIIX3 and the VGA card; 3 is
/// left free.)
pub const FIRST_SLOT: u8 = 4;

/// The last slot of PCI bus 0.
pub const LAST_SLOT: u8 = 0x1f;

/// A device, as a manifest names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "String")]
pub enum Device {
    /// `virtio-rng`: a virtio entropy source (`virtio-rng-pci`).
    VirtioRng,
    /// `virtio-blk:NAME`: a virtio disk holding the drive `[drive.NAME]`.
    VirtioBlk(String),
    /// Anything else, as written: [`Manifest::load`](super::Manifest::load)
    /// refuses it, naming the test.
    Unknown(String),
}

impl From<String> for Device {
    fn from(text: String) -> Device {
        match text.as_str() {
            "virtio-rng" => Device::VirtioRng,
            _ => match text.strip_prefix("virtio-blk:") {
                Some(drive) if !drive.is_empty() => Device::VirtioBlk(drive.to_string()),
                _ => Device::Unknown(text),
            },
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::VirtioRng => f.write_str("virtio-rng"),
            Device::VirtioBlk(drive) => write!(f, "virtio-blk:{drive}"),
            Device::Unknown(text) => f.write_str(text),
        }
    }
}

/// `[drive.NAME]`: a disk image made for every boot that attaches it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DriveSpec {
    /// Its size, in 512-byte blocks.
    pub blocks: u64,
    /// What it holds when the boot starts.
    #[serde(default)]
    pub fill: Fill,
    /// Attached read-only: the guest's writes fail.
    #[serde(default)]
    pub read_only: bool,
}

/// What a drive holds when its boot starts.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(try_from = "String")]
pub enum Fill {
    /// `zero`: every byte 0.
    #[default]
    Zero,
    /// `pattern`: `fledge_api::block::pattern_byte(0, offset)`.
    Pattern,
    /// `seed:FILE`: a copy of FILE, relative to the exercise's folder as
    /// written; [`Manifest::load`](super::Manifest::load) makes it absolute.
    Seed(PathBuf),
}

impl TryFrom<String> for Fill {
    type Error = String;

    fn try_from(text: String) -> Result<Fill, String> {
        match text.as_str() {
            "zero" => Ok(Fill::Zero),
            "pattern" => Ok(Fill::Pattern),
            _ => match text.strip_prefix("seed:") {
                Some(file) if !file.is_empty() => Ok(Fill::Seed(PathBuf::from(file))),
                _ => Err(format!(
                    "a drive's fill is \"zero\", \"pattern\" or \"seed:FILE\" (FILE in the exercise's folder), not {text:?}"
                )),
            },
        }
    }
}

/// `[test.disk]`: after the boot that reported the test passed, the
/// drive's image must hold pattern 1 in the blocks `written` and the fill
/// everywhere else.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DiskSpec {
    /// The drive, by its `[drive.NAME]`.
    pub drive: String,
    /// The blocks the test writes with `pattern_block(1, block, ..)`.
    #[serde(default)]
    pub written: Vec<u64>,
}

/// `[test.pci]`: the functions the test reports on bus 0 must be those
/// QEMU attached. It has no keys.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PciSpec {}

impl Manifest {
    /// The devices a kernel test's boots get: its own list, or the
    /// exercise's.
    pub fn devices_of<'a>(&'a self, test: &'a TestSpec) -> &'a [Device] {
        test.devices.as_deref().unwrap_or(&self.devices)
    }

    /// Checks the drives, the device lists and the disk checks, and makes
    /// seed files' paths absolute. `path` is the manifest's, for errors.
    pub(super) fn check_devices(&mut self, path: &Path) -> Result<()> {
        let at = path.display();
        for (name, drive) in &mut self.drives {
            let id_like = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !id_like {
                bail!(
                    "{at}: [drive.{name}]: a drive's name starts with a letter and holds only letters, digits, `-`, `_` and `.` (QEMU names it so)"
                );
            }
            if !(1..=MAX_BLOCKS).contains(&drive.blocks) {
                bail!("{at}: [drive.{name}]: blocks = {}; give 1 to {MAX_BLOCKS} blocks of 512 bytes", drive.blocks);
            }
            if let Fill::Seed(file) = &mut drive.fill {
                let full = self.dir.join(&*file);
                let want = drive.blocks * 512;
                match std::fs::metadata(&full) {
                    Ok(meta) if meta.is_file() && meta.len() == want => {}
                    Ok(meta) => bail!(
                        "{at}: [drive.{name}]: the seed file {} is {} bytes, but a drive of {} blocks holds exactly {want} \
                         ({} × 512): make the file that size, or change blocks",
                        file.display(),
                        meta.len(),
                        drive.blocks,
                        drive.blocks
                    ),
                    Err(error) => bail!(
                        "{at}: [drive.{name}]: cannot read the seed file {} ({error}); FILE in \"seed:FILE\" is relative to {}",
                        file.display(),
                        self.dir.display()
                    ),
                }
                *file = full;
            }
        }
        self.check_list(&format!("{at}: the exercise's `devices`"), &self.devices)?;
        for test in self.tests.iter().filter(|t| t.kind == Kind::Qemu) {
            let name = &test.name;
            if let Some(devices) = &test.devices {
                self.check_list(&format!("{at}: test `{name}`"), devices)?;
            }
            let Some(disk) = &test.disk else { continue };
            let attached = self.devices_of(test).iter().any(|d| *d == Device::VirtioBlk(disk.drive.clone()));
            if !attached {
                bail!(
                    "{at}: test `{name}`: [test.disk] checks drive `{}`, but the test's boots do not attach it: \
                     add \"virtio-blk:{}\" to the test's `devices` (or the exercise's)",
                    disk.drive,
                    disk.drive
                );
            }
            let drive = &self.drives[&disk.drive];
            if let Some(block) = disk.written.iter().find(|&&b| b >= drive.blocks) {
                bail!(
                    "{at}: test `{name}`: disk.written lists block {block}, but drive `{}` has {} blocks (0 to {}): \
                     list only blocks the drive has",
                    disk.drive,
                    drive.blocks,
                    drive.blocks - 1
                );
            }
            if disk.written.iter().collect::<BTreeSet<_>>().len() != disk.written.len() {
                bail!("{at}: test `{name}`: disk.written lists a block twice: list each block once");
            }
            if drive.read_only && !disk.written.is_empty() {
                bail!(
                    "{at}: test `{name}`: drive `{}` is read_only, so the test cannot write to it: \
                     empty disk.written, or attach the drive writable",
                    disk.drive
                );
            }
        }
        Ok(())
    }

    /// One device list: known kinds, declared drives, each once, slots
    /// enough.
    fn check_list(&self, at: &str, devices: &[Device]) -> Result<()> {
        let mut seen = BTreeMap::new();
        for device in devices {
            match device {
                Device::Unknown(text) => bail!(
                    "{at}: unknown device \"{text}\": the devices are \"virtio-rng\" and \"virtio-blk:DRIVE\" \
                     (DRIVE declared by a [drive.DRIVE] table)"
                ),
                Device::VirtioBlk(drive) if !self.drives.contains_key(drive) => bail!(
                    "{at}: device \"{device}\" attaches drive `{drive}`, which is not declared: \
                     add a [drive.{drive}] table with its blocks (and fill)"
                ),
                _ => {}
            }
            if seen.insert(device.to_string(), ()).is_some() {
                bail!("{at}: device \"{device}\" is listed twice: a boot attaches each device once");
            }
        }
        let slots = usize::from(LAST_SLOT - FIRST_SLOT) + 1;
        if devices.len() > slots {
            bail!(
                "{at}: {} devices, but PCI bus 0 has room for {slots} (slots {FIRST_SLOT} to {LAST_SLOT})",
                devices.len()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `text` (after a manifest's head) from a folder of its own,
    /// with `seed.bin` of `seed_len` bytes in it; the error, if any, in full.
    fn load(text: &str, seed_len: usize) -> Result<Manifest, String> {
        let dir = tempfile::tempdir().unwrap();
        let head = "number = 8\nslug = \"s\"\ntitle = \"t\"\nchapter = \"c\"\n";
        let no_tests = if text.contains("[[test]]") { "" } else { "test = []\n" };
        std::fs::write(dir.path().join("exercise.toml"), format!("{head}{no_tests}{text}")).unwrap();
        std::fs::write(dir.path().join("seed.bin"), vec![7; seed_len]).unwrap();
        Manifest::load(dir.path()).map_err(|e| format!("{e:#}"))
    }

    const DRIVE: &str = "[drive.data]\nblocks = 64\nfill = \"pattern\"\n";
    const DISK_TEST: &str = "[[test]]\nname = \"w\"\nkind = \"qemu\"\npoints = 1\n";

    #[test]
    fn the_documented_example_loads() {
        let text = format!(
            "devices = [\"virtio-rng\"]\n{DRIVE}{DISK_TEST}devices = [\"virtio-blk:data\"]\n\
             [test.disk]\ndrive = \"data\"\nwritten = [2, 3, 17]\n\
             [[test]]\nname = \"p\"\nkind = \"qemu\"\npoints = 1\n[test.pci]\n"
        );
        let m = load(&text, 0).unwrap();
        assert_eq!(m.devices, [Device::VirtioRng]);
        assert_eq!(m.drives["data"], DriveSpec { blocks: 64, fill: Fill::Pattern, read_only: false });
        assert_eq!(m.devices_of(&m.tests[0]), [Device::VirtioBlk("data".into())]);
        assert_eq!(m.devices_of(&m.tests[1]), [Device::VirtioRng], "the exercise's list");
        assert_eq!(m.tests[0].disk.as_ref().unwrap().written, [2, 3, 17]);
        assert_eq!(m.tests[1].pci, Some(PciSpec {}));
    }

    #[test]
    fn a_seed_file_is_found_beside_the_manifest_and_must_fit() {
        let text = "[drive.d]\nblocks = 2\nfill = \"seed:seed.bin\"\n";
        let m = load(text, 1024).unwrap();
        assert!(matches!(&m.drives["d"].fill, Fill::Seed(p) if p.is_absolute() && p.ends_with("seed.bin")));
        let error = load(text, 1000).unwrap_err();
        assert!(error.contains("exercise.toml: [drive.d]: the seed file seed.bin is 1000 bytes"), "{error}");
        assert!(error.contains("holds exactly 1024"), "{error}");
        let error = load("[drive.d]\nblocks = 2\nfill = \"seed:nowhere.bin\"\n", 0).unwrap_err();
        assert!(error.contains("cannot read the seed file nowhere.bin"), "{error}");
    }

    #[test]
    fn mistakes_are_refused_naming_the_test_and_the_fix() {
        let cases = [
            (format!("{DISK_TEST}devices = [\"virtio-net\"]\n"), "test `w`: unknown device \"virtio-net\""),
            ("devices = [\"virtio-blk\"]\n".to_string(), "the exercise's `devices`: unknown device \"virtio-blk\""),
            (format!("{DISK_TEST}devices = [\"virtio-blk:data\"]\n"), "add a [drive.data] table"),
            (
                format!("{DRIVE}{DISK_TEST}devices = [\"virtio-rng\"]\n[test.disk]\ndrive = \"data\"\n"),
                "test `w`: [test.disk] checks drive `data`, but the test's boots do not attach it",
            ),
            (
                format!(
                    "{DRIVE}{DISK_TEST}devices = [\"virtio-blk:data\"]\n[test.disk]\ndrive = \"data\"\nwritten = [64]\n"
                ),
                "test `w`: disk.written lists block 64, but drive `data` has 64 blocks (0 to 63)",
            ),
            (
                format!(
                    "{DRIVE}read_only = true\n{DISK_TEST}devices = [\"virtio-blk:data\"]\n[test.disk]\ndrive = \"data\"\nwritten = [1]\n"
                ),
                "drive `data` is read_only",
            ),
            (format!("{DISK_TEST}devices = [\"virtio-rng\", \"virtio-rng\"]\n"), "listed twice"),
            ("[drive.data]\nblocks = 0\n".to_string(), "[drive.data]: blocks = 0"),
            ("[drive.\"my disk\"]\nblocks = 1\n".to_string(), "a drive's name starts with a letter"),
            ("[drive.d]\nblocks = 1\nfill = \"ones\"\n".to_string(), "\"zero\", \"pattern\" or \"seed:FILE\""),
            ("[[test]]\nname = \"h\"\nkind = \"host\"\npoints = 1\n[test.pci]\n".to_string(), "host test `h` cannot"),
            (format!("{DISK_TEST}[test.pci]\nbus = 1\n"), "unknown field `bus`"),
        ];
        for (text, wanted) in cases {
            let error = load(&text, 0).expect_err(&text);
            assert!(error.contains("exercise.toml") && error.contains(wanted), "{text}\n--> {error}");
        }
    }
}
