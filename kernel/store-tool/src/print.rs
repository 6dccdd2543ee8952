//! The output: commits as `git log` prints them, and notes for stderr.
//!
//! ```text
//! commit 000003
//! Author: ada
//! Date:   2025-12-01 00:00:00 UTC
//!
//!     typo
//!
//!     set index.html (7 bytes)
//!
//! ```
//!
//! Keys and messages are shown as text; a key that is not UTF-8 is shown
//! with its other bytes escaped (`\xff`). [`show`] adds each value: as
//! text, indented, or as hex when it is not UTF-8.

use std::fmt::Write;

use fledge_api::store::{Change, Commit};
use fledge_store::log::Tear;

use crate::date;

/// `key` as text: itself if it is UTF-8, escaped if not.
pub fn key(key: &[u8]) -> String {
    match std::str::from_utf8(key) {
        Ok(text) => text.to_string(),
        Err(_) => key.escape_ascii().to_string(),
    }
}

/// `n bytes`, or `1 byte`.
fn bytes(n: usize) -> String {
    if n == 1 { "1 byte".to_string() } else { format!("{n} bytes") }
}

/// One change, as the log lists it: `set index.html (6 bytes)` or
/// `remove news.html`.
fn change(change: &Change) -> String {
    match change {
        Change::Set { key: k, value } => format!("set {} ({})", key(k), bytes(value.len())),
        Change::Remove { key: k } => format!("remove {}", key(k)),
    }
}

/// The lines every form of a commit starts with: id, author, date and
/// message, and its parents too when `parents`.
fn head(commit: &Commit, parents: bool, out: &mut String) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "commit {}", commit.id);
    if parents {
        let ids: Vec<String> = commit.parents.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "Parents: {}", if ids.is_empty() { "none".to_string() } else { ids.join(" ") });
    }
    let _ =
        write!(out, "Author: {}\nDate:   {}\n\n    {}\n\n", commit.author, date::format(commit.time), commit.message);
}

/// `commits` as `fledge-store log` prints them, in the order given.
pub fn log(commits: &[Commit]) -> String {
    let mut out = String::new();
    for commit in commits {
        head(commit, false, &mut out);
        for each in &commit.changes {
            let _ = writeln!(out, "    {}", change(each));
        }
        if !commit.changes.is_empty() {
            out.push('\n');
        }
    }
    out
}

/// `commits` one a line: `000003 typo`.
pub fn oneline(commits: &[Commit]) -> String {
    commits.iter().map(|commit| format!("{} {}\n", commit.id, commit.message)).collect()
}

/// One commit in full: as [`log`] prints it, its parents, and each value
/// set, indented under its change.
pub fn show(commit: &Commit) -> String {
    let mut out = String::new();
    head(commit, true, &mut out);
    for each in &commit.changes {
        let _ = writeln!(out, "    {}", change(each));
        if let Change::Set { value, .. } = each {
            out.push_str(&indent_value(value));
        }
    }
    if !commit.changes.is_empty() {
        out.push('\n');
    }
    out
}

/// A value under its change, indented 8: its lines if it is UTF-8, else
/// a note and its bytes in hex, 16 a line.
fn indent_value(value: &[u8]) -> String {
    let mut out = String::new();
    match std::str::from_utf8(value) {
        Ok(text) => {
            for line in text.lines() {
                let _ = writeln!(out, "        {line}");
            }
        }
        Err(_) => {
            out.push_str("        (not UTF-8 text: its bytes in hex)\n");
            for row in value.chunks(16) {
                let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
                let _ = writeln!(out, "        {}", hex.join(" "));
            }
        }
    }
    out
}

/// The note for stderr when the log stops at a member that is not whole.
pub fn torn_note(block: u64, why: Tear) -> String {
    format!(
        "note: the log stops at block {block}, where a member is not whole ({why}); \
         opening the store for writing (restore, commit) would truncate the log there"
    )
}

/// The note for stderr when opening the store for writing truncated the
/// log at a member that was not whole.
pub fn truncated_note(block: u64, why: Tear) -> String {
    format!("note: the log was truncated at block {block}, where a member was not whole ({why})")
}

#[cfg(test)]
mod test {
    use fledge_api::CommitId;

    use super::*;

    fn commit() -> Commit {
        Commit {
            id: CommitId(2),
            parents: vec![CommitId(1)],
            time: 1_764_547_200,
            author: "ada".into(),
            message: "add about".into(),
            changes: vec![
                Change::set("about.html", "<p>Me\n<p>You"),
                Change::set([0xff], [0, 0xff]),
                Change::remove("x"),
            ],
        }
    }

    #[test]
    fn show_prints_parents_and_values() {
        assert_eq!(
            show(&commit()),
            "commit 000002\nParents: 000001\nAuthor: ada\nDate:   2025-12-01 00:00:00 UTC\n\n    add about\n\n\
             \x20   set about.html (12 bytes)\n        <p>Me\n        <p>You\n\
             \x20   set \\xff (2 bytes)\n        (not UTF-8 text: its bytes in hex)\n        00 ff\n\
             \x20   remove x\n\n"
        );
    }

    #[test]
    fn oneline_is_id_and_message() {
        assert_eq!(oneline(&[commit()]), "000002 add about\n");
    }
}
