//! `cargo book-check`: the book's quotes, checked against real runs.
//!
//! ```text
//! cargo book-check              run every command the book quotes, compare
//! cargo book-check --bless      ... and rewrite the blocks that drifted
//! cargo book-check --bless-all  ... and rewrite every block, matching or not,
//!                               to refresh the nonces, timings and addresses
//!                               it shows (then read the prose that quotes them)
//! cargo book-check ch02         only the blocks of chapters whose file name has `ch02`
//! cargo book-check --list       the inventory: every block and what it is
//! ```
//!
//! Every ```` ```text ```` block of `book/src/` carries a marker comment
//! (see `book.rs`). A `check:` block names the command whose output it
//! quotes and the part it shows (`spec.rs`); the checker runs each command
//! once (`runner.rs`), cuts the same part out of the fresh output
//! (`select.rs`) and compares, with what varies between runs masked
//! (`text.rs`). An `exception:` block, recorded once, still has its file
//! and line numbers checked (`refs.rs`), and prose may name no line number
//! of a repository file at all. The lists of `kernel/`'s crates in the
//! introduction and the README are checked against the tree (`layout.rs`). `scripts/test.sh` runs this; the exit
//! status is 0 when every quote holds, 1 when one drifted, 2 when the
//! checker could not run.

mod book;
mod layout;
mod refs;
mod runner;
mod select;
mod spec;
mod text;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::book::{Block, Chapter, Marker};
use crate::runner::Group;
use crate::spec::{Source, Spec};
use crate::text::Masks;

/// The command that rewrites the drifted blocks.
const BLESS: &str = "cargo book-check --bless";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let _ = ctrlc::set_handler(|| runner::INTERRUPTED.store(true, Ordering::SeqCst));
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("book-check: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// A block's check, once its run is known.
struct Checked<'a> {
    block: &'a Block,
    spec: Spec,
}

