//! Exercise manifests: `exercises/NN-slug/exercise.toml`.
//!
//! A manifest names the exercise, lists its tests with their points and
//! hints, and says what the grader must see from the host side (lines on a
//! serial port, a drive's image, the PCI functions QEMU attached) for a
//! test to count, and which devices its boots get (`devices.rs`). The tests themselves live in the
//! exercise's `tests/cases/`; the manifest only refers to them by name.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

pub mod devices;
pub mod net;
pub mod reference;
pub mod trace;
#[cfg(test)]
mod workflow;

pub use devices::{Device, DiskSpec, DriveSpec, Fill, KillsSpec, PciSpec, TarSpec};
pub use net::NetSpec;
pub use reference::Reference;
pub use trace::TraceSpec;

/// One exercise, as its manifest describes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The exercise's number, 1 for `exercises/01-serial`.
    pub number: u32,
    /// The short name after the number: `serial`.
    pub slug: String,
    /// A title for people.
    pub title: String,
    /// The book chapter that teaches it, relative to the repository root.
    pub chapter: String,
    /// How long the reference solution takes; the deadlines follow.
    #[serde(default)]
    pub reference: Reference,
    /// QEMU's CPU model for the kernel tests (`-cpu`), when QEMU's default
    /// (`qemu64` under TCG) will not do.
    #[serde(default)]
    pub cpu: Option<String>,
    /// The devices every kernel test's boots get (`devices.rs`); none by
    /// default.
    #[serde(default)]
    pub devices: Vec<Device>,
    /// The drives devices can attach, by name: `[drive.NAME]`.
    #[serde(default, rename = "drive")]
    pub drives: BTreeMap<String, DriveSpec>,
    /// The tests, in the order the scorecard shows them.
    #[serde(rename = "test")]
    pub tests: Vec<TestSpec>,
    /// Where the manifest was read from (filled in by [`Manifest::load`]).
    #[serde(skip)]
    pub dir: PathBuf,
}

/// Where a test runs.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `cargo test` on the host.
    Host,
    /// In the exercise's kernel, booted in QEMU.
    Qemu,
}

/// One graded test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// The test's name: a `Case` name for kernel tests; for host tests a
    /// `#[test]` function, by its name alone (`hello`) when no other host
    /// test has that name, or by its module path (`paging::hello`).
    pub name: String,
    /// Where it runs.
    pub kind: Kind,
    /// What it is worth.
    pub points: u32,
    /// Hints, most general first; a failure shows the first.
    #[serde(default)]
    pub hints: Vec<String>,
    /// Lines the test must print, checked from the host side.
    #[serde(default)]
    pub expect: Vec<Expect>,
    /// Whether the starter's holes make this test fail. The self-check holds
    /// every starter to failing the tests that say so.
    #[serde(default = "yes")]
    pub covers_hole: bool,
    /// The test must panic, and the kernel report it, like this.
    #[serde(default)]
    pub panic: Option<PanicSpec>,
    /// How the boot that reported this test must have ended.
    #[serde(default)]
    pub exit: Option<ExitSpec>,
    /// A CPU model for this test alone: it runs in boots of its own.
    #[serde(default)]
    pub cpu: Option<String>,
    /// Why this test's result is defined under TCG, QEMU's software
    /// emulation, only: with `--accel kvm` the grader says so before
    /// booting and still runs it under TCG, in boots of its own.
    #[serde(default)]
    pub tcg_only: Option<String>,
    /// A conformance suite whose output the grader checks on the host, with
    /// the suite's own check from `fledge-conformance`.
    #[serde(default)]
    pub conformance: Option<ConformanceSpec>,
    /// Checks of the scheduler trace the test dumps on COM2 (`trace.rs`).
    #[serde(default)]
    pub trace: Option<TraceSpec>,
    /// The devices this test's boots get, instead of the exercise's.
    #[serde(default)]
    pub devices: Option<Vec<Device>>,
    /// A check of a drive's image on the host, after the test passed.
    #[serde(default)]
    pub disk: Option<DiskSpec>,
    /// The PCI functions the test reports, checked against QEMU's list.
    #[serde(default)]
    pub pci: Option<PciSpec>,
    /// The members the host's `tar` finds on a drive, checked against the
    /// test's acknowledgements.
    #[serde(default)]
    pub tar: Option<TarSpec>,
    /// Boots of the test killed with SIGKILL before the graded one.
    #[serde(default)]
    pub kills: Option<KillsSpec>,
    /// What the grader does from the host to the kernel on the network.
    #[serde(default)]
    pub net: Option<NetSpec>,
}

