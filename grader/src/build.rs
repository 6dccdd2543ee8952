//! The build stage: running cargo for the grader, to build kernels and
//! host tests. Builds run one after the other, before anything boots (cargo
//! takes a lock on `target/` anyway).
//!
//! Cargo's own messages go to a spinner line (on a terminal), so a long
//! first build shows what it is doing; its machine-readable output says
//! where the built files are. On failure the compiler's errors are kept to
//! show the learner, file and line included.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

/// The bare-metal target every kernel is built for.
pub const KERNEL_TARGET: &str = "x86_64-unknown-none";

/// The cargo profile kernels are built with (see the workspace manifest).
pub const KERNEL_PROFILE: &str = "kernel";

/// A build that did not compile: the compiler's messages.
#[derive(Debug)]
pub struct BuildFailure {
    /// Cargo's and rustc's error output.
    pub messages: String,
}

/// What to show while cargo works.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A spinner on a terminal, a line otherwise.
    Show,
    /// Nothing (for `--json`).
    Quiet,
}

/// The cargo that runs us (cargo sets `CARGO` for `cargo run`), or the one
/// on the PATH.
fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map(PathBuf::from).unwrap_or_else(|| "cargo".into())
}

/// The profile `--gdb` builds kernels with: [`KERNEL_PROFILE`] plus debug
/// info.
pub const DEBUG_PROFILE: &str = "kernel-debug";

/// Builds `package`'s kernel binary with `profile` and returns the ELF's
/// path.
pub fn kernel(root: &Path, package: &str, profile: &str, progress: Progress) -> Result<Result<PathBuf, BuildFailure>> {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args(["build", "--package", package, "--bin", package]);
    cmd.args(["--target", KERNEL_TARGET, "--profile", profile]);
    let artifacts = run(cmd, &format!("building the {package} kernel"), progress)?;
    Ok(artifacts.map(|found| found.into_iter().find(|a| a.kind == "bin").map(|a| a.path)).and_then(|exe| {
        exe.ok_or_else(|| BuildFailure { messages: format!("cargo built {package} but named no kernel binary") })
    }))
}

/// Builds `package`'s `host` test binary and returns its path.
pub fn host_tests(root: &Path, package: &str, progress: Progress) -> Result<Result<PathBuf, BuildFailure>> {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root).args(["test", "--no-run", "--package", package, "--test", "host"]);
    let artifacts = run(cmd, &format!("building {package}'s host tests"), progress)?;
    Ok(artifacts.map(|found| found.into_iter().find(|a| a.kind == "test").map(|a| a.path)).and_then(|exe| {
        exe.ok_or_else(|| BuildFailure { messages: format!("cargo built {package} but named no host test binary") })
    }))
}

/// An executable cargo reported building.
struct Artifact {
    kind: String,
    path: PathBuf,
}

/// Runs a cargo command with JSON messages, showing progress, and collects
/// the executables it built.
fn run(mut cmd: Command, what: &str, progress: Progress) -> Result<Result<Vec<Artifact>, BuildFailure>> {
    cmd.args(["--message-format", "json-render-diagnostics", "--color", "never"]);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let spinner = spinner(what, progress);
    let mut child = cmd.spawn().context("cannot run cargo")?;
    let stdout = child.stdout.take().context("cargo's standard output")?;
    let stderr = child.stderr.take().context("cargo's standard error")?;

    let status_line = spinner.clone();
    let messages = thread::spawn(move || {
        let mut messages = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let trimmed = line.trim_start();
            if ["Compiling", "Building", "Checking", "Downloading", "Updating"].iter().any(|w| trimmed.starts_with(w)) {
                status_line.set_message(trimmed.to_string());
            }
            messages.push_str(&line);
            messages.push('\n');
        }
        messages
    });
    let mut artifacts = Vec::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        if let Some(path) = message["executable"].as_str() {
            let kind = message["target"]["kind"][0].as_str().unwrap_or_default().to_string();
            artifacts.push(Artifact { kind, path: PathBuf::from(path) });
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    let messages = messages.join().unwrap_or_default();
    spinner.finish_and_clear();
    if status.success() {
        Ok(Ok(artifacts))
    } else if messages.contains("error") {
        Ok(Err(BuildFailure { messages }))
    } else {
        bail!("cargo failed without saying why ({status}):\n{messages}")
    }
}

fn spinner(what: &str, progress: Progress) -> ProgressBar {
    if progress == Progress::Quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if bar.is_hidden() {
        // Not a terminal: one line, so a CI log still says what is slow.
        eprintln!("{what}...");
    }
    bar.set_style(
        ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_prefix(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The first compiler errors of a failed build, for the scorecard.
pub fn first_errors(messages: &str, max_lines: usize) -> String {
    let start = messages.find("error").unwrap_or(0);
    let text = &messages[start..];
    let lines: Vec<&str> = text.lines().collect();
    let mut shown = lines[..lines.len().min(max_lines)].join("\n");
    if lines.len() > max_lines {
        shown.push_str(&format!("\n... ({} more lines)", lines.len() - max_lines));
    }
    shown
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn first_errors_starts_at_the_first_error_and_is_capped() {
        let messages = "   Compiling a\nerror[E0308]: mismatched types\n --> src/lib.rs:1:1\n1\n2\n3\n";
        assert_eq!(
            first_errors(messages, 2),
            "error[E0308]: mismatched types\n --> src/lib.rs:1:1\n... (3 more lines)"
        );
        assert_eq!(first_errors("no problems", 5), "no problems");
    }
}