fn run(args: &[String]) -> Result<bool> {
    const OPTIONS: [&str; 3] = ["--bless", "--bless-all", "--list"];
    if let Some(unknown) = args.iter().find(|a| a.starts_with("--") && !OPTIONS.contains(&a.as_str())) {
        anyhow::bail!("unknown option {unknown}: the options are {}", OPTIONS.join(", "));
    }
    let all = args.iter().any(|a| a == "--bless-all");
    let bless = all || args.iter().any(|a| a == "--bless");
    let list = args.iter().any(|a| a == "--list");
    let filter = args.iter().find(|a| !a.starts_with("--")).cloned().unwrap_or_default();
    let root = repo_root()?;
    runner::recover(&root)?;
    let started = Instant::now();
    let chapters = book::read(&root)?;
    let wanted = |c: &Chapter| c.path.to_string_lossy().contains(&filter);

    let mut problems: Vec<String> = Vec::new();
    let mut checks: Vec<Checked> = Vec::new();
    let mut exceptions = 0;
    let mut not_output = 0;
    let blocks: Vec<Block> =
        chapters.iter().enumerate().filter(|(_, c)| wanted(c)).flat_map(|(k, c)| book::blocks(k, &c.lines)).collect();
    for block in &blocks {
        let place = block.place(&chapters);
        match &block.marker {
            Some(Marker::Check(text)) => match spec::parse(text) {
                Ok(spec) => checks.push(Checked { block, spec }),
                Err(e) => problems.push(format!("{place}: the marker does not parse: {e:#}")),
            },
            Some(Marker::Exception(reason)) => {
                exceptions += 1;
                if reason.is_empty() {
                    problems.push(format!("{place}: an exception says why it cannot be regenerated"));
                }
                for p in refs::check_block(&root, &block.body) {
                    problems.push(format!("{place}: {p}"));
                }
            }
            Some(Marker::NotOutput(_)) => not_output += 1,
            None if block.quotes_output() => problems.push(format!(
                "{place}: a text block without a marker: say above it how it is made (`<!-- check: `COMMAND`; ... -->`), \
                 why it is recorded by hand (`<!-- exception: ... -->`), or that it is no output (`<!-- not output: ... -->`)"
            )),
            None => {}
        }
    }
    for chapter in chapters.iter().filter(|c| wanted(c)) {
        for (n, line) in book::prose(&chapter.lines) {
            for p in refs::check_prose(&root, line) {
                problems.push(format!("{}:{}: {p}", chapter.path.display(), n + 1));
            }
        }
    }

    if filter.is_empty() {
        problems.extend(layout::check(&root));
    }
    if list {
        print_inventory(&chapters, &blocks);
        for p in &problems {
            println!("\n{p}");
        }
        return Ok(problems.is_empty());
    }
    let groups = groups(&checks);
    let runs: usize = groups.iter().map(|g| g.commands.len()).sum();
    println!(
        "Checking the book's quotes: {} blocks regenerated from {runs} runs, {exceptions} recorded by hand (their line \
         numbers checked), {not_output} that are no output.",
        checks.len()
    );
    if checks.iter().any(|c| c.spec.command.contains("kernel/guest-")) {
        let build = "cargo build -p fledge-test-guests --target x86_64-unknown-none --profile kernel";
        println!("  building the grader's test guests: {build}");
        let status = std::process::Command::new("sh").args(["-c", build]).current_dir(&root).status()?;
        anyhow::ensure!(status.success(), "`{build}` failed");
    }
    let outputs = runner::run(&root, &groups)?;

    let root_text = root.to_string_lossy().into_owned();
    let home = std::env::var("HOME").unwrap_or_default();
    let mut rewrites: BTreeMap<usize, Vec<(usize, usize, Vec<String>)>> = BTreeMap::new();
    let mut drifted = 0;
    for check in &checks {
        let place = check.block.place(&chapters);
        let spec = &check.spec;
        let what = describe(spec);
        let output = match &outputs[&(spec.patches.clone(), spec.command.clone())] {
            Ok(output) => output,
            Err(why) => {
                problems.push(format!("{place}: {what} could not run: {why}"));
                continue;
            }
        };
        let (raw, stderr) = match &spec.source {
            Source::Stdout => (output.stdout.as_str(), false),
            Source::Stderr => (output.stderr.as_str(), true),
            Source::File(file) => (output.files[file].as_str(), false),
        };
        // What the command said on standard error, for a run that went wrong.
        let said = || {
            let err = text::normalise(&output.stderr, &root_text, &home, true);
            let tail = err[err.len().saturating_sub(5)..].join("\n      ");
            format!(" (it exited with {:?}; its standard error ends:\n      {tail})", output.status)
        };
        let lines = text::normalise(raw, &root_text, &home, stderr);
        let now = match select::excerpt(&lines, &spec.parts) {
            Ok(now) => now,
            Err(e) => {
                problems.push(format!("{place}: {what}: {e:#}; the marker needs changing by hand{}", said()));
                continue;
            }
        };
        let masks = Masks { numbers: spec.mask_numbers, addresses: spec.mask_addresses };
        let difference = text::first_difference(&check.block.body, &now, masks);
        if difference.is_none() && !(all && check.block.body != now) {
            continue;
        }
        drifted += 1;
        if bless {
            let end = check.block.fence + 1 + check.block.body.len();
            let indent = " ".repeat(check.block.indent);
            let body = now.iter().map(|l| if l.is_empty() { String::new() } else { format!("{indent}{l}") }).collect();
            rewrites.entry(check.block.chapter).or_default().push((check.block.fence + 1, end, body));
            println!("blessed {place}, from {what}");
        } else if let Some((k, book_line, now_line)) = difference {
            let said = if now.is_empty() { said() } else { String::new() };
            problems.push(format!(
                "{place}: the block differs from what {what} gives now, at its line {}:\n      book: {book_line}\n      now:  {now_line}{said}",
                k + 1
            ));
        }
    }
    for (chapter, mut edits) in rewrites {
        let mut lines = chapters[chapter].lines.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (start, end, body) in edits {
            lines.splice(start..end, body);
        }
        let path = root.join(&chapters[chapter].path);
        fs::write(&path, lines.join("\n") + "\n").with_context(|| format!("writing {}", path.display()))?;
    }

    let seconds = started.elapsed().as_secs();
    for p in &problems {
        println!("\n{p}");
    }
    if problems.is_empty() {
        let blessed = if bless && drifted > 0 { format!(", {drifted} rewritten") } else { String::new() };
        println!("\nbook-check: every quote holds ({} blocks checked{blessed}, {seconds} s).", checks.len());
        Ok(true)
    } else {
        println!(
            "\nbook-check: {} problem{} ({seconds} s).",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        if drifted > 0 && !bless {
            println!(
                "If the new output is right, `{BLESS}` writes it into the book: then read the prose around each block it \
                 changed, which may quote it."
            );
        }
        Ok(false)
    }
}

/// The runs, each (patches, command) once: the unpatched first, in the
/// order the book quotes them, then each set of patches.
fn groups(checks: &[Checked]) -> Vec<Group> {
    let mut groups: Vec<Group> = vec![Group::default()];
    for check in checks {
        let spec = &check.spec;
        let index = match groups.iter().position(|g| g.patches == spec.patches) {
            Some(k) => k,
            None => {
                groups.push(Group { patches: spec.patches.clone(), ..Group::default() });
                groups.len() - 1
            }
        };
        let group = &mut groups[index];
        for file in &spec.touches {
            if !group.touches.contains(file) {
                group.touches.push(file.clone());
            }
        }
        let command = match group.commands.iter().position(|(c, _)| *c == spec.command) {
            Some(k) => k,
            None => {
                group.commands.push((spec.command.clone(), Vec::new()));
                group.commands.len() - 1
            }
        };
        if let Source::File(file) = &spec.source
            && !group.commands[command].1.contains(file)
        {
            group.commands[command].1.push(file.clone());
        }
    }
    groups.retain(|g| !g.commands.is_empty());
    groups
}

/// "`cargo grade 02` (patched with X)" for messages.
fn describe(spec: &Spec) -> String {
    let mut what = format!("`{}`", spec.command);
    if !spec.patches.is_empty() {
        what.push_str(&format!(" patched with {}", spec.patches.join(" and ")));
    }
    match &spec.source {
        Source::Stdout => {}
        Source::Stderr => what.push_str(" on standard error"),
        Source::File(file) => what = format!("{file} after {what}"),
    }
    what
}

fn print_inventory(chapters: &[Chapter], blocks: &[Block]) {
    for block in blocks.iter().filter(|b| b.marker.is_some() || b.quotes_output()) {
        let (kind, text) = match &block.marker {
            Some(Marker::Check(t)) => ("check", t.as_str()),
            Some(Marker::Exception(t)) => ("exception", t.as_str()),
            Some(Marker::NotOutput(t)) => ("not output", t.as_str()),
            None => ("NO MARKER", ""),
        };
        println!("{:<36} {kind:<10} {text}", block.place(chapters));
    }
}

/// The repository: the nearest folder upwards with `book/src/SUMMARY.md`,
/// or the one this checker was built in.
fn repo_root() -> Result<PathBuf> {
    let here = std::env::current_dir()?;
    let is_root = |d: &Path| d.join("book/src/SUMMARY.md").is_file() && d.join("Cargo.toml").is_file();
    if let Some(found) = here.ancestors().find(|d| is_root(d)) {
        return Ok(found.to_path_buf());
    }
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    anyhow::ensure!(is_root(&built_in), "cannot find the Fledge repository: run this from inside it");
    Ok(built_in.canonicalize()?)
}
