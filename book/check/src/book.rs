//! The book's Markdown as the checker sees it: fenced code blocks, the
//! marker comment above each, and the prose around them.
//!
//! A block that quotes output is preceded by an HTML comment, which mdbook
//! passes through and a browser does not show:
//!
//! ```text
//! <!-- check: `cargo grade 02`; tests plain_panic no_panic -->
//! ```text
//! Exercise 02: When the kernel panics (your work, exercise-02-panic)
//! ...
//! ```
//!
//! The marker's first word says what the block is: `check:` (regenerated
//! from a real run, see `spec.rs`), `exception:` (real output that cannot
//! be produced on every run, with the reason), or `not output:` (a diagram
//! or a template). Every ```` ```text ```` block needs one, unless its body
//! is an mdbook `{{#include}}` of a file that a test keeps up to date.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// One chapter: its path from the repository root and its lines.
pub struct Chapter {
    /// `book/src/ch02-panic.md`.
    pub path: PathBuf,
    /// The file's lines, without their line ends.
    pub lines: Vec<String>,
}

/// What the comment above a block says it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    /// `check: SPEC`: regenerated from a real run.
    Check(String),
    /// `exception: REASON`: recorded once, by hand.
    Exception(String),
    /// `not output: WHAT`: a diagram or a template.
    NotOutput(String),
}

/// A fenced code block.
pub struct Block {
    /// Index of its chapter in the list `read` returns.
    pub chapter: usize,
    /// The marker comment above it, if any.
    pub marker: Option<Marker>,
    /// The 0-based line of the opening fence.
    pub fence: usize,
    /// The fence's info string: `text`, `sh`, `rust,ignore`.
    pub info: String,
    /// How far the fence is indented (blocks inside list items are).
    pub indent: usize,
    /// The body's lines, with the fence's indentation taken off.
    pub body: Vec<String>,
}

impl Block {
    /// Whether the block shows output: a `text` block that is not an
    /// `{{#include}}`.
    pub fn quotes_output(&self) -> bool {
        self.info == "text" && !self.body.iter().any(|l| l.trim_start().starts_with("{{#include"))
    }

    /// `book/src/ch02-panic.md:251` for the opening fence (1-based).
    pub fn place(&self, chapters: &[Chapter]) -> String {
        format!("{}:{}", chapters[self.chapter].path.display(), self.fence + 1)
    }
}

/// Every chapter in `book/src/`, in the order of `SUMMARY.md`, then any
/// file it does not list.
pub fn read(root: &Path) -> Result<Vec<Chapter>> {
    let src = root.join("book/src");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).context("reading book/src/SUMMARY.md")?;
    let mut names: Vec<String> = summary
        .lines()
        .filter_map(|l| l.split("](").nth(1).and_then(|rest| rest.split(')').next()))
        .map(str::to_string)
        .collect();
    let mut others: Vec<String> = fs::read_dir(&src)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "SUMMARY.md" && !names.contains(n))
        .collect();
    others.sort();
    names.extend(others);
    names
        .into_iter()
        .map(|name| {
            let path = Path::new("book/src").join(&name);
            let text = fs::read_to_string(root.join(&path)).with_context(|| format!("reading {}", path.display()))?;
            Ok(Chapter { path, lines: text.lines().map(str::to_string).collect() })
        })
        .collect()
}

/// The fenced blocks of one chapter.
pub fn blocks(chapter: usize, lines: &[String]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let indent = line.len() - line.trim_start().len();
        let Some(info) = line.trim_start().strip_prefix("```") else {
            i += 1;
            continue;
        };
        let info = info.trim().to_string();
        let mut body = Vec::new();
        let mut j = i + 1;
        while j < lines.len() && lines[j].trim() != "```" {
            let l = &lines[j];
            let cut = l.len() - l.trim_start().len();
            body.push(l[cut.min(indent)..].to_string());
            j += 1;
        }
        blocks.push(Block { chapter, marker: marker_above(lines, i), fence: i, info, indent, body });
        i = j + 1;
    }
    blocks
}

/// The marker comment that ends on the line right above `fence`.
fn marker_above(lines: &[String], fence: usize) -> Option<Marker> {
    let end = fence.checked_sub(1)?;
    if !lines[end].trim_end().ends_with("-->") {
        return None;
    }
    let start = (0..=end).rev().find(|&k| lines[k].trim_start().starts_with("<!--"))?;
    let text: Vec<&str> = lines[start..=end].iter().map(|l| l.trim()).collect();
    let text = text.join(" ");
    let inner = text.trim_start_matches("<!--").trim_end_matches("-->").trim();
    parse_marker(inner)
}

/// `check: ...`, `exception: ...` or `not output: ...`.
pub fn parse_marker(inner: &str) -> Option<Marker> {
    if let Some(spec) = inner.strip_prefix("check:") {
        Some(Marker::Check(spec.trim().to_string()))
    } else if let Some(why) = inner.strip_prefix("exception:") {
        Some(Marker::Exception(why.trim().to_string()))
    } else {
        inner.strip_prefix("not output:").map(|what| Marker::NotOutput(what.trim().to_string()))
    }
}

/// The prose of a chapter: every line outside code blocks and HTML
/// comments, with its 0-based line number.
pub fn prose(lines: &[String]) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut in_code = false;
    let mut in_comment = false;
    for (n, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if t.starts_with("<!--") {
            in_comment = !t.ends_with("-->");
            continue;
        }
        if in_comment {
            in_comment = !t.ends_with("-->");
            continue;
        }
        out.push((n, line.as_str()));
    }
    out
}

#[cfg(test)]
mod test {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn blocks_and_their_markers() {
        let md = lines(
            "Some prose.\n\n<!-- check: `cargo grade 02`;\n     tail -->\n```text\nScore: 0/14\n```\n\n- a list\n\n  <!-- not output: a diagram -->\n  ```text\n  a\n    b\n  ```\n```sh\ncargo grade\n```\n",
        );
        let b = blocks(0, &md);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].marker, Some(Marker::Check("`cargo grade 02`; tail".into())));
        assert_eq!(b[0].body, vec!["Score: 0/14"]);
        assert_eq!(b[0].fence, 4);
        assert_eq!(b[1].marker, Some(Marker::NotOutput("a diagram".into())));
        assert_eq!((b[1].indent, b[1].body.clone()), (2, vec!["a".to_string(), "  b".to_string()]));
        assert_eq!(b[2].marker, None);
        assert!(!b[2].quotes_output());
    }

    #[test]
    fn prose_leaves_out_code_and_comments() {
        let md = lines("one\n<!-- a\nb -->\ntwo\n```text\nthree\n```\nfour\n");
        let p: Vec<&str> = prose(&md).into_iter().map(|(_, l)| l).collect();
        assert_eq!(p, vec!["one", "two", "four"]);
    }
}