/// `[test.conformance]`: the test runs one of `fledge-conformance`'s
/// suites on a device whose output only the host can see, and the grader
/// judges what arrived with the same crate's check. A kernel cannot read
/// back what its serial port sent, so the console suite writes its script
/// on COM2, and the grader runs `fledge_conformance::console::check_received`
/// on everything COM2 received.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConformanceSpec {
    /// Which suite.
    pub suite: Suite,
    /// Where its output arrives.
    pub port: Port,
}

/// The suites the grader can judge from the host side.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Suite {
    /// `fledge_conformance::console`: every byte, in order, nothing added.
    Console,
}

/// A kernel test that passes by panicking: its KTAP result must be
/// `not ok N name # panicked at FILE:LINE:COLUMN: MESSAGE`, and the boot
/// must end with the failure exit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanicSpec {
    /// The whole message.
    #[serde(default)]
    pub message: Option<String>,
    /// The message's beginning, when the rest varies (addresses).
    #[serde(default)]
    pub starts_with: Option<String>,
    /// A file of the exercise (`tests/cases/kernel.rs`): FILE must be it, and
    /// LINE must hold a `panic!`.
    #[serde(default)]
    pub at_panic_in: Option<String>,
}

/// The exit a boot ended with.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExitSpec {
    /// `isa-debug-exit` with 0x10: QEMU status 33.
    Success,
    /// `isa-debug-exit` with 0x11: QEMU status 35.
    Failure,
}

fn yes() -> bool {
    true
}

/// A line a kernel test must print.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The line, without its line end.
    pub line: String,
    /// The line is `line` repeated this many times.
    #[serde(default = "one")]
    pub repeat: usize,
    /// Where to look: `com1` (between the test's `# run` marker and its
    /// result line) or `com2` (anywhere in that port's output).
    #[serde(default)]
    pub port: Port,
}

fn one() -> usize {
    1
}

/// A serial port of the guest, as the grader captures it.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Port {
    /// COM1, shared with the KTAP report.
    #[default]
    Com1,
    /// COM2, which only the learner's code writes to.
    Com2,
}

impl Expect {
    /// The full expected line.
    pub fn text(&self) -> String {
        self.line.repeat(self.repeat)
    }
}

impl Manifest {
    /// Reads and checks `dir/exercise.toml`.
    pub fn load(dir: &Path) -> Result<Manifest> {
        let path = dir.join("exercise.toml");
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut manifest: Manifest =
            toml::from_str(&text).with_context(|| format!("{} is not a valid exercise manifest", path.display()))?;
        manifest.dir = dir.to_path_buf();
        let mut names = std::collections::HashSet::new();
        for test in &manifest.tests {
            if !names.insert(test.name.as_str()) {
                bail!("{}: test `{}` is listed twice", path.display(), test.name);
            }
            let kernel_only = !test.expect.is_empty()
                || test.conformance.is_some()
                || test.panic.is_some()
                || test.exit.is_some()
                || test.cpu.is_some()
                || test.tcg_only.is_some()
                || test.trace.is_some()
                || test.devices.is_some()
                || test.disk.is_some()
                || test.pci.is_some()
                || test.tar.is_some()
                || test.kills.is_some()
                || test.net.is_some();
            if test.kind == Kind::Host && kernel_only {
                bail!(
                    "{}: host test `{}` cannot expect serial output, a conformance check, a trace, a panic, an exit, a CPU model, TCG, \
                     devices, disk, PCI and tar checks, kills or the network: \
                     those are for `kind = \"qemu\"` tests; remove them from its [[test]] entry",
                    path.display(),
                    test.name
                );
            }
            if test.conformance.is_some_and(|c| c.port != Port::Com2) {
                bail!(
                    "{}: test `{}`: a conformance suite's output is checked on COM2 (COM1 carries the KTAP report): \
                     write `port = \"com2\"`",
                    path.display(),
                    test.name
                );
            }
            if let Some(problem) = test.trace.as_ref().and_then(TraceSpec::problem) {
                bail!("{}: test `{}`: {problem}", path.display(), test.name);
            }
            if let Some(panic) = &test.panic
                && panic.message.is_some() == panic.starts_with.is_some()
            {
                bail!(
                    "{}: test `{}` must give exactly one of panic.message and panic.starts_with",
                    path.display(),
                    test.name
                );
            }
        }
        manifest.check_devices(&path)?;
        Ok(manifest)
    }

