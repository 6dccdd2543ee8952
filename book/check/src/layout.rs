//! Lists of the repository's parts that the book and the README give in
//! prose, checked against the tree: the crates a `kernel/` row of a table
//! names, and the exercises' library names the debugging chapter gives for
//! gdb.

use std::fs;
use std::path::Path;

/// The places that list parts of the tree, as (file, the row's first cell).
const ROWS: [(&str, &str); 3] =
    [("book/src/introduction.md", "`kernel/`"), ("README.md", "`kernel/`"), ("README.md", "`kernel/pc/`")];

/// The problems with every list.
pub fn check(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, cell) in ROWS {
        let Ok(text) = fs::read_to_string(root.join(file)) else {
            problems.push(format!("{file}: cannot be read"));
            continue;
        };
        let row = text.lines().enumerate().find(|(_, l)| l.starts_with(&format!("| {cell} |")));
        let Some((n, row)) = row else {
            problems.push(format!("{file}: no table row for {cell}"));
            continue;
        };
        let folder = cell.trim_matches('`');
        for p in check_row(root, folder, row) {
            problems.push(format!("{file}:{}: {p}", n + 1));
        }
    }
    problems.extend(check_libraries(root));
    problems
}

/// A row about `folder` names every crate in it, and nothing that is not
/// there (`pc/serial` in the `kernel/` row is `kernel/pc/serial`).
fn check_row(root: &Path, folder: &str, row: &str) -> Vec<String> {
    let description = row.splitn(3, '|').nth(2).unwrap_or_default();
    let named: Vec<&str> = description.split('`').skip(1).step_by(2).collect();
    let mut problems = Vec::new();
    let mut crates: Vec<String> = fs::read_dir(root.join(folder))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().join("Cargo.toml").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    crates.sort();
    for name in &crates {
        if !named.contains(&name.as_str()) {
            problems.push(format!("the row for `{folder}` does not name its crate `{name}`"));
        }
    }
    for name in named.iter().filter(|n| !n.contains(' ') && !n.contains('(')) {
        if !root.join(folder).join(name).exists() {
            problems.push(format!("the row for `{folder}` names `{name}`, which is not in {folder}"));
        }
    }
    problems
}

/// The debugging chapter names each exercise's library, for gdb's function
/// names.
fn check_libraries(root: &Path) -> Vec<String> {
    let chapter = "book/src/debugging.md";
    let text = fs::read_to_string(root.join(chapter)).unwrap_or_default();
    let Ok(exercises) = fs::read_dir(root.join("exercises")) else { return Vec::new() };
    let mut problems = Vec::new();
    let mut names: Vec<(String, String)> = exercises
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let manifest = fs::read_to_string(e.path().join("Cargo.toml")).ok()?;
            let lib = manifest.split("[lib]").nth(1)?;
            let name = lib.lines().find_map(|l| l.trim().strip_prefix("name = "))?;
            Some((e.file_name().to_string_lossy().into_owned(), name.trim_matches('"').to_string()))
        })
        .collect();
    names.sort();
    for (exercise, lib) in names {
        if !text.contains(&format!("`{lib}`")) {
            problems.push(format!(
                "{chapter}: the gdb section does not name `{lib}`, the library of {exercise}, among the exercises' crates"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_row_names_the_crates_of_its_folder() {
        // A tree of its own: `kernel/` with the crates `api`, `fakes` and
        // `pc`, and `pc/serial`; a folder without a manifest is no crate.
        let root = std::env::temp_dir().join(format!("book-check-layout-{}", std::process::id()));
        for krate in ["kernel/api", "kernel/fakes", "kernel/pc", "kernel/pc/serial"] {
            fs::create_dir_all(root.join(krate)).unwrap();
            fs::write(root.join(krate).join("Cargo.toml"), "").unwrap();
        }
        fs::create_dir_all(root.join("kernel/notes")).unwrap();
        let good = "| `kernel/` | `api`, `pc` (`pc/serial`) and `fakes` |";
        assert_eq!(check_row(&root, "kernel/", good), Vec::<String>::new());
        let bad = "| `kernel/` | `api`, `pc`, `sched` |";
        assert_eq!(
            check_row(&root, "kernel/", bad),
            vec![
                "the row for `kernel/` does not name its crate `fakes`".to_string(),
                "the row for `kernel/` names `sched`, which is not in kernel/".to_string()
            ]
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
