//! Devices: what a kernel test's boots get besides the boot disk, the two
//! serial ports and `isa-debug-exit`, and the host-side checks that look
//! at them.
//!
//! ```toml
//! devices = ["virtio-rng"]        # every kernel test's boots (default: none)
//!                                 # "virtio-net": a network card; its tests' `[test.net]` is net.rs's
//!
//! [drive.data]                    # a drive, attached by the device "virtio-blk:data"
//! blocks = 64                     # 512-byte blocks
//! fill = "pattern"                # "zero" (default) | "pattern" | "seed:FILE"
//! read_only = false               # QEMU's readonly=on
//! flush_fails = false             # every flush request fails with an I/O error
//!
//! [[test]]
//! name = "writes_three_blocks"
//! kind = "qemu"
//! devices = ["virtio-blk:data"]   # this test's boots get exactly these instead
//! [test.disk]                     # after the boot, the image is checked on the host
//! drive = "data"
//! written = [2, 3, 17]            # these hold pattern 1; every other byte still the fill
//! [test.pci]                      # the test's `# pci BB:DD.F VVVV:DDDD` lines against QEMU's query-pci
//! [test.tar]                      # after the boot, `tar tf` on the image lists the test's `# ack NAME` lines
//! drive = "log"
//! [test.kills]                    # first, boots of the test killed with SIGKILL, on one image
//! drive = "log"
//! count = 3
//! ```
//!
//! `fill = "pattern"` is `fledge_api::block::pattern_byte` with seed 0;
//! `seed:FILE` copies FILE (relative to the exercise's folder, exactly
//! `blocks * 512` bytes). `flush_fails = true` attaches the drive through
//! QEMU's blkdebug driver, which fails every flush with `EIO` while reads
//! and writes reach the image: a driver whose `flush` sends nothing to the
//! device returns `Ok` there, and a test catches it. Every boot gets fresh images. The devices sit in
//! PCI slots 4, 5, ... in list order, so a kernel finds them at the same
//! addresses every run. `Manifest::load` refuses, with these checks,
//! naming the test and the fix: an unknown device, a drive nobody
//! declared, a disk check of a drive the test's boots do not attach, a
//! written block past the drive's end, a seed file of the wrong size, a
//! drive both `read_only` and `flush_fails`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The largest drive: 64 MiB, made afresh for every boot.
pub const MAX_BLOCKS: u64 = 128 * 1024;

/// The longest name of a `flush_fails` drive: QEMU refuses a block node
/// name of 32 characters or more.
pub const MAX_NODE_NAME: usize = 31;

/// The PCI slot of a boot's first device; the rest follow in list order.
/// (Slots 0 to 2 are the host bridge, the PIIX3 and the VGA card; 3 is
/// left free.)
pub const FIRST_SLOT: u8 = 4;

/// The last slot of PCI bus 0.
pub const LAST_SLOT: u8 = 0x1f;

/// A device, as a manifest names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(from = "String")]
pub enum Device {
    /// `virtio-rng`: a virtio entropy source (`virtio-rng-pci`).
    VirtioRng,
    /// `virtio-blk:NAME`: a virtio disk holding the drive `[drive.NAME]`.
    VirtioBlk(String),
    /// `virtio-net`: a virtio network card on QEMU's user network
    /// (`crate::net`).
    VirtioNet,
    /// Anything else, as written: `Manifest::load` refuses it, naming
    /// the test.
    Unknown(String),
}

