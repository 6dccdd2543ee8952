//! Running the commands the book's blocks quote: each (patches, command)
//! pair once, patched runs after the others, with the tree always put back.
//!
//! A patch is applied with `git apply` to the working tree, after every
//! file it touches has been copied to `target/book-check/backup/`; the
//! files are copied back after the run, whatever happened, and a run that
//! was killed before it could do so is undone at the start of the next one.
//! The grader's record of last scores (`target/fledge/scores.json`), which
//! the runs change, is put back the same way, and so are the hint ladders
//! climbed (`target/fledge/hints.json`), which each command starts without.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Set by Ctrl-C: stop the running command, put the tree back, and stop.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The folder of the checker's own files, under `target/`.
pub const WORK: &str = "target/book-check";

/// No command of the book takes this long; one that does is stuck.
const DEADLINE: Duration = Duration::from_secs(20 * 60);

/// What one command left behind.
#[derive(Debug, Default, Clone)]
pub struct Output {
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// The files the blocks quote, read right after it ended.
    pub files: BTreeMap<String, String>,
    /// Its exit status (`None` if a signal ended it).
    pub status: Option<i32>,
}

/// The commands to run under one set of patches (none for most).
#[derive(Debug, Default)]
pub struct Group {
    /// The patches, applied in this order.
    pub patches: Vec<String>,
    /// Files the commands change themselves, saved and put back too.
    pub touches: Vec<String>,
    /// Each command, with the files to read after it.
    pub commands: Vec<(String, Vec<String>)>,
}

/// Each command's output, or why it has none, by (patches, command).
pub type Outputs = BTreeMap<(Vec<String>, String), Result<Output, String>>;

/// Runs every group.
pub fn run(root: &Path, groups: &[Group]) -> Result<Outputs> {
    let _scores = Restore::save(root, &[PathBuf::from("target/fledge/scores.json")], "scores")?;
    // The hint ladders the learner climbed (`--hint`): every command starts
    // from first rungs, as a fresh clone does, and the climbs come back after.
    let hints = PathBuf::from("target/fledge/hints.json");
    let _hints = Restore::save(root, std::slice::from_ref(&hints), "hints")?;
    // The QEMU wrappers' logs of the last run (book/check/qemu/).
    for entry in fs::read_dir(root.join(WORK))?.filter_map(|e| e.ok()) {
        if entry.file_name().to_string_lossy().ends_with(".log") {
            fs::remove_file(entry.path())?;
        }
    }
    let mut outputs = BTreeMap::new();
    for group in groups {
        let _patched = if group.patches.is_empty() && group.touches.is_empty() {
            None
        } else {
            if !group.patches.is_empty() {
                println!("  applying {}", group.patches.join(", "));
            }
            Some(apply(root, &group.patches, &group.touches)?)
        };
        for (command, files) in &group.commands {
            if INTERRUPTED.load(Ordering::SeqCst) {
                bail!("interrupted");
            }
            let started = Instant::now();
            let _ = fs::remove_file(root.join(&hints));
            print!("  running `{command}`");
            let _ = std::io::Write::flush(&mut std::io::stdout());
            let result = run_one(root, command, files);
            println!(" ({:.0} s)", started.elapsed().as_secs_f64());
            outputs.insert((group.patches.clone(), command.clone()), result);
        }
        if !group.patches.is_empty() {
            println!("  putting back the files {} changed", group.patches.join(", "));
        }
    }
    Ok(outputs)
}

fn run_one(root: &Path, command: &str, files: &[String]) -> Result<Output, String> {
    let mut child = Command::new("sh")
        .args(["-c", command])
        .current_dir(root)
        .env("CARGO_TERM_COLOR", "never")
        .env("FLEDGE_BOOK_CHECK", root.join(WORK))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    // Read both pipes while the command runs, so that neither fills up.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let stdout = std::thread::spawn(move || read_all(&mut out));
    let stderr = std::thread::spawn(move || read_all(&mut err));
    let started = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status.code();
        }
        if INTERRUPTED.load(Ordering::SeqCst) || started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("stopped after {:.0} s", started.elapsed().as_secs_f64()));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut output = Output {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        files: BTreeMap::new(),
        status,
    };
    for file in files {
        let text = fs::read(root.join(file)).map_err(|e| format!("it left no {file}: {e}"))?;
        output.files.insert(file.clone(), String::from_utf8_lossy(&text).into_owned());
    }
    Ok(output)
}

