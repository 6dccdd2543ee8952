//! Killing boots on purpose (`[test.kills]`): a power cut, as near as a
//! grader can make one.
//!
//! A store that claims to survive a crash is tried by crashing it. Before
//! the boot that grades such a test, the grader boots the kernel on the
//! test's drive `count` times and kills each boot with SIGKILL a random
//! while (0 to `within_ms`) after its first `# ack` line: QEMU dies in the
//! middle of whatever request the guest had sent, and nothing of QEMU's
//! gets written afterwards. Each boot starts on the image the killed one
//! left; so does the graded boot.
//!
//! ```text
//!   kill 1: fresh image ── opens, acks 1..37 ── SIGKILL (212 ms after ack 1)
//!   kill 2: same image  ── "# opened at 000037", acks 38..90 ── SIGKILL
//!   graded: same image  ── "# opened at 000090", acks 91..600 ── ok
//! ```
//!
//! Each killed boot's COM1 is written beside the graded boot's files as
//! `kill-N.log`, its first line saying when the kill came, and
//! `judge::kills` holds every boot after a kill to what the one before
//! acknowledged.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use fledge_ktap::RunConfig;

use crate::devices::{self, Attach};
use crate::manifest::KillsSpec;
use crate::plan::Sequence;
use crate::qemu::{self, Accel, Ending, KillAt};
use crate::{image, log, net};

/// The line that arms the kill.
pub const ACK: &str = "# ack ";

/// The name of killed boot `n`'s COM1 in the graded boot's folder.
pub fn log_name(n: usize) -> String {
    format!("kill-{n}.log")
}

/// How to boot the test.
pub struct Killing<'a> {
    /// The QEMU binary.
    pub qemu: &'a Path,
    /// The kernel the disk images carry.
    pub kernel: &'a Path,
    /// Each boot's deadline (a boot that is never killed ends there).
    pub timeout: Duration,
    /// The accelerator and CPU model.
    pub accel: Accel,
    /// QEMU's `-cpu`, if any.
    pub cpu: Option<&'a str>,
    /// The boots' devices.
    pub devices: &'a [Attach],
    /// Copy COM1 to the terminal.
    pub echo: bool,
}

impl<'a> Killing<'a> {
    /// The killed boots of `sequence`, each booting `kernel` in `qemu`.
    pub fn of(sequence: &'a Sequence, qemu: &'a Path, kernel: &'a Path, timeout: Duration, echo: bool) -> Killing<'a> {
        let (accel, cpu, devices) = (sequence.accel, sequence.cpu.as_deref(), &sequence.devices[..]);
        Killing { qemu, kernel, timeout, accel, cpu, devices, echo }
    }
}

/// What the killed boots left.
pub struct Killed {
    /// The drive's image after the last kill.
    pub image: PathBuf,
    /// Each killed boot's log: a first line, then its COM1.
    pub logs: Vec<Vec<u8>>,
    /// The folder the boots ran in, removed by [`carry`].
    work: PathBuf,
}

/// Boots the test `spec.count` times in `work`, running the tests `only`
/// names, killing each boot.
pub fn run(how: &Killing<'_>, spec: &KillsSpec, only: Option<&str>, work: &Path) -> Result<Killed> {
    let _ = fs::remove_dir_all(work);
    let mut previous: Option<PathBuf> = None;
    let mut logs = Vec::new();
    for n in 1..=spec.count as usize {
        let dir = work.join(n.to_string());
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let nonce = image::nonce()?;
        let config = RunConfig { nonce: &nonce, start: 1, only };
        let boot_image = image::build(how.kernel, &config, &dir)?;
        // A card's network too, if the boots have one (it stays up until
        // the boot is killed).
        let (args, network) = net::prepare(how.devices, &dir, None)?;
        let drive = devices::image_path(&dir, &spec.drive);
        if let Some(previous) = &previous {
            fs::copy(previous, &drive)
                .with_context(|| format!("cannot copy {} to {}", previous.display(), drive.display()))?;
        }
        let delay = Duration::from_millis(random_below(spec.within_ms + 1)?);
        let request = qemu::Request {
            image: &boot_image,
            com2: &dir.join("com2.log"),
            timeout: how.timeout,
            accel: how.accel,
            echo: how.echo,
            events: &dir.join("qemu-events.log"),
            gdb: None,
            cpu: how.cpu,
            devices: &args,
            pci: None,
            kill: Some(KillAt { marker: ACK, delay }),
            ready: None,
        };
        if how.echo {
            eprintln!(
                "----- killed boot {n} of {}: SIGKILL {} ms after the first `{}` -----",
                spec.count,
                delay.as_millis(),
                ACK.trim()
            );
        }
        let boot = qemu::boot(how.qemu, &request)?;
        drop(network);
        if boot.ending == Ending::Interrupted {
            anyhow::bail!("interrupted: QEMU was stopped");
        }
        let how_it_ended = match boot.ending {
            Ending::Killed => {
                format!("killed with SIGKILL {} ms after its first `{}` line", delay.as_millis(), ACK.trim())
            }
            other => format!("ended before the kill came ({other:?}) after {:.2}s", boot.elapsed.as_secs_f64()),
        };
        let mut text = format!("# killed boot {n}: {how_it_ended}\n").into_bytes();
        text.extend_from_slice(&log::output(&boot.com1));
        logs.push(text);
        previous = Some(drive);
    }
    let image = previous.context("a [test.kills] boots at least once")?;
    Ok(Killed { image, logs, work: work.to_path_buf() })
}

/// Puts what the killed boots left into the graded boot's folder
/// `boot_dir`, after its devices were prepared: the drive's image over the
/// fresh one, and the logs. Then removes their folder.
pub fn carry(killed: &Killed, spec: &KillsSpec, boot_dir: &Path) -> Result<()> {
    let drive = devices::image_path(boot_dir, &spec.drive);
    fs::copy(&killed.image, &drive)
        .with_context(|| format!("cannot copy {} to {}", killed.image.display(), drive.display()))?;
    for (i, text) in killed.logs.iter().enumerate() {
        let path = boot_dir.join(log_name(i + 1));
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let _ = fs::remove_dir_all(&killed.work);
    Ok(())
}

/// A random number below `n`.
fn random_below(n: u64) -> Result<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for the kill's moment: {e}"))?;
    Ok(u64::from_le_bytes(bytes) % n.max(1))
}
