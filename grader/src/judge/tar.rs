//! Judging a drive's image with the host's own `tar` (`[test.tar]`): it
//! must read the image without an error and list exactly the members the
//! test acknowledged with `# ack NAME` lines, in the same order.
//!
//! A store whose log is a tar archive makes a claim any machine can
//! check: this is the check, by GNU tar rather than by Fledge's own
//! reader, so that a header that only Fledge accepts is caught.

use std::path::Path;
use std::process::Command;

use crate::kills::ACK;

/// Runs `tar tf` on `image` and compares its listing with the `# ack`
/// lines of `output`.
pub fn judge(drive: &str, image: &Path, output: &[String]) -> Result<(), String> {
    let acked: Vec<&str> = output.iter().filter_map(|l| l.strip_prefix(ACK)).collect();
    let out = Command::new("tar").arg("tf").arg(image).output().map_err(|e| {
        format!("cannot run the host's `tar` to check drive `{drive}`: {e}; install GNU tar (Debian: apt install tar)")
    })?;
    let listed_text = String::from_utf8_lossy(&out.stdout);
    let listed: Vec<&str> = listed_text.lines().collect();
    let kept = format!("The image is kept: {}", image.display());
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said.lines().next().unwrap_or("").trim();
        return Err(format!(
            "the host's `tar tf` cannot read drive `{drive}`'s image ({}): {said}. {kept}",
            out.status
        ));
    }
    compare(&acked, &listed).map_err(|why| format!("`tar tf` on drive `{drive}`'s image: {why}. {kept}"))
}

/// The first difference between what was acknowledged and what tar lists.
fn compare(acked: &[&str], listed: &[&str]) -> Result<(), String> {
    for (i, (a, l)) in acked.iter().zip(listed).enumerate() {
        if a != l {
            return Err(format!("member {} is `{l}`, but the test acknowledged `{a}` there", i + 1));
        }
    }
    match acked.len().cmp(&listed.len()) {
        std::cmp::Ordering::Equal if acked.is_empty() => {
            Err("it lists nothing, and the test acknowledged nothing: print `# ack NAME` for each commit".into())
        }
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(format!(
            "it lists {} members, but the test acknowledged {}: the first missing is `{}`",
            listed.len(),
            acked.len(),
            acked[listed.len()]
        )),
        std::cmp::Ordering::Less => Err(format!(
            "it lists {} members, but the test acknowledged only {}: the first extra is `{}`",
            listed.len(),
            acked.len(),
            listed[acked.len()]
        )),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_first_difference_is_named() {
        assert_eq!(compare(&["000001 a", "000002 b"], &["000001 a", "000002 b"]), Ok(()));
        assert_eq!(
            compare(&["000001 a", "000002 b"], &["000001 a"]),
            Err("it lists 1 members, but the test acknowledged 2: the first missing is `000002 b`".into())
        );
        assert_eq!(
            compare(&["000001 a"], &["000001 x"]),
            Err("member 1 is `000001 x`, but the test acknowledged `000001 a` there".into())
        );
        assert!(compare(&[], &[]).is_err(), "a test that acknowledged nothing proves nothing");
    }

    #[test]
    fn gnu_tar_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("drive.img");
        std::fs::write(&image, vec![0x55; 4096]).unwrap();
        let garbled = judge("log", &image, &["# ack 000001 a".into()]).unwrap_err();
        assert!(garbled.starts_with("the host's `tar tf` cannot read drive `log`'s image"), "{garbled}");
        std::fs::write(&image, vec![0; 4096]).unwrap();
        let empty = judge("log", &image, &["# ack 000001 a".into()]).unwrap_err();
        assert!(empty.contains("it lists 0 members, but the test acknowledged 1"), "{empty}");
    }
}
