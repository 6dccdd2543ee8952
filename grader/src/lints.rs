//! The compiler's and clippy's warnings about the learner's files, for
//! the scorecard's notes. They are worth no points, but the workspace's
//! lints (every `unsafe` block with a `// SAFETY:` comment, no `#[must_use]`
//! value dropped) are how the rest of Fledge is written, so the scorecard
//! shows the first few.
//!
//! One `cargo clippy` of the package's targets (library, binaries, tests),
//! for the host, with JSON messages; it runs beside the boots. After half a
//! second it drops to the lowest CPU priority: only the first clippy,
//! which checks every dependency, takes that long, and it must not slow a
//! boot towards its deadline. Only warnings whose primary
//! place is in the learner's folder (`exercises/NN-name/`) count: none for
//! the upstream crates a solution runs on. On a regrade cargo replays the
//! warnings it kept: 0.1 s.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::Value;

use crate::child;

/// At most this many warnings are quoted; the last note gives the count.
pub const SHOWN: usize = 3;

/// One warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The file, relative to the repository.
    pub file: String,
    /// The line.
    pub line: u64,
    /// What the compiler or clippy said, first line only.
    pub message: String,
    /// The lint's name (`unused_variables`, `clippy::undocumented_unsafe_blocks`).
    pub lint: Option<String>,
}

/// The command that lists the warnings, for people.
pub fn command(package: &str) -> String {
    format!("cargo clippy -p {package} --all-targets")
}

/// Runs clippy on `package` and returns the warnings located under `own`
/// (a folder relative to `root`, like `exercises/01-serial/`), in the order
/// given, once each. A clippy that cannot run gives no warnings: the notes
/// are a courtesy, never a reason to fail a grading.
pub fn warnings(root: &Path, package: &str, own: &str) -> Result<Vec<Warning>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root).args(["clippy", "--package", package, "--all-targets"]);
    cmd.args(["--message-format", "json", "--color", "never", "--quiet"]);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    let start = Instant::now();
    let mut child = child::spawn(&mut cmd).context("cannot run cargo clippy")?;
    let stdout = child.stdout.take().context("cargo clippy's output")?;
    let own = own.to_string();
    let reader = thread::spawn(move || {
        let mut found = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(warning) = parse(&line, &own)
                && !found.contains(&warning)
            {
                found.push(warning);
            }
        }
        found
    });
    // A regrade's clippy is done in a fraction of a second at full speed;
    // one still checking after that is checking the dependencies, the
    // first time, and makes way for the boots.
    child::wait_lowering(&mut child, start, Duration::from_secs(600), Duration::from_millis(500), 19, &mut || {})?;
    Ok(reader.join().unwrap_or_default())
}

/// A warning from one line of cargo's JSON output, if it is one under `own`.
fn parse(line: &str, own: &str) -> Option<Warning> {
    let message: Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-message" || message["message"]["level"] != "warning" {
        return None;
    }
    let message = &message["message"];
    let spans = message["spans"].as_array()?;
    let primary = spans.iter().find(|s| s["is_primary"] == true)?;
    let file = primary["file_name"].as_str()?;
    if !file.starts_with(own) {
        return None;
    }
    Some(Warning {
        file: file.to_string(),
        line: primary["line_start"].as_u64().unwrap_or(0),
        message: message["message"].as_str()?.lines().next().unwrap_or("").to_string(),
        lint: message["code"]["code"].as_str().map(str::to_string),
    })
}

/// The scorecard's notes for `warnings`: the first [`SHOWN`], then the
/// count and the command that shows them all.
pub fn notes(warnings: &[Warning], package: &str) -> Vec<String> {
    if warnings.is_empty() {
        return Vec::new();
    }
    let mut notes: Vec<String> = warnings
        .iter()
        .take(SHOWN)
        .map(|w| {
            let lint = w.lint.as_ref().map(|l| format!(" [{l}]")).unwrap_or_default();
            format!("warning at {}:{}: {}{lint}", w.file, w.line, w.message)
        })
        .collect();
    let count = match warnings.len() {
        1 => "1 warning".to_string(),
        n if n > SHOWN => format!("{n} warnings ({} more not shown)", n - SHOWN),
        n => format!("{n} warnings"),
    };
    notes.push(format!(
        "{count} from the compiler and clippy in your files, worth no points; `{}` explains each",
        command(package)
    ));
    notes
}

#[cfg(test)]
mod test {
    use super::*;

    fn message(file: &str, level: &str) -> String {
        format!(
            r#"{{"reason":"compiler-message","message":{{"message":"unused variable: `x`\nmore","level":"{level}","code":{{"code":"unused_variables"}},"spans":[{{"file_name":"{file}","line_start":7,"is_primary":true}}]}}}}"#
        )
    }

    #[test]
    fn only_warnings_in_the_learners_files_count() {
        let own = "exercises/01-serial/";
        let found = parse(&message("exercises/01-serial/src/uart.rs", "warning"), own).unwrap();
        assert_eq!(
            found,
            Warning {
                file: "exercises/01-serial/src/uart.rs".into(),
                line: 7,
                message: "unused variable: `x`".into(),
                lint: Some("unused_variables".into())
            }
        );
        assert_eq!(parse(&message("kernel/pc/serial/src/uart.rs", "warning"), own), None, "upstream");
        assert_eq!(parse(&message("exercises/01-serial/src/uart.rs", "error"), own), None, "not a warning");
        assert_eq!(parse(r#"{"reason":"compiler-artifact"}"#, own), None);
        assert_eq!(parse("not json", own), None);
    }

    #[test]
    fn a_few_are_quoted_and_all_are_counted() {
        let one = Warning { file: "e/a.rs".into(), line: 3, message: "m".into(), lint: None };
        assert!(notes(&[], "p").is_empty());
        let shown = notes(&vec![one.clone(); 5], "exercise-01-serial");
        assert_eq!(shown.len(), SHOWN + 1);
        assert_eq!(shown[0], "warning at e/a.rs:3: m");
        assert!(shown[SHOWN].starts_with("5 warnings (2 more not shown) from the compiler and clippy"), "{shown:?}");
        assert!(shown[SHOWN].contains("`cargo clippy -p exercise-01-serial --all-targets`"));
    }
}
