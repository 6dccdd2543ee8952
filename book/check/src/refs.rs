//! Line numbers the book names outside regenerated blocks.
//!
//! In a block recorded once (an `exception:`), every `FILE.rs:LINE` and
//! gdb's `file FILE, line LINE` that names a file of the repository must
//! name a line that exists; a place quoted with `not yet implemented` must
//! hold a `todo!`; and a source line gdb lists under it (`77\t    let
//! address = ...`) must be the file's line. In prose, a line number of a
//! repository file is not allowed at all: it goes stale with the first
//! edit above it, so it belongs in a checked block, and the prose can
//! refer to the block.

use std::fs;
use std::path::{Component, Path, PathBuf};

/// A place in a file, as the text names it.
#[derive(Debug, PartialEq)]
struct Place {
    path: String,
    line: usize,
    todo: bool,
}

/// The problems with the places a recorded block names.
pub fn check_block(root: &Path, body: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in body {
        if let Some((number, text)) = line.split_once('\t').filter(|(n, _)| n.parse::<usize>().is_ok()) {
            if let Some((path, lines)) = &current {
                let n: usize = number.parse().expect("checked");
                match lines.get(n.wrapping_sub(1)) {
                    Some(real) if real.trim() == text.trim() => {}
                    Some(real) => problems.push(format!(
                        "gdb lists line {n} of {path} as `{}`, but it is `{}`",
                        text.trim(),
                        real.trim()
                    )),
                    None => problems.push(format!("gdb lists line {n} of {path}, which has {} lines", lines.len())),
                }
            }
            continue;
        }
        for place in places(line) {
            let Some(file) = resolve(root, &place.path) else { continue };
            let Ok(text) = fs::read_to_string(&file) else {
                if is_repository_path(&place.path) {
                    problems.push(format!("`{}` names a file that does not exist", place.path));
                }
                continue;
            };
            let lines: Vec<String> = text.lines().map(str::to_string).collect();
            match lines.get(place.line.wrapping_sub(1)) {
                None => problems.push(format!("`{}:{}`: the file has {} lines", place.path, place.line, lines.len())),
                Some(l) if place.todo && !l.contains("todo!") => problems.push(format!(
                    "`{}:{}` is quoted as a `todo!()`, but that line is `{}`",
                    place.path,
                    place.line,
                    l.trim()
                )),
                Some(_) => {}
            }
            current = Some((place.path, lines));
        }
    }
    problems
}

/// The line numbers of repository files in a line of prose.
pub fn check_prose(root: &Path, line: &str) -> Vec<String> {
    places(line)
        .into_iter()
        .filter(|p| resolve(root, &p.path).is_some_and(|f| f.is_file()) || is_repository_path(&p.path))
        .map(|p| {
            format!(
                "the prose names line {} of {}: a line number in prose goes stale unchecked; quote the line in a \
                 checked block and refer to that",
                p.line, p.path
            )
        })
        .collect()
}

/// Every `PATH.rs:LINE`, `file PATH.rs, line LINE` and `line LINE of
/// `PATH.rs`` in a line of text.
fn places(line: &str) -> Vec<Place> {
    let mut found = Vec::new();
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || "_./~-".contains(c);
    for (at, _) in line.match_indices(".rs") {
        let start = line[..at].rfind(|c: char| !is_path_char(c)).map_or(0, |k| k + 1);
        let path = &line[start..at + 3];
        let after = &line[at + 3..];
        let number = |s: &str| -> Option<usize> {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        let line_no = if let Some(rest) = after.strip_prefix(':') {
            number(rest)
        } else if let Some(rest) = after.strip_prefix(", line ") {
            number(rest)
        } else if let Some(before) = line[..start].trim_end_matches('`').strip_suffix(" of ") {
            let words: Vec<&str> = before.rsplitn(3, ' ').collect();
            match words.as_slice() {
                [n, word, ..] if word.eq_ignore_ascii_case("line") => number(n),
                [n, word] if word.eq_ignore_ascii_case("line") => number(n),
                _ => None,
            }
        } else {
            None
        };
        if let Some(n) = line_no.filter(|_| path.len() > 3) {
            let todo = after.chars().take(80).collect::<String>().contains("not yet implemented");
            found.push(Place { path: path.to_string(), line: n, todo });
        }
    }
    found
}

/// The file a path names: under the repository, or `~/` for the home
/// folder (cargo's registry). `..` is followed.
fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let full = if let Some(rest) = path.strip_prefix("~/") {
        PathBuf::from(std::env::var_os("HOME")?).join(rest)
    } else if path.starts_with('/') {
        return None;
    } else {
        root.join(path)
    };
    let mut clean = PathBuf::new();
    for part in full.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    Some(clean)
}

fn is_repository_path(path: &str) -> bool {
    ["kernel/", "exercises/", "solutions/", "grader/", "book/", "scripts/"].iter().any(|p| path.starts_with(p))
}

#[cfg(test)]
mod test {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn places_in_text() {
        let p = |path: &str, line, todo| Place { path: path.into(), line, todo };
        assert_eq!(
            places("panicked at exercises/02-panic/src/report.rs:56:5: not yet implemented: write"),
            vec![p("exercises/02-panic/src/report.rs", 56, true)]
        );
        assert_eq!(places("at 0x1: file kernel/a.rs, line 77."), vec![p("kernel/a.rs", 77, false)]);
        assert_eq!(places("reports line 77 of `kernel/a.rs`, which"), vec![p("kernel/a.rs", 77, false)]);
        assert_eq!(places("in `src/lib.rs` and lib.rs"), vec![]);
    }

    #[test]
    fn recorded_places_are_checked() {
        let body = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let this = "book/check/src/refs.rs";
        assert!(
            check_block(
                &root(),
                &body(&[&format!("at {this}:1"), "1\t//! Line numbers the book names outside regenerated blocks."])
            )
            .is_empty()
        );
        let problems = check_block(
            &root(),
            &body(&[
                &format!("at {this}:1: not yet implemented"),
                "2\tsomething else",
                &format!("{this}:99999"),
                "kernel/nothing.rs:3",
            ]),
        );
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("quoted as a `todo!()`"));
        assert!(problems[1].contains("gdb lists line 2"));
        assert!(problems[2].contains("the file has"));
        assert!(problems[3].contains("does not exist"));
    }

    #[test]
    fn prose_may_not_name_a_line() {
        assert_eq!(check_prose(&root(), "see `book/check/src/refs.rs:10`").len(), 1);
        assert!(check_prose(&root(), "prints `thread 'main' panicked at src/main.rs:4:5`").is_empty());
    }
}