impl From<String> for Device {
    fn from(text: String) -> Device {
        match text.as_str() {
            "virtio-rng" => Device::VirtioRng,
            "virtio-net" => Device::VirtioNet,
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
            Device::VirtioNet => f.write_str("virtio-net"),
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
    /// Every flush request the guest sends fails with an I/O error
    /// (QEMU's blkdebug); reads and writes work.
    #[serde(default)]
    pub flush_fails: bool,
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
    /// written; `Manifest::load` makes it absolute.
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

/// `[test.tar]`: after the boot that reported the test passed, the host's
/// `tar tf` on the drive's image must list exactly the members the test
/// acknowledged, in order: the `NAME`s of its `# ack NAME` lines.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TarSpec {
    /// The drive, by its `[drive.NAME]`.
    pub drive: String,
}

/// `[test.kills]`: before the boot that grades the test, `count` boots of
/// it run on the same image, and each is killed with SIGKILL at a random
/// moment after its first `# ack` line. The boot after each kill (the
/// next killed one, or the graded one) must print `# opened at ID` with an
/// id no older than the last one acknowledged before the kill.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(deny_unknown_fields)]
pub struct KillsSpec {
    /// The drive, by its `[drive.NAME]`: its image is carried from boot to boot.
    pub drive: String,
    /// How many boots are killed.
    pub count: u32,
    /// The longest wait, in milliseconds, between the first `# ack` and
    /// the kill (each wait is random, from 0 to this).
    #[serde(default = "KillsSpec::default_within")]
    pub within_ms: u64,
}

impl KillsSpec {
    fn default_within() -> u64 {
        300
    }
}

/// The most boots a `[test.kills]` may kill: each is a boot of its own.
pub const MAX_KILLS: u32 = 20;

/// `[test.pci]`: the functions the test reports on bus 0 must be those
/// QEMU attached. It has no keys.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PciSpec {}

/// The drives, by name: what is wrong with the first that is wrong, if
/// anything. Seed files are looked for in `dir`, and their paths made
/// absolute.
pub fn check_drives(drives: &mut BTreeMap<String, DriveSpec>, dir: &Path) -> Result<(), String> {
    for (name, drive) in drives {
        let id_like = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !id_like {
            return Err(format!(
                "[drive.{name}]: a drive's name starts with a letter and holds only letters, digits, `-`, `_` and `.` (QEMU names it so)"
            ));
        }
        if !(1..=MAX_BLOCKS).contains(&drive.blocks) {
            return Err(format!(
                "[drive.{name}]: blocks = {}; give 1 to {MAX_BLOCKS} blocks of 512 bytes",
                drive.blocks
            ));
        }
        if drive.flush_fails && drive.read_only {
            return Err(format!(
                "[drive.{name}]: flush_fails = true on a read_only drive: a read-only drive takes no writes, \
                 so there is nothing to flush; drop read_only (or flush_fails)"
            ));
        }
        if drive.flush_fails && name.len() > MAX_NODE_NAME {
            return Err(format!(
                "[drive.{name}]: a flush_fails drive's name is at most {MAX_NODE_NAME} characters \
                 (QEMU's limit on a node name), this one has {}: shorten it",
                name.len()
            ));
        }
        if let Fill::Seed(file) = &mut drive.fill {
            let full = dir.join(&*file);
            let want = drive.blocks * 512;
            match std::fs::metadata(&full) {
                Ok(meta) if meta.is_file() && meta.len() == want => {}
                Ok(meta) => {
                    return Err(format!(
                        "[drive.{name}]: the seed file {} is {} bytes, but a drive of {} blocks holds exactly {want} \
                         ({} × 512): make the file that size, or change blocks",
                        file.display(),
                        meta.len(),
                        drive.blocks,
                        drive.blocks
                    ));
                }
                Err(error) => {
                    return Err(format!(
                        "[drive.{name}]: cannot read the seed file {} ({error}); FILE in \"seed:FILE\" is relative to {}",
                        file.display(),
                        dir.display()
                    ));
                }
            }
            *file = full;
        }
    }
    Ok(())
}

/// One list of devices: known kinds, declared drives, each once, slots
/// enough.
pub fn check_list(drives: &BTreeMap<String, DriveSpec>, devices: &[Device]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for device in devices {
        match device {
            Device::Unknown(text) => {
                return Err(format!(
                    "unknown device \"{text}\": the devices are \"virtio-rng\", \"virtio-net\" and \"virtio-blk:DRIVE\" \
                     (DRIVE declared by a [drive.DRIVE] table)"
                ));
            }
            Device::VirtioBlk(drive) if !drives.contains_key(drive) => {
                return Err(format!(
                    "device \"{device}\" attaches drive `{drive}`, which is not declared: \
                     add a [drive.{drive}] table with its blocks (and fill)"
                ));
            }
            _ => {}
        }
        if !seen.insert(device) {
            return Err(format!("device \"{device}\" is listed twice: a boot attaches each device once"));
        }
    }
    let slots = usize::from(LAST_SLOT - FIRST_SLOT) + 1;
    if devices.len() > slots {
        return Err(format!(
            "{} devices, but PCI bus 0 has room for {slots} (slots {FIRST_SLOT} to {LAST_SLOT})",
            devices.len()
        ));
    }
    Ok(())
}

/// The drive `name` that a test's `[test.WHAT]` names, if its boots
/// attach it.
fn attached_drive<'a>(
    drives: &'a BTreeMap<String, DriveSpec>,
    attached: &[Device],
    name: &str,
    what: &str,
) -> Result<&'a DriveSpec, String> {
    match drives.get(name) {
        Some(drive) if attached.contains(&Device::VirtioBlk(name.to_string())) => Ok(drive),
        _ => Err(format!(
            "[test.{what}] checks drive `{name}`, but the test's boots do not attach it: \
             add \"virtio-blk:{name}\" to the test's `devices` (or the exercise's)"
        )),
    }
}

/// A test's `[test.tar]`, given the devices its boots attach.
pub fn check_tar(drives: &BTreeMap<String, DriveSpec>, attached: &[Device], tar: &TarSpec) -> Result<(), String> {
    attached_drive(drives, attached, &tar.drive, "tar").map(|_| ())
}

/// A test's `[test.kills]`, given the devices its boots attach.
pub fn check_kills(drives: &BTreeMap<String, DriveSpec>, attached: &[Device], kills: &KillsSpec) -> Result<(), String> {
    let drive = attached_drive(drives, attached, &kills.drive, "kills")?;
    if drive.read_only {
        return Err(format!(
            "drive `{}` is read_only: a store that is killed must write; attach it writable",
            kills.drive
        ));
    }
    if kills.count == 0 || kills.count > MAX_KILLS {
        return Err(format!(
            "kills.count is {}: give 1 to {MAX_KILLS} (each killed boot is a boot of its own)",
            kills.count
        ));
    }
    Ok(())
}

/// A test's `[test.disk]`, given the devices its boots attach.
pub fn check_disk(drives: &BTreeMap<String, DriveSpec>, attached: &[Device], disk: &DiskSpec) -> Result<(), String> {
    let name = &disk.drive;
    let drive = attached_drive(drives, attached, name, "disk")?;
    if let Some(block) = disk.written.iter().find(|&&b| b >= drive.blocks) {
        return Err(format!(
            "disk.written lists block {block}, but drive `{name}` has {} blocks (0 to {}): list only blocks the drive has",
            drive.blocks,
            drive.blocks - 1
        ));
    }
    if disk.written.iter().collect::<BTreeSet<_>>().len() != disk.written.len() {
        return Err("disk.written lists a block twice: list each block once".into());
    }
    if drive.read_only && !disk.written.is_empty() {
        return Err(format!(
            "drive `{name}` is read_only, so the test cannot write to it: empty disk.written, or attach the drive writable"
        ));
    }
    Ok(())
}
