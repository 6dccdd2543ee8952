//! Every test's hints are a ladder whose first rung does not give the
//! answer away.
//!
//! The scorecard shows the first hint of a failing test; `--hint` climbs to
//! the next ones (`grader/src/hints.rs`). So the first hint must name the
//! idea and the place to look, never the code that fills the hole. For every
//! test of every `exercises/*/exercise.toml` this checks:
//!
//! - it has 2 to 4 hints;
//! - the first names the exercise's chapter and a section of it that exists
//!   (`book/src/ch01-serial.md, section "..."`), which the scorecard points
//!   to once every rung is shown;
//! - no backticked span of the first hint that looks like code occurs in
//!   the answer. A span looks like code when it is not a plain identifier:
//!   `s.as_bytes()`, `Uart16550::new_port`, `x & 1`, `0x43` do; `write_str`
//!   does not. The answer is every line of the upstream crate (the one the
//!   solution package runs the tests on: its `extern crate fledge_x as y`,
//!   or `fledge-boot` for exercise 02) that is code, not comment, and that
//!   the starter's file of the same name does not have: the lines a learner
//!   has to write. Lines the starter already has, such as the given code
//!   that calls `SerialConsole::new(COM1)`, do not count, so a first hint
//!   may name the function to fill in.
//!
//! What it cannot catch: an answer given in prose ("hand the string's bytes
//! to the console"), or in a single name (`trailing_zeros`), or not in
//! backticks, or spelt differently from upstream (other spacing, other
//! variable names, an equivalent expression upstream does not use). It
//! keeps the first rungs honest about code; reading them is still a
//! reviewer's job.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// One test's hints, from its manifest.
struct Ladder {
    exercise: String,
    test: String,
    hints: Vec<String>,
}

/// Every exercise folder, its chapter, and its tests' hints.
fn manifests() -> Vec<(String, String, Vec<Ladder>)> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root().join("exercises")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = fs::read_to_string(dir.join("exercise.toml")) else { continue };
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        let manifest: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{folder}: {e}"));
        let ladders = manifest["test"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| Ladder {
                exercise: folder.clone(),
                test: t["name"].as_str().unwrap().to_string(),
                hints: t
                    .get("hints")
                    .and_then(|h| h.as_array())
                    .map(|h| h.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default(),
            })
            .collect();
        found.push((folder, manifest["chapter"].as_str().unwrap().to_string(), ladders));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!found.is_empty(), "no exercise manifests under exercises/");
    found
}

/// The `src/` folder of the upstream crate exercise `folder`'s solution
/// runs its tests on.
fn upstream_src(folder: &str) -> PathBuf {
    let main = fs::read_to_string(root().join("solutions").join(folder).join("src/main.rs")).unwrap();
    // `extern crate fledge_x as x;` (not `extern crate alloc;`).
    let krate = main
        .lines()
        .filter_map(|line| line.trim().strip_prefix("extern crate "))
        .find(|rest| rest.contains(" as "))
        .map(|rest| rest.split_whitespace().next().unwrap().to_string())
        .unwrap_or_else(|| "fledge_boot".to_string());
    let workspace = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let key = format!("{} = {{ path = \"", krate.replace('_', "-"));
    let path = workspace
        .lines()
        .find_map(|l| l.strip_prefix(&key))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{krate} is not a path dependency of the workspace"));
    root().join(path).join("src")
}

/// The code lines of a Rust file: comments cut off, trimmed, none empty.
fn code_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code).trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

/// Every `.rs` file under `dir`, relative to it.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        for entry in fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    files
}

/// The answer to exercise `folder`: the upstream code lines its starter
/// does not have, file by file.
fn answer(folder: &str) -> Vec<String> {
    let starter = root().join("exercises").join(folder).join("src");
    let upstream = upstream_src(folder);
    let mut lines = Vec::new();
    for file in rust_files(&starter) {
        let Ok(theirs) = fs::read_to_string(upstream.join(&file)) else { continue };
        let ours: BTreeSet<String> =
            code_lines(&fs::read_to_string(starter.join(&file)).unwrap()).into_iter().collect();
        lines.extend(code_lines(&theirs).into_iter().filter(|line| !ours.contains(line)));
    }
    assert!(!lines.is_empty(), "{folder}: found no answer in {}", upstream.display());
    lines
}

