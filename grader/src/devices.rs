//! A boot's devices: their arguments on QEMU's command line, and the drive
//! images they hold.
//!
//! ```text
//! manifest devices ["virtio-rng", "virtio-blk:data"]
//!   ──> -device virtio-rng-pci,addr=0x4
//!       -drive if=none,id=data,format=raw,file=boot-1.1/drive-data.img
//!       -device virtio-blk-pci,drive=data,addr=0x5
//!
//! manifest devices ["virtio-net"]
//!   ──> -device virtio-net-pci,netdev=card,mac=52:54:00:12:34:56,romfile=,addr=0x4
//!       (and the network it hangs on: `crate::net`)
//!
//! a drive with flush_fails = true, through QEMU's blkdebug driver:
//!   ──> -blockdev {"driver":"raw","node-name":"data","read-only":false,"file":
//!         {"driver":"blkdebug","inject-error":[{"event":"flush_to_disk",
//!          "iotype":"flush","errno":5}],"image":{"driver":"file","filename":...}}}
//!       -device virtio-blk-pci,drive=data,addr=0x5
//! ```
//!
//! Slots are pinned from [`FIRST_SLOT`] up, in the list's order, so that a
//! device's PCI address is the same on every run and a kernel test can
//! name it. Every boot gets fresh images, made in its own folder (a
//! sequence may boot several times, and each boot must start from the
//! fill), named `drive-NAME.img`: the disk check (`judge/disk.rs`) reads
//! them there after the boot.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fledge_api::block::{BLOCK_SIZE, pattern_byte};

use crate::manifest::devices::FIRST_SLOT;
use crate::manifest::{Device, DriveSpec, Fill, Manifest};

/// One device of a boot, with what it needs to be attached.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "named after QEMU's devices, which are all virtio ones so far")]
pub enum Attach {
    /// `virtio-rng-pci`.
    VirtioRng,
    /// `virtio-blk-pci` over the drive `name`.
    VirtioBlk {
        /// The drive's name, its QEMU id too.
        name: String,
        /// The drive, its seed file's path made absolute.
        drive: DriveSpec,
    },
    /// `virtio-net-pci` on the network of `crate::net`.
    VirtioNet,
}

impl Attach {
    /// The devices of a list, with their drives. (A manifest that loaded
    /// has no unknown device and no undeclared drive.)
    pub fn all(manifest: &Manifest, devices: &[Device]) -> Vec<Attach> {
        devices
            .iter()
            .filter_map(|device| match device {
                Device::VirtioRng => Some(Attach::VirtioRng),
                Device::VirtioNet => Some(Attach::VirtioNet),
                Device::VirtioBlk(name) => manifest
                    .drives
                    .get(name)
                    .map(|drive| Attach::VirtioBlk { name: name.clone(), drive: drive.clone() }),
                Device::Unknown(_) => None,
            })
            .collect()
    }
}

/// Where a boot keeps the image of drive `name`.
pub fn image_path(boot_dir: &Path, name: &str) -> PathBuf {
    boot_dir.join(format!("drive-{name}.img"))
}

/// The bytes a drive's image starts with.
pub fn fill(drive: &DriveSpec) -> Result<Vec<u8>> {
    let len = drive.blocks as usize * BLOCK_SIZE;
    Ok(match &drive.fill {
        Fill::Zero => vec![0; len],
        Fill::Pattern => (0..len as u64).map(|offset| pattern_byte(0, offset)).collect(),
        Fill::Seed(file) => {
            let bytes = fs::read(file).with_context(|| format!("cannot read the seed file {}", file.display()))?;
            anyhow::ensure!(
                bytes.len() == len,
                "the seed file {} is {} bytes now, not {len}: it changed after the manifest was read",
                file.display(),
                bytes.len()
            );
            bytes
        }
    })
}

/// Makes the images of `devices`' drives in `boot_dir` and gives QEMU's
/// arguments for all of them, in slots from [`FIRST_SLOT`] up.
pub fn prepare(devices: &[Attach], boot_dir: &Path) -> Result<Vec<String>> {
    let mut args = Vec::new();
    for (slot, device) in (FIRST_SLOT..).zip(devices) {
        match device {
            Attach::VirtioRng => args.extend(["-device".into(), format!("virtio-rng-pci,addr={slot:#x}")]),
            // On the hub port `crate::net` makes; no boot ROM (iPXE).
            Attach::VirtioNet => args.extend([
                "-device".into(),
                format!(
                    "virtio-net-pci,netdev=card,mac={},romfile=,addr={slot:#x}",
                    crate::net::addresses::mac(crate::net::addresses::GUEST_MAC)
                ),
            ]),
            Attach::VirtioBlk { name, drive } => {
                let image = image_path(boot_dir, name);
                fs::write(&image, fill(drive)?).with_context(|| format!("cannot write {}", image.display()))?;
                if drive.flush_fails {
                    args.extend(["-blockdev".into(), flush_failing(name, &image)]);
                } else {
                    let read_only = if drive.read_only { ",readonly=on" } else { "" };
                    args.push("-drive".into());
                    args.push(format!("if=none,id={name},format=raw,file={}{read_only}", escape(&image)));
                }
                args.extend(["-device".into(), format!("virtio-blk-pci,drive={name},addr={slot:#x}")]);
            }
        }
    }
    Ok(args)
}

