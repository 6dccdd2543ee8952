//! Judging a drive's image on the host (`[test.disk]`), once the kernel
//! said `ok`: the blocks the test writes must hold pattern 1, and every
//! other byte the fill the boot started with.
//!
//! ```text
//! block      0      1      2      3      4    ...
//! expected   fill   fill   pat1   pat1   fill ...      written = [2, 3]
//! found      fill   fill   fill   pat1   pat1 ...  ──> "block 4 holds what the test wrote to block 3"
//! ```
//!
//! Since `fledge_api::block::pattern_byte` mixes the byte's offset in the
//! whole image, a block written one place off holds bytes no other block
//! should, and the judge can name where they were meant to go. The
//! diagnostic leads with such a block, then the first other difference,
//! and gives the byte offset and the bytes expected and found. The image
//! of a failing check is kept, and named; [`tidy`] removes the rest.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use fledge_api::block::{BLOCK_SIZE, pattern_block};

use crate::devices;
use crate::manifest::{DiskSpec, DriveSpec};

/// Checks the image at `image` of `drive`, as the test's `spec` says.
pub fn judge(spec: &DiskSpec, drive: &DriveSpec, image: &Path) -> Result<(), String> {
    let name = &spec.drive;
    let fill = devices::fill(drive).map_err(|e| format!("cannot check drive `{name}`: {e:#}"))?;
    let found = fs::read(image).map_err(|e| format!("cannot read drive `{name}`'s image {}: {e}", image.display()))?;
    examine(&spec.written, drive.read_only, &fill, &found).map_err(|why| {
        format!("the test passed, but drive `{name}`'s image disagrees: {why}. The image is kept: {}", image.display())
    })
}

/// The difference between `found` and what it should hold, in words.
fn examine(written: &[u64], read_only: bool, fill: &[u8], found: &[u8]) -> Result<(), String> {
    if found.len() != fill.len() {
        return Err(format!(
            "it is {} bytes, where the drive has {} ({} blocks of {BLOCK_SIZE})",
            found.len(),
            fill.len(),
            fill.len() / BLOCK_SIZE
        ));
    }
    let written: BTreeSet<u64> = written.iter().copied().collect();
    let block_of = |bytes: &[u8], b: u64| bytes[b as usize * BLOCK_SIZE..][..BLOCK_SIZE].to_vec();
    let pattern = |b: u64| {
        let mut buf = [0; BLOCK_SIZE];
        pattern_block(1, b, &mut buf);
        buf.to_vec()
    };
    let expected = |b: u64| if written.contains(&b) { pattern(b) } else { block_of(fill, b) };
    let bad: Vec<u64> = (0..(fill.len() / BLOCK_SIZE) as u64).filter(|&b| block_of(found, b) != expected(b)).collect();
    if bad.is_empty() {
        return Ok(());
    }
    // What each bad block holds, and whether it is another block's writes.
    let diagnose = |b: u64| -> (String, bool) {
        let here = block_of(found, b);
        if read_only {
            return (format!("a read-only drive changed: block {b} no longer holds the fill"), false);
        }
        if let Some(c) = written.iter().copied().find(|&c| c != b && here == pattern(c)) {
            let hint = if c.abs_diff(b) == 1 { " (a block number off by one?)" } else { "" };
            return (format!("block {b} holds what the test wrote to block {c}{hint}"), true);
        }
        let text = match (written.contains(&b), here == block_of(fill, b), here == pattern(b)) {
            (true, true, _) => format!("block {b} was never written (it still holds the fill)"),
            (false, _, true) => format!("block {b} holds what the test writes, but the test is not to write it"),
            (true, ..) => format!("block {b} does not hold what the test wrote to it"),
            (false, ..) => format!("block {b} changed, though the test is not to write it"),
        };
        (text, false)
    };
    let lead = bad.iter().copied().find(|&b| diagnose(b).1).unwrap_or(bad[0]);
    let (text, _) = diagnose(lead);
    let (want, here) = (expected(lead), block_of(found, lead));
    let byte = (0..BLOCK_SIZE).find(|&i| want[i] != here[i]).unwrap_or(0);
    let mut why = format!(
        "{text}: at byte {} of the image (block {lead}, byte {byte}) the grader expected {:#04x} and found {:#04x}",
        lead as usize * BLOCK_SIZE + byte,
        want[byte],
        here[byte]
    );
    let others: Vec<String> = bad.iter().filter(|&&b| b != lead).take(4).map(|&b| diagnose(b).0).collect();
    if !others.is_empty() {
        why.push_str(&format!("; also {}", others.join("; ")));
    }
    if bad.len() > others.len() + 1 {
        why.push_str(&format!(" ({} blocks differ in all)", bad.len()));
    }
    Err(why)
}

