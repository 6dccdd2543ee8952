//! Every exercise has what the book's "Adding an exercise" page lists
//! (`book/src/adding-an-exercise.md`), so a forgotten file or line fails
//! here instead of in a learner's hands:
//!
//! - the starter's files, and tests whose names match the manifest's;
//! - a solution package that holds no code of its own and runs the tests
//!   against an upstream crate in `kernel/`;
//! - a chapter that exists and is in the book's `SUMMARY.md`.
//!
//! (The classroom workflow's list of exercises has a test of its own.)

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// What the checklist needs from a manifest.
struct Exercise {
    folder: String,
    chapter: String,
    /// (name, kind) of each test.
    tests: Vec<(String, String)>,
}

fn exercises() -> Vec<Exercise> {
    let mut found = Vec::new();
    for entry in fs::read_dir(root().join("exercises")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = fs::read_to_string(dir.join("exercise.toml")) else { continue };
        let manifest: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let tests = manifest["test"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_string(), t["kind"].as_str().unwrap().to_string()))
            .collect();
        found.push(Exercise {
            folder: dir.file_name().unwrap().to_string_lossy().into_owned(),
            chapter: manifest["chapter"].as_str().unwrap().to_string(),
            tests,
        });
    }
    found.sort_by(|a, b| a.folder.cmp(&b.folder));
    assert!(!found.is_empty(), "no exercise manifests under exercises/");
    found
}

/// Every `.rs` file under `dir`, relative to it.
fn rust_files(dir: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        for entry in fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.insert(path.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    files
}

#[test]
fn every_exercise_has_its_starter_files() {
    for ex in exercises() {
        let dir = root().join("exercises").join(&ex.folder);
        for file in ["Cargo.toml", "src/lib.rs", "src/main.rs", "tests/host.rs", "tests/cases/kernel.rs"] {
            assert!(dir.join(file).is_file(), "exercises/{}/{file} is missing", ex.folder);
        }
    }
}

#[test]
fn the_manifest_names_the_tests_there_are() {
    for ex in exercises() {
        let cases = root().join("exercises").join(&ex.folder).join("tests/cases");
        let kernel = fs::read_to_string(cases.join("kernel.rs")).unwrap();
        let list = kernel
            .split_once("cases![")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(list, _)| list)
            .unwrap_or_else(|| panic!("exercises/{}/tests/cases/kernel.rs has no fledge_boot::cases![...]", ex.folder));
        let in_kernel: BTreeSet<&str> = list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        let in_manifest: BTreeSet<&str> =
            ex.tests.iter().filter(|(_, kind)| kind == "qemu").map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            in_kernel, in_manifest,
            "exercises/{}: the kernel tests in tests/cases/kernel.rs and the qemu tests in exercise.toml differ",
            ex.folder
        );
        let host_sources: String = rust_files(&cases)
            .iter()
            .filter(|f| *f != "kernel.rs")
            .map(|f| fs::read_to_string(cases.join(f)).unwrap())
            .collect();
        for (name, _) in ex.tests.iter().filter(|(_, kind)| kind == "host") {
            let short = name.rsplit("::").next().unwrap();
            assert!(
                host_sources.contains(&format!("fn {short}(")),
                "exercises/{}/exercise.toml lists the host test `{name}`, but no `fn {short}(` is in tests/cases/",
                ex.folder
            );
        }
    }
}

