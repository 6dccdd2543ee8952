//! `cargo grade 02 --hint`, three times, on exercise 02's starter: each
//! run reveals the next rung of the first failing test and keeps the ones
//! before, and every other failing test shows its first rung only.
//!
//! Exercise 02's first test is a host test with four hints, and its kernel
//! makes three short boots: the cheapest exercise whose first failing test
//! has a ladder of four. The runs use the repository's own
//! `target/fledge/`, so the test puts back the hints and scores it found
//! there when it is done, whatever happens.

mod harness;

use std::path::PathBuf;
use std::process::Command;

use harness::root;

/// Puts a file back as it was (or removes it, if it was not there) when
/// dropped.
struct Restore {
    path: PathBuf,
    before: Option<Vec<u8>>,
}

impl Restore {
    fn new(path: PathBuf) -> Restore {
        let before = std::fs::read(&path).ok();
        Restore { path, before }
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = match &self.before {
            Some(bytes) => std::fs::write(&self.path, bytes),
            None => std::fs::remove_file(&self.path),
        };
    }
}

/// The first failing test of exercise 02 and its hints, from the manifest.
fn first_ladder() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(root().join("exercises/02-panic/exercise.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let first = &manifest["test"].as_array().unwrap()[0];
    let hints = first["hints"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect();
    (first["name"].as_str().unwrap().to_string(), hints)
}

fn grade_with_hint() -> String {
    let output =
        Command::new(env!("CARGO_BIN_EXE_cargo-grade")).current_dir(root()).args(["02", "--hint"]).output().unwrap();
    let scorecard = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "the starter should fail:\n{scorecard}");
    scorecard
}

#[test]
fn three_hints_climb_three_rungs_of_the_first_failing_test() {
    let state = root().join("target/fledge");
    std::fs::create_dir_all(&state).unwrap();
    let _hints = Restore::new(state.join("hints.json"));
    let _scores = Restore::new(state.join("scores.json"));
    let _ = std::fs::remove_file(state.join("hints.json"));

    let (name, hints) = first_ladder();
    assert_eq!(hints.len(), 4, "this test wants a first test with four rungs; {name} has {}", hints.len());
    let mut revealed = Vec::new();
    for rung in 2..=4 {
        let card = grade_with_hint();
        let new = format!("hint {rung}/4 (new): {}", hints[rung - 1]);
        assert!(card.contains(&new), "run {}: no `{new}` in\n{card}", rung - 1);
        for (before, hint) in hints.iter().enumerate().take(rung - 1) {
            let kept = format!("hint {}/4: {hint}", before + 1);
            assert!(card.contains(&kept), "run {}: rung {} is gone:\n{card}", rung - 1, before + 1);
        }
        // Every other failing test still shows its first rung only.
        let others = card.lines().filter(|l| l.trim_start().starts_with("hint ")).count();
        let shown = card.lines().filter(|l| l.trim_start().starts_with("hint 1/")).count();
        assert_eq!(others - shown, rung - 1, "run {}: only {name} climbs:\n{card}", rung - 1);
        revealed.push(hints[rung - 1].clone());
        if rung < 4 {
            assert!(card.contains(&format!("`--hint` shows hint {}/4 of `{name}`", rung + 1)), "{card}");
        } else {
            assert!(card.contains(&format!("Every hint of `{name}` is shown above")), "{card}");
        }
    }
    revealed.dedup();
    assert_eq!(revealed.len(), 3, "three runs, three different rungs");
}