    /// Makes every `[test.kills]` kill `count` boots (`--kills`); an error
    /// if the exercise has none.
    pub fn set_kills(&mut self, count: u32) -> Result<()> {
        let mut found = false;
        for kills in self.tests.iter_mut().filter_map(|t| t.kills.as_mut()) {
            kills.count = count;
            found = true;
        }
        if !found {
            bail!(
                "{} has no test whose boots are killed ([test.kills]): --kills is for exercise 10 and later",
                self.id()
            );
        }
        Ok(())
    }

    /// The devices a kernel test's boots get: its own list, or the
    /// exercise's.
    pub fn devices_of<'a>(&'a self, test: &'a TestSpec) -> &'a [Device] {
        test.devices.as_deref().unwrap_or(&self.devices)
    }

    /// The drives, the device lists and the disk checks (`devices.rs`);
    /// seed files' paths are made absolute.
    fn check_devices(&mut self, path: &Path) -> Result<()> {
        let at = path.display();
        devices::check_drives(&mut self.drives, &self.dir).map_err(|why| anyhow::anyhow!("{at}: {why}"))?;
        devices::check_list(&self.drives, &self.devices)
            .map_err(|why| anyhow::anyhow!("{at}: the exercise's `devices`: {why}"))?;
        for test in self.tests.iter().filter(|t| t.kind == Kind::Qemu) {
            let own = test.devices.as_deref().map_or(Ok(()), |list| devices::check_list(&self.drives, list));
            let attached = self.devices_of(test);
            let disk = test.disk.as_ref().map_or(Ok(()), |d| devices::check_disk(&self.drives, attached, d));
            let tar = test.tar.as_ref().map_or(Ok(()), |t| devices::check_tar(&self.drives, attached, t));
            let kills = test.kills.as_ref().map_or(Ok(()), |k| devices::check_kills(&self.drives, attached, k));
            let net = test.net.as_ref().map_or(Ok(()), |n| net::check(attached, n));
            own.and(disk)
                .and(tar)
                .and(kills)
                .and(net)
                .map_err(|why| anyhow::anyhow!("{at}: test `{}`: {why}", test.name))?;
        }
        Ok(())
    }

    /// `exercise-01`: what people type and what the JSON report says.
    pub fn id(&self) -> String {
        format!("exercise-{:02}", self.number)
    }

    /// `01-serial`: the folder name under `exercises/` and `solutions/`.
    pub fn folder(&self) -> String {
        format!("{:02}-{}", self.number, self.slug)
    }

    /// The cargo package of the starter or the solution.
    pub fn package(&self, solution: bool) -> String {
        let side = if solution { "solution" } else { "exercise" };
        format!("{side}-{}", self.folder())
    }

    /// The most points the exercise gives.
    pub fn max_score(&self) -> u32 {
        self.tests.iter().map(|t| t.points).sum()
    }

    /// Whether any test of this kind exists.
    pub fn has(&self, kind: Kind) -> bool {
        self.tests.iter().any(|t| t.kind == kind)
    }

    /// Whether `query` names this exercise: `exercise-01`, `01`, `1`,
    /// `serial`, `01-serial`.
    pub fn answers_to(&self, query: &str) -> bool {
        let query = query.trim().to_ascii_lowercase();
        let number = query.strip_prefix("exercise-").or_else(|| query.strip_prefix("ex")).unwrap_or(&query);
        number.parse::<u32>().is_ok_and(|n| n == self.number) || query == self.slug || query == self.folder()
    }
}

/// Every exercise under `root/exercises`, in number order.
pub fn discover(root: &Path) -> Result<Vec<Manifest>> {
    let dir = root.join("exercises");
    let mut manifests = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.join("exercise.toml").is_file() {
            manifests.push(Manifest::load(&path)?);
        }
    }
    manifests.sort_by_key(|m| m.number);
    Ok(manifests)
}

/// The exercise `query` names, or an error that lists the ones there are.
pub fn find(root: &Path, query: &str) -> Result<Manifest> {
    let all = discover(root)?;
    let names: Vec<String> = all.iter().map(|m| format!("{} ({})", m.id(), m.slug)).collect();
    match all.into_iter().find(|m| m.answers_to(query)) {
        Some(manifest) => Ok(manifest),
        None => bail!(
            "there is no exercise called `{query}`.\nThe exercises are: {}.\nTry `cargo grade exercise-01`, or `cargo grade` for the list.",
            names.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests;
