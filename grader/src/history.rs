//! The last score of each exercise, for `cargo grade` with no arguments.
//!
//! Kept in `target/fledge/scores.json`, beside everything else the grader
//! builds, so `cargo clean` forgets it along with the builds.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::report::Report;

/// One remembered grading.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// Points earned.
    pub score: u32,
    /// Points possible.
    pub max_score: u32,
    /// The verdict word.
    pub verdict: String,
    /// Seconds since the Unix epoch.
    pub when: u64,
}

fn path(root: &Path) -> PathBuf {
    root.join("target").join("fledge").join("scores.json")
}

/// Every remembered grading of the learner's work, by exercise id.
pub fn load(root: &Path) -> BTreeMap<String, Entry> {
    // A missing or damaged file just means no history yet.
    fs::read(path(root)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

/// Remembers a grading of the learner's work.
pub fn record(root: &Path, report: &Report) -> Result<()> {
    let mut all = load(root);
    let when = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    all.insert(
        report.exercise.clone(),
        Entry { score: report.score, max_score: report.max_score, verdict: report.verdict.as_str().into(), when },
    );
    let file = path(root);
    fs::create_dir_all(file.parent().context("scores folder")?)?;
    // Write beside, then rename: an interrupted write never leaves half a file.
    let tmp = file.with_extension("json.tmp");
    fs::write(&tmp, serde_json::to_vec_pretty(&all)?)?;
    fs::rename(&tmp, &file).with_context(|| format!("cannot update {}", file.display()))
}

/// "3 minutes ago", for the progress table.
pub fn ago(when: u64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(when);
    let secs = now.saturating_sub(when);
    match secs {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86400 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86400),
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::report::Verdict;

    #[test]
    fn remembers_the_last_grading_per_exercise() {
        let root = tempfile::tempdir().unwrap();
        assert!(load(root.path()).is_empty());
        let mut report = Report::new("exercise-01".into(), String::new(), Vec::new());
        report.score = 3;
        report.max_score = 17;
        record(root.path(), &report).unwrap();
        report.score = 17;
        report.verdict = Verdict::Passed;
        record(root.path(), &report).unwrap();
        let all = load(root.path());
        assert_eq!(all.len(), 1);
        assert_eq!(all["exercise-01"].score, 17);
        assert_eq!(all["exercise-01"].verdict, "passed");
    }

    #[test]
    fn a_damaged_file_is_no_history() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("target/fledge")).unwrap();
        fs::write(path(root.path()), b"{not json").unwrap();
        assert!(load(root.path()).is_empty());
    }

    #[test]
    fn ages_read_like_speech() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(ago(now), "just now");
        assert_eq!(ago(now - 180), "3 min ago");
        assert_eq!(ago(now - 3 * 86400), "3 days ago");
    }
}
