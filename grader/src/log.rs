//! The serial log of a grading: `target/fledge/logs/<package>.log`.
//!
//! Boots may run at the same time, but the log is written once they are
//! all over, in boot order, so it reads like one boot after the other:
//!
//! ```text
//! ===== boot 1: from test 1, nonce 5fecfccbbd008fb9, Exited(35) after 0.77s =====
//! KTAP version 1                 <- COM1, byte for byte
//! ...
//! [... the grader cut 3151461 bytes here: ... ]     <- only after a flood
//! [QEMU said on stderr]          <- only if it did
//! ===== boot 2: from test 3, cpu max, nonce ..., Exited(33) after 0.88s =====
//! ```
//!
//! The header's shape is relied on by `scripts/repeat.sh`, which adds up
//! the `after ...s` of each boot.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::capture::{Capture, HEAD, TAIL};
use crate::qemu::{Accel, Ending};

/// One boot, as the log shows it.
pub struct Entry<'a> {
    /// Its number in the grading.
    pub number: usize,
    /// The first test it was asked to run.
    pub start: usize,
    /// Its CPU model, if not QEMU's default.
    pub cpu: Option<&'a str>,
    /// Its accelerator, when the log should say (a grading under KVM).
    pub accel: Option<Accel>,
    /// Its nonce.
    pub nonce: &'a str,
    /// How it ended.
    pub ending: Ending,
    /// How long it ran.
    pub elapsed: Duration,
    /// What it wrote on COM1.
    pub com1: &'a Capture,
    /// What QEMU said on standard error.
    pub stderr: &'a str,
}

/// A boot's COM1 output as one stream: the head, and after a cut the tail
/// on a line of its own.
pub fn output(com1: &Capture) -> Vec<u8> {
    let mut output = com1.head().to_vec();
    if com1.cut() > 0 {
        output.push(b'\n');
        output.extend_from_slice(&com1.tail());
    }
    output
}

/// Writes the log of `boots` to `path`, replacing the last one.
pub fn write(path: &Path, boots: &[Entry<'_>]) -> Result<()> {
    let folder = path.parent().context("the log's folder")?;
    fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let mut log = fs::File::create(path).with_context(|| format!("cannot write the serial log {}", path.display()))?;
    for boot in boots {
        entry(&mut log, boot).with_context(|| format!("cannot write the serial log {}", path.display()))?;
    }
    Ok(())
}

fn entry(log: &mut impl Write, boot: &Entry<'_>) -> std::io::Result<()> {
    let cpu = boot.cpu.map(|cpu| format!(", cpu {cpu}")).unwrap_or_default();
    let accel = boot.accel.map(|accel| format!(", {}", accel.name())).unwrap_or_default();
    writeln!(
        log,
        "===== boot {}: from test {}{cpu}{accel}, nonce {}, {:?} after {:.2}s =====",
        boot.number,
        boot.start,
        boot.nonce,
        boot.ending,
        boot.elapsed.as_secs_f64()
    )?;
    log.write_all(boot.com1.head())?;
    let mut last = boot.com1.head().last().copied();
    if boot.com1.cut() > 0 {
        write!(
            log,
            "\n[... the grader cut {} bytes here: a boot's log keeps its first {} MiB and its last {} MiB ...]\n",
            boot.com1.cut(),
            HEAD >> 20,
            TAIL >> 20
        )?;
        let tail = boot.com1.tail();
        log.write_all(&tail)?;
        last = tail.last().copied().or(Some(b'\n'));
    }
    if last.is_some_and(|b| b != b'\n') {
        log.write_all(b"\n")?;
    }
    if !boot.stderr.trim().is_empty() {
        writeln!(log, "[QEMU said on stderr]\n{}", boot.stderr.trim())?;
    }
    Ok(())
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn boots_follow_each_other_with_their_headers() {
        let mut first = Capture::new();
        first.push(b"KTAP version 1\nok 1 a");
        let second = Capture::new();
        let boot = |number, com1, stderr| Entry {
            number,
            start: number,
            cpu: (number == 2).then_some("max"),
            accel: None,
            nonce: "00ff",
            ending: Ending::Exited(33),
            elapsed: Duration::from_millis(1250),
            com1,
            stderr,
        };
        let mut log = Vec::new();
        for b in [boot(1, &first, ""), boot(2, &second, "warning: odd\n")] {
            entry(&mut log, &b).unwrap();
        }
        assert_eq!(
            String::from_utf8(log).unwrap(),
            "===== boot 1: from test 1, nonce 00ff, Exited(33) after 1.25s =====\nKTAP version 1\nok 1 a\n\
             ===== boot 2: from test 2, cpu max, nonce 00ff, Exited(33) after 1.25s =====\n\
             [QEMU said on stderr]\nwarning: odd\n"
        );
    }

    #[test]
    fn a_cut_is_marked_between_head_and_tail() {
        let mut com1 = Capture::with_limits(4, 3);
        com1.push(b"0123456789\n");
        let mut log = Vec::new();
        let boot = Entry {
            number: 1,
            start: 1,
            cpu: None,
            accel: Some(Accel::Tcg),
            nonce: "ab",
            ending: Ending::Flooded,
            elapsed: Duration::ZERO,
            com1: &com1,
            stderr: "",
        };
        entry(&mut log, &boot).unwrap();
        let text = String::from_utf8(log).unwrap();
        assert!(
            text.starts_with("===== boot 1: from test 1, tcg, nonce ab, Flooded after 0.00s =====\n0123\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "[... the grader cut 4 bytes here: a boot's log keeps its first 4 MiB and its last 1 MiB ...]\n89\n"
            ),
            "{text}"
        );
        assert_eq!(output(&com1), b"0123\n89\n");
    }
}