/// `-blockdev`'s JSON for a drive whose every flush fails with `EIO`:
/// blkdebug injects the error on the flush to the image file, and the
/// guest's flush request completes with an I/O error status. Reads and
/// writes go through to `image`. (JSON, not `key=value`: serde_json
/// escapes any path, and a comma needs no doubling.)
pub fn flush_failing(name: &str, image: &Path) -> String {
    serde_json::json!({
        "driver": "raw",
        "node-name": name,
        "read-only": false,
        "file": {
            "driver": "blkdebug",
            "inject-error": [{ "event": "flush_to_disk", "iotype": "flush", "errno": 5 }],
            "image": { "driver": "file", "filename": image.to_string_lossy() },
        },
    })
    .to_string()
}

/// A path as a value in QEMU's `key=value,...` options: a comma is
/// written twice.
pub fn escape(path: &Path) -> String {
    path.display().to_string().replace(',', ",,")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blk(name: &str, fill: Fill, read_only: bool) -> Attach {
        Attach::VirtioBlk { name: name.into(), drive: DriveSpec { blocks: 2, fill, read_only, flush_fails: false } }
    }

    #[test]
    fn commas_are_doubled() {
        assert_eq!(escape(Path::new("/a,b/c,,d.img")), "/a,,b/c,,,,d.img");
        assert_eq!(escape(Path::new("/plain/disk.img")), "/plain/disk.img");
    }

    #[test]
    fn devices_get_slots_in_list_order_and_fresh_images() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("boot,1");
        fs::create_dir(&dir).unwrap();
        let devices = [Attach::VirtioRng, blk("data", Fill::Pattern, false), blk("ro", Fill::Zero, true)];
        let args = prepare(&devices, &dir).unwrap();
        let shown = dir.display().to_string().replace(',', ",,");
        assert_eq!(
            args,
            [
                "-device".to_string(),
                "virtio-rng-pci,addr=0x4".into(),
                "-drive".into(),
                format!("if=none,id=data,format=raw,file={shown}/drive-data.img"),
                "-device".into(),
                "virtio-blk-pci,drive=data,addr=0x5".into(),
                "-drive".into(),
                format!("if=none,id=ro,format=raw,file={shown}/drive-ro.img,readonly=on"),
                "-device".into(),
                "virtio-blk-pci,drive=ro,addr=0x6".into(),
            ]
        );
        let image = fs::read(image_path(&dir, "data")).unwrap();
        assert_eq!(image.len(), 1024);
        assert!(image.iter().enumerate().all(|(i, &b)| b == pattern_byte(0, i as u64)));
        assert_eq!(fs::read(image_path(&dir, "ro")).unwrap(), [0; 1024]);
    }

    #[test]
    fn a_flush_failing_drive_goes_through_blkdebug() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("boot,\"1\" \\x");
        fs::create_dir(&dir).unwrap();
        let fails = Attach::VirtioBlk {
            name: "log".into(),
            drive: DriveSpec { blocks: 2, fill: Fill::Pattern, read_only: false, flush_fails: true },
        };
        let args = prepare(&[blk("data", Fill::Zero, false), fails], &dir).unwrap();
        let shown = dir.display().to_string().replace(',', ",,");
        assert_eq!(
            args[..4],
            [
                "-drive".to_string(),
                format!("if=none,id=data,format=raw,file={shown}/drive-data.img"),
                "-device".into(),
                "virtio-blk-pci,drive=data,addr=0x4".into(),
            ]
        );
        assert_eq!(args[4], "-blockdev");
        assert_eq!(args[6..], ["-device".to_string(), "virtio-blk-pci,drive=log,addr=0x5".into()]);
        let json: serde_json::Value = serde_json::from_str(&args[5]).unwrap();
        assert_eq!(json["driver"], "raw");
        assert_eq!(json["node-name"], "log");
        assert_eq!(json["read-only"], false);
        let file = &json["file"];
        assert_eq!(file["driver"], "blkdebug");
        assert_eq!(
            file["inject-error"],
            serde_json::json!([{ "event": "flush_to_disk", "iotype": "flush", "errno": 5 }])
        );
        assert_eq!(file["image"]["driver"], "file");
        let image = image_path(&dir, "log");
        assert_eq!(file["image"]["filename"], image.display().to_string(), "the path as is: no commas doubled");
        let bytes = fs::read(&image).unwrap();
        assert!(bytes.iter().enumerate().all(|(i, &b)| b == pattern_byte(0, i as u64)), "filled like any drive");
    }

    #[test]
    fn a_seed_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        let seed = dir.path().join("seed.bin");
        fs::write(&seed, [9; 1024]).unwrap();
        let drive = DriveSpec { blocks: 2, fill: Fill::Seed(seed.clone()), read_only: false, flush_fails: false };
        assert_eq!(fill(&drive).unwrap(), [9; 1024]);
        fs::write(&seed, [9; 10]).unwrap();
        assert!(format!("{:#}", fill(&drive).unwrap_err()).contains("it changed after the manifest was read"));
    }
}