/// The backticked spans of `hint` that look like code: anything but a plain
/// identifier.
fn code_spans(hint: &str) -> Vec<&str> {
    let plain = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    hint.split('`').skip(1).step_by(2).filter(|span| !span.is_empty() && !plain(span)).collect()
}

/// The code-like spans of `hint` that occur in one of `answer`'s lines,
/// each with the line.
fn giveaways<'a>(hint: &'a str, answer: &'a [String]) -> Vec<(&'a str, &'a str)> {
    code_spans(hint)
        .into_iter()
        .filter_map(|span| answer.iter().find(|line| line.contains(span)).map(|line| (span, line.as_str())))
        .collect()
}

/// The headings of a chapter, without their `#`s.
fn headings(chapter: &str) -> BTreeSet<String> {
    let text = fs::read_to_string(root().join(chapter)).unwrap_or_else(|e| panic!("{chapter}: {e}"));
    text.lines().filter(|l| l.starts_with('#')).map(|l| l.trim_start_matches('#').trim().to_string()).collect()
}

/// The section a first hint names: `section "..."`.
fn section(hint: &str) -> Option<&str> {
    let (_, rest) = hint.split_once("section \"")?;
    rest.split_once('"').map(|(section, _)| section)
}

#[test]
fn every_test_has_a_ladder_of_two_to_four_hints() {
    let mut wrong = Vec::new();
    for (_, _, ladders) in manifests() {
        for l in ladders {
            if !(2..=4).contains(&l.hints.len()) {
                wrong.push(format!("{}: {} has {} hints", l.exercise, l.test, l.hints.len()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "every test needs 2 to 4 hints, the first general, the last near-code:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_first_hint_names_a_section_of_the_chapter() {
    let mut wrong = Vec::new();
    for (_, chapter, ladders) in manifests() {
        let headings = headings(&chapter);
        for l in ladders {
            let Some(first) = l.hints.first() else { continue };
            match section(first) {
                _ if !first.contains(&chapter) => {
                    wrong.push(format!("{}: {} does not name {chapter}", l.exercise, l.test))
                }
                None => wrong.push(format!("{}: {} names no `section \"...\"`", l.exercise, l.test)),
                Some(s) if !headings.contains(s) => wrong
                    .push(format!("{}: {} names section \"{s}\", which {chapter} does not have", l.exercise, l.test)),
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_first_hint_holds_code_from_the_answer() {
    let mut wrong = Vec::new();
    for (folder, _, ladders) in manifests() {
        let answer = answer(&folder);
        for l in ladders {
            let Some(first) = l.hints.first() else { continue };
            for (span, line) in giveaways(first, &answer) {
                wrong.push(format!("{}: {}: `{span}` is in the answer: {line}", l.exercise, l.test));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a first hint names the idea and the place; code from the answer belongs on a later rung:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_catches_a_first_hint_that_gives_the_answer_away() {
    // Exercise 01's first hint before the hints became ladders.
    let old = "Fill in `ConsoleWriter::write_str` in src/print.rs: hand `s.as_bytes()` to `self.console.write_bytes`.";
    let answer = answer("01-serial");
    let found: Vec<&str> = giveaways(old, &answer).into_iter().map(|(span, _)| span).collect();
    assert_eq!(found, ["s.as_bytes()", "self.console.write_bytes"]);
    // The name of the function to fill in is not a giveaway, nor is given
    // code the starter already has.
    assert!(giveaways("Fill in `ConsoleWriter::write_str` and `SerialConsole::new`.", &answer).is_empty());
    assert_eq!(code_spans("`write_str`, `a.b`, `x & 1`, `0x43`, ``"), ["a.b", "x & 1", "0x43"]);
}