#[test]
fn every_solution_runs_the_tests_against_an_upstream_crate() {
    let workspace = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for ex in exercises() {
        let dir = root().join("solutions").join(&ex.folder);
        let files = rust_files(&dir);
        let expected: BTreeSet<String> = ["src/main.rs", "tests/host.rs"].map(String::from).into();
        assert_eq!(
            files, expected,
            "solutions/{}: a solution package holds no code of its own (the finished code lives once, upstream in kernel/)",
            ex.folder
        );
        // Which upstream crate the tests run against: every solution uses
        // `fledge_boot::test_kernel!`, so that one does not count.
        let main = fs::read_to_string(dir.join("src/main.rs")).unwrap();
        let code: String = main.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        let uses = code.replace("fledge_boot::test_kernel!", "");
        let upstream: Vec<String> = uses
            .match_indices("fledge_")
            .map(|(at, _)| uses[at..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>())
            .map(|krate| krate.replace('_', "-"))
            .filter(|krate| workspace.contains(&format!("{krate} = {{ path = \"kernel/")))
            .collect();
        assert!(
            !upstream.is_empty(),
            "solutions/{}/src/main.rs does not run the tests against an upstream crate from kernel/",
            ex.folder
        );
        let include = format!("exercises/{}/tests/cases/kernel.rs", ex.folder);
        assert!(main.contains(&include), "solutions/{}/src/main.rs does not include {include}", ex.folder);
    }
}

#[test]
fn every_chapter_is_in_the_book() {
    let summary = fs::read_to_string(root().join("book/src/SUMMARY.md")).unwrap();
    for ex in exercises() {
        assert!(root().join(&ex.chapter).is_file(), "exercises/{}: the chapter {} is missing", ex.folder, ex.chapter);
        let file = Path::new(&ex.chapter).file_name().unwrap().to_string_lossy().into_owned();
        assert!(summary.contains(&format!("]({file})")), "book/src/SUMMARY.md has no line for {file}");
    }
}

/// The first line of every public item in a Rust file, up to its body or
/// value: `pub fn write_report(`, `pub const SEND_ATTEMPTS: usize`.
fn public_items(path: &Path) -> BTreeSet<String> {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("pub ") || line.starts_with("pub("))
        // Re-exports name items defined elsewhere, and may name them by
        // another path (exercise 02 re-exports fledge_boot's exit codes).
        .filter(|line| !line.starts_with("pub(crate)") && !line.starts_with("pub use"))
        .map(|line| line.split(['{', '=']).next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn every_starter_has_the_api_of_its_upstream_crate() {
    let workspace = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for ex in exercises() {
        // The upstream crate: the one the solution names in `extern crate
        // fledge_x as y;`, or fledge-boot for exercise 02's panic handler.
        let main = fs::read_to_string(root().join("solutions").join(&ex.folder).join("src/main.rs")).unwrap();
        let krate = main
            .split_once("extern crate ")
            .map(|(_, rest)| rest.split_whitespace().next().unwrap().to_string())
            .unwrap_or_else(|| "fledge_boot".to_string());
        let key = format!("{} = {{ path = \"", krate.replace('_', "-"));
        let path = workspace
            .lines()
            .find_map(|l| l.strip_prefix(&key))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{krate} is not a path dependency of the workspace"));
        let upstream = root().join(path).join("src");
        let starter = root().join("exercises").join(&ex.folder).join("src");
        // A crate that is only this exercise's piece has exactly its API;
        // kernel/boot holds exercise 02's piece beside the test runner.
        let whole = path.starts_with("kernel/pc/");
        let files = rust_files(&starter);
        if whole {
            let upstream_files: BTreeSet<String> = rust_files(&upstream);
            let extra: Vec<_> = upstream_files.difference(&files).collect();
            assert!(extra.is_empty(), "{path}/src has modules that exercises/{}/src lacks: {extra:?}", ex.folder);
        }
        for file in files.into_iter().filter(|f| f != "main.rs" && (whole || f != "lib.rs")) {
            let theirs = public_items(&upstream.join(&file));
            let ours = public_items(&starter.join(&file));
            let missing: Vec<_> = ours.difference(&theirs).collect();
            assert!(
                missing.is_empty(),
                "exercises/{}/src/{file} has public items that {path}/src/{file} lacks: {missing:?}",
                ex.folder
            );
            if whole {
                let extra: Vec<_> = theirs.difference(&ours).collect();
                assert!(
                    extra.is_empty(),
                    "{path}/src/{file} has public items that exercises/{}/src/{file} lacks: {extra:?}",
                    ex.folder
                );
            }
        }
    }
}
