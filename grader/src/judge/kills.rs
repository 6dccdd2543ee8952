//! Judging a `[test.kills]` test: no boot after a kill may open the store
//! at a commit older than the last one acknowledged before it.
//!
//! ```text
//! kill-1.log   # opened at 000000   # ack 000001 ... # ack 000037   (SIGKILL)
//! kill-2.log   # opened at 000037   ...              # ack 000090   (SIGKILL)
//! graded boot  # opened at 000089   ──> "commit 000090 was acknowledged before kill 2, but the next boot opened at 000089"
//! ```
//!
//! The kernel's own test checks what every commit on the disk holds; the
//! host checks what the kernel cannot know after a reboot: what it had
//! promised before it died.

use std::fs;
use std::path::Path;

use crate::kills::{self, ACK};
use crate::manifest::KillsSpec;

/// The line a boot prints when its store has opened.
pub const OPENED: &str = "# opened at ";

/// What one boot said.
#[derive(Debug, Default, PartialEq, Eq)]
struct Said {
    /// The commit the store opened at.
    opened: Option<u32>,
    /// The last acknowledged commit, and its line.
    last_ack: Option<(u32, String)>,
    /// The test failed in this boot: the `# ` lines before `not ok`.
    failed: Option<String>,
}

fn id_after(line: &str, prefix: &str) -> Option<u32> {
    line.strip_prefix(prefix)?.get(..6)?.parse().ok()
}

fn read(lines: &[&str]) -> Said {
    let mut said = Said::default();
    for (i, line) in lines.iter().enumerate() {
        if said.opened.is_none() {
            said.opened = id_after(line, OPENED);
        }
        if let Some(id) = id_after(line, ACK) {
            said.last_ack = Some((id, line.to_string()));
        }
        if line.starts_with("not ok ") && said.failed.is_none() {
            let before: Vec<&str> = lines[..i]
                .iter()
                .rev()
                .filter(|l| l.starts_with("# ") && !l.starts_with(ACK))
                .take(2)
                .copied()
                .collect();
            said.failed = Some(before.into_iter().rev().collect::<Vec<_>>().join(" / "));
        }
    }
    said
}

/// Checks the killed boots' logs in `boot_dir` and the graded boot's
/// `output`; on success, a sentence for the scorecard's notes. A failure
/// names the folder of the killed boots' logs.
pub fn judge(spec: &KillsSpec, boot_dir: &Path, output: &[String]) -> Result<String, String> {
    examine(spec, boot_dir, output).map_err(|why| {
        format!("{why}. The killed boots' serial output is in {}", boot_dir.join("kill-N.log").display())
    })
}

fn examine(spec: &KillsSpec, boot_dir: &Path, output: &[String]) -> Result<String, String> {
    let mut boots = Vec::new();
    for n in 1..=spec.count as usize {
        let path = boot_dir.join(kills::log_name(n));
        let text = fs::read(&path).map_err(|e| format!("cannot read killed boot {n}'s log {}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&text).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        boots.push((lines.first().map(|l| l.to_string()).unwrap_or_default(), read(&lines)));
    }
    let graded: Vec<&str> = output.iter().map(String::as_str).collect();
    let graded = read(&graded);
    let mut promised = Vec::new();
    for (i, (header, said)) in boots.iter().enumerate() {
        let n = i + 1;
        if let Some(why) = &said.failed {
            return Err(format!("in killed boot {n} (after {} kills) the test failed: {why}", n - 1));
        }
        let next = boots.get(n).map_or(&graded, |(_, s)| s);
        let next_name = if n < boots.len() { format!("killed boot {}", n + 1) } else { "the graded boot".into() };
        let Some(opened) = next.opened else {
            return Err(format!("{next_name} never printed `{OPENED}ID`: the store did not open after kill {n}"));
        };
        if let Some((acked, line)) = &said.last_ack {
            if opened < *acked {
                return Err(format!(
                    "commit {acked:06} was acknowledged (`{line}`) before kill {n}, but {next_name} opened the store at {opened:06}: \
                     an acknowledged commit was lost. Killed boot {n}: {}",
                    header.trim_start_matches("# ")
                ));
            }
            promised.push(format!("{acked:06}"));
        } else {
            promised.push("nothing".into());
        }
    }
    let killed = boots.iter().filter(|(header, _)| header.contains("killed with SIGKILL")).count();
    let early = match spec.count as usize - killed {
        0 => String::new(),
        n => format!(" ({n} of the boots ended before their kill came)"),
    };
    Ok(format!(
        "{killed} SIGKILLs{early}; acknowledged before each: {}; every boot after opened with all of them",
        promised.join(", ")
    ))
}

#[cfg(test)]
mod test {
    use super::*;

    fn spec(count: u32) -> KillsSpec {
        KillsSpec { drive: "log".into(), count, within_ms: 10 }
    }

    fn write(dir: &Path, n: usize, text: &str) {
        fs::write(dir.join(kills::log_name(n)), text).unwrap();
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn a_lost_acknowledgement_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            1,
            "# killed boot 1: killed with SIGKILL 3 ms after\n# opened at 000000\n# ack 000001 a\n# ack 000002 b\n",
        );
        write(dir.path(), 2, "# killed boot 2: ended before the kill came\n# opened at 000002\n# ack 000003 c\n");
        let fine = examine(&spec(2), dir.path(), &lines("# opened at 000003\n# ack 000004 d"));
        let note = "1 SIGKILLs (1 of the boots ended before their kill came); acknowledged before each: 000002, 000003; \
                    every boot after opened with all of them";
        assert_eq!(fine, Ok(note.into()));
        let lost = examine(&spec(2), dir.path(), &lines("# opened at 000002")).unwrap_err();
        assert!(lost.starts_with("commit 000003 was acknowledged (`# ack 000003 c`) before kill 2, but the graded boot opened the store at 000002"), "{lost}");
        write(dir.path(), 2, "# killed boot 2: killed\n# opened at 000001\n");
        let lost = judge(&spec(2), dir.path(), &lines("# opened at 000003")).unwrap_err();
        assert!(
            lost.ends_with(&format!(
                "The killed boots' serial output is in {}",
                dir.path().join("kill-N.log").display()
            ))
        );
        assert!(lost.contains("before kill 1, but killed boot 2 opened the store at 000001"), "{lost}");
    }

    #[test]
    fn a_boot_that_fails_or_never_opens_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), 1, "# opened at 000000\n# ack 000001 a\n");
        let never = examine(&spec(1), dir.path(), &lines("# something else")).unwrap_err();
        assert_eq!(never, "the graded boot never printed `# opened at ID`: the store did not open after kill 1");
        write(
            dir.path(),
            1,
            "# opened at 000000\n# ack 000001 a\n# panicked at src/log.rs:9:5:\n# index out of range\nnot ok 1 survives\n",
        );
        let failed = examine(&spec(1), dir.path(), &lines("# opened at 000001")).unwrap_err();
        assert_eq!(
            failed,
            "in killed boot 1 (after 0 kills) the test failed: # panicked at src/log.rs:9:5: / # index out of range"
        );
        let missing = examine(&spec(2), dir.path(), &[]).unwrap_err();
        assert!(missing.starts_with("cannot read killed boot 2's log"), "{missing}");
    }
}