fn read_all(from: &mut impl std::io::Read) -> String {
    let mut bytes = Vec::new();
    let _ = from.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Applies patches after saving the files they touch; dropping the guard
/// puts the files back.
fn apply(root: &Path, patches: &[String], touches: &[String]) -> Result<Restore> {
    let mut touched: Vec<PathBuf> = touches.iter().map(PathBuf::from).collect();
    for patch in patches {
        let text = fs::read_to_string(root.join(patch)).with_context(|| format!("reading {patch}"))?;
        for line in text.lines() {
            if let Some(path) = line.strip_prefix("+++ b/").or_else(|| line.strip_prefix("--- a/")) {
                let path = PathBuf::from(path.trim());
                if !touched.contains(&path) {
                    touched.push(path);
                }
            }
        }
    }
    let guard = Restore::save(root, &touched, "patched")?;
    for patch in patches {
        let status = Command::new("git")
            .args(["apply", "--whitespace=nowarn", patch])
            .current_dir(root)
            .status()
            .context("running git apply")?;
        if !status.success() {
            bail!(
                "{patch} no longer applies to the tree (git apply said why, above): make the change it describes \
                 by hand and write it again with `git diff > {patch}`"
            );
        }
    }
    Ok(guard)
}

/// Files saved before a change, put back on drop. The copies and a list
/// of them stay on disk until then, so that a run killed halfway is undone
/// by the next one ([`recover`]).
pub struct Restore {
    root: PathBuf,
    dir: PathBuf,
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Restore {
    fn save(root: &Path, files: &[PathBuf], name: &str) -> Result<Restore> {
        let dir = root.join(WORK).join("backup").join(name);
        fs::create_dir_all(&dir)?;
        let mut saved = Vec::new();
        let mut list = String::new();
        for (k, file) in files.iter().enumerate() {
            let content = fs::read(root.join(file)).ok();
            if let Some(bytes) = &content {
                fs::write(dir.join(k.to_string()), bytes)?;
            }
            list.push_str(&format!("{k} {} {}\n", u8::from(content.is_some()), file.display()));
            saved.push((file.clone(), content));
        }
        fs::write(dir.join("files.txt"), list)?;
        Ok(Restore { root: root.to_path_buf(), dir, files: saved })
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        for (file, content) in &self.files {
            let path = self.root.join(file);
            let result = match content {
                Some(bytes) => fs::write(&path, bytes),
                None => fs::remove_file(&path).or_else(|e| if path.exists() { Err(e) } else { Ok(()) }),
            };
            if let Err(e) = result {
                eprintln!(
                    "book-check: could not put back {}: {e}; its copy is in {}",
                    file.display(),
                    self.dir.display()
                );
                return;
            }
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Puts back whatever an earlier, interrupted run left changed.
pub fn recover(root: &Path) -> Result<()> {
    let backups = root.join(WORK).join("backup");
    let Ok(entries) = fs::read_dir(&backups) else { return Ok(()) };
    for entry in entries.filter_map(|e| e.ok()) {
        let dir = entry.path();
        let Ok(list) = fs::read_to_string(dir.join("files.txt")) else { continue };
        for line in list.lines() {
            let mut words = line.splitn(3, ' ');
            let (Some(k), Some(had), Some(file)) = (words.next(), words.next(), words.next()) else { continue };
            let path = root.join(file);
            if had == "1" {
                fs::copy(dir.join(k), &path).with_context(|| format!("putting back {file}"))?;
            } else if path.exists() {
                fs::remove_file(&path)?;
            }
            println!("book-check: put back {file}, which an interrupted run had left changed");
        }
        fs::remove_dir_all(&dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_saved_file_comes_back_even_after_a_crash() {
        let root = std::env::temp_dir().join(format!("book-check-test-{}", std::process::id()));
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(root.join("src/a.rs"), "old").unwrap();
        {
            let _guard = Restore::save(&root, &[PathBuf::from("src/a.rs"), PathBuf::from("src/new.rs")], "t").unwrap();
            fs::write(root.join("src/a.rs"), "patched").unwrap();
            fs::write(root.join("src/new.rs"), "created").unwrap();
        }
        assert_eq!(fs::read_to_string(root.join("src/a.rs")).unwrap(), "old");
        assert!(!root.join("src/new.rs").exists());

        let guard = Restore::save(&root, &[PathBuf::from("src/a.rs")], "t").unwrap();
        fs::write(root.join("src/a.rs"), "patched").unwrap();
        std::mem::forget(guard); // killed before it could put it back
        recover(&root).unwrap();
        assert_eq!(fs::read_to_string(root.join("src/a.rs")).unwrap(), "old");
        assert!(!root.join(WORK).join("backup/t").exists());
        fs::remove_dir_all(&root).unwrap();
    }
}