/// Removes every drive image under the boots' folder `dir` but those in
/// `keep` (the images of checks that failed).
pub fn tidy(dir: &Path, keep: &[PathBuf]) {
    let Ok(boots) = fs::read_dir(dir) else { return };
    for boot in boots.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        let Ok(files) = fs::read_dir(&boot) else { continue };
        for file in files.flatten().map(|e| e.path()) {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with("drive-") && name.ends_with(".img") && !keep.contains(&file) {
                let _ = fs::remove_file(&file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fledge_api::block::pattern_byte;

    const BLOCKS: usize = 8;

    /// A pattern-filled drive after the test wrote `blocks`, each to where
    /// the second number says.
    fn image(writes: &[(u64, u64)]) -> (Vec<u8>, Vec<u8>) {
        let fill: Vec<u8> = (0..(BLOCKS * BLOCK_SIZE) as u64).map(|i| pattern_byte(0, i)).collect();
        let mut found = fill.clone();
        for &(meant, went) in writes {
            let mut buf = [0; BLOCK_SIZE];
            pattern_block(1, meant, &mut buf);
            found[went as usize * BLOCK_SIZE..][..BLOCK_SIZE].copy_from_slice(&buf);
        }
        (fill, found)
    }

    #[test]
    fn the_right_writes_pass() {
        let (fill, found) = image(&[(2, 2), (3, 3)]);
        assert_eq!(examine(&[2, 3], false, &fill, &found), Ok(()));
        assert_eq!(examine(&[], true, &fill, &fill), Ok(()), "an untouched read-only drive");
    }

    #[test]
    fn a_block_number_off_by_one_is_named() {
        let (fill, found) = image(&[(2, 3), (3, 4)]);
        let why = examine(&[2, 3], false, &fill, &found).unwrap_err();
        assert!(
            why.starts_with("block 3 holds what the test wrote to block 2 (a block number off by one?): "),
            "{why}"
        );
        assert!(why.contains("at byte 1536 of the image (block 3, byte 0)"), "{why}");
        assert!(why.contains("also block 2 was never written (it still holds the fill)"), "{why}");
        assert!(why.contains("block 4 holds what the test wrote to block 3"), "{why}");
    }

    #[test]
    fn an_unwritten_block_is_named() {
        let (fill, found) = image(&[(2, 2)]);
        let why = examine(&[2, 5], false, &fill, &found).unwrap_err();
        assert!(why.starts_with("block 5 was never written (it still holds the fill): at byte 2560"), "{why}");
        let expected = format!("expected {:#04x} and found {:#04x}", pattern_byte(1, 2560), pattern_byte(0, 2560));
        assert!(why.contains(&expected), "{why}");
    }

    #[test]
    fn a_stray_or_torn_write_is_named() {
        let (fill, mut found) = image(&[(2, 2), (6, 6)]);
        let why = examine(&[2], false, &fill, &found).unwrap_err();
        assert!(why.starts_with("block 6 holds what the test writes, but the test is not to write it"), "{why}");
        found[2 * BLOCK_SIZE + 100] ^= 0xff;
        let why = examine(&[2, 6], false, &fill, &found).unwrap_err();
        assert!(
            why.starts_with(
                "block 2 does not hold what the test wrote to it: at byte 1124 of the image (block 2, byte 100)"
            ),
            "{why}"
        );
    }

    #[test]
    fn a_changed_read_only_drive_is_named() {
        let (fill, mut found) = image(&[]);
        found[7 * BLOCK_SIZE + 511] ^= 1;
        let why = examine(&[], true, &fill, &found).unwrap_err();
        assert!(why.starts_with("a read-only drive changed: block 7 no longer holds the fill: at byte 4095"), "{why}");
    }

    #[test]
    fn an_image_of_the_wrong_size_is_named() {
        let (fill, found) = image(&[]);
        let why = examine(&[], false, &fill, &found[..1000]).unwrap_err();
        assert_eq!(why, "it is 1000 bytes, where the drive has 4096 (8 blocks of 512)");
    }

    #[test]
    fn the_message_names_the_drive_and_keeps_the_image() {
        let dir = tempfile::tempdir().unwrap();
        let boot = dir.path().join("boot-1");
        fs::create_dir(&boot).unwrap();
        let drive = DriveSpec { blocks: 2, fill: crate::manifest::Fill::Zero, read_only: false, flush_fails: false };
        let path = devices::image_path(&boot, "data");
        fs::write(&path, [0; 1024]).unwrap();
        let spec = DiskSpec { drive: "data".into(), written: vec![1] };
        let why = judge(&spec, &drive, &path).unwrap_err();
        assert!(
            why.starts_with("the test passed, but drive `data`'s image disagrees: block 1 was never written"),
            "{why}"
        );
        assert!(why.ends_with(&format!("The image is kept: {}", path.display())), "{why}");
        let other = devices::image_path(&boot, "other");
        fs::write(&other, [0; 1024]).unwrap();
        tidy(dir.path(), std::slice::from_ref(&path));
        assert!(path.is_file() && !other.exists());
        assert_eq!(judge(&DiskSpec { written: vec![], ..spec }, &drive, &path), Ok(()));
    }
}
