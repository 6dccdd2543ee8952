//! `fledge-store`: a Fledge store's disk image, read and written from the
//! host.
//!
//! Exercise 10's store keeps its log as a tar archive on a block device;
//! when the device is a file (a QEMU drive, `-drive
//! file=disk.img,format=raw`), this tool reads and writes the same
//! store from the host, with the same crate (`fledge_store`) over
//! `fledge_hosted::HostDisk`:
//!
//! ```text
//! $ fledge-store init disk.img --blocks 2048
//! $ fledge-store commit disk.img --author ada --message "first page" index.html='<h1>Hi'
//! 000001
//! $ fledge-store log --oneline disk.img     # the history, newest first
//! $ fledge-store show disk.img 1            # one commit, with its values
//! $ fledge-store cat disk.img index.html --at 1
//! $ fledge-store restore disk.img 1 --author ada
//! ```
//!
//! `log`, `show` and `cat` open the image read-only and write nothing
//! (see [`image`]); `restore` and `commit` add a commit, and never
//! change one: the history keeps everything. Every failure prints what
//! happened, the file, and the next step, and exits with status 1
//! (see [`failure`]).
//!
//! Two options of `commit` are hidden from `--help`, for tests and the
//! book: `--time SECS` stamps the commit with a fixed time, and
//! `--cut-after N` (with `--keep-block BLOCK`) cuts the power after the
//! command's Nth disk write or flush, on the real image (see [`cut`]).

mod cut;
mod date;
mod failure;
mod image;
mod print;
mod restore;

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use fledge_api::BLOCK_SIZE;
use fledge_api::store::{Change, CommitId, MAX_CHANGES, Store};

use crate::failure::Failure;

/// Reads and writes a Fledge store's disk image.
#[derive(Debug, Parser)]
#[command(name = "fledge-store", version, about)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Prints the history, newest first, as `git log` does (read-only).
    Log {
        /// The disk image.
        image: PathBuf,
        /// One line a commit: its id and message.
        #[arg(long)]
        oneline: bool,
    },
    /// Prints one commit in full, with the values it set (read-only).
    Show {
        /// The disk image.
        image: PathBuf,
        /// The commit's number: 3 or 000003.
        commit: u32,
    },
    /// Writes a key's value, as raw bytes, to stdout (read-only).
    Cat {
        /// The disk image.
        image: PathBuf,
        /// The key.
        key: OsString,
        /// The value just after this commit, instead of at the head.
        #[arg(long, value_name = "COMMIT")]
        at: Option<u32>,
    },
    /// Makes a new commit that brings every key back to its state at a commit.
    Restore {
        /// The disk image.
        image: PathBuf,
        /// The commit whose state to bring back.
        commit: u32,
        /// Who restores.
        #[arg(long)]
        author: String,
        /// The commit's time in seconds since 1970 (for tests).
        #[arg(long, hide = true)]
        time: Option<u64>,
    },
    /// Creates an image of zeros: an empty store.
    Init {
        /// The disk image to create; it must not exist.
        image: PathBuf,
        /// Its size, in blocks of 512 bytes.
        #[arg(long, default_value_t = 2048, value_parser = clap::value_parser!(u64).range(4..))]
        blocks: u64,
    },
    /// Makes a commit: sets (KEY=VALUE, KEY=@FILE), then removes (--remove KEY).
    Commit {
        /// The disk image.
        image: PathBuf,
        /// Who commits.
        #[arg(long)]
        author: String,
        /// Why, in one line.
        #[arg(long, short)]
        message: String,
        /// KEY=VALUE sets KEY to the bytes of VALUE; KEY=@FILE to the bytes of FILE.
        #[arg(value_name = "KEY=VALUE")]
        sets: Vec<OsString>,
        /// Removes KEY (after the sets).
        #[arg(long = "remove", value_name = "KEY")]
        removes: Vec<OsString>,
        /// The commit's time in seconds since 1970 (for tests).
        #[arg(long, hide = true)]
        time: Option<u64>,
        /// Cuts the power after the command's Nth disk write or flush (for
        /// the book and tests; see `cut.rs`).
        #[arg(long, hide = true, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        cut_after: Option<u64>,
        /// With --cut-after: the unflushed writes of this block reach the
        /// disk anyway.
        #[arg(long, hide = true, value_name = "BLOCK", requires = "cut_after", value_delimiter = ',')]
        keep_block: Vec<u64>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `command`.
fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Log { image, oneline } => {
            let mut commits = read(&image)?.commits;
            commits.reverse();
            let text = if oneline { print::oneline(&commits) } else { print::log(&commits) };
            output(text.as_bytes())
        }
        Command::Show { image, commit } => {
            let log = read(&image)?;
            output(print::show(log.commit(commit, &image)?).as_bytes())
        }
        Command::Cat { image, key, at } => cat(&image, key.as_bytes(), at),
        Command::Restore { image, commit, author, time } => restore(&image, commit, &author, time),
        Command::Init { image, blocks } => {
            image::create(&image, blocks)?;
            let kib = blocks * BLOCK_SIZE as u64 / 1024;
            eprintln!("created {}: {blocks} blocks ({kib} KiB), an empty store", image.display());
            Ok(())
        }
        Command::Commit { image, author, message, sets, removes, time, cut_after, keep_block } => {
            let mut changes = Vec::new();
            for set in &sets {
                changes.push(parse_set(set, &image)?);
            }
            changes.extend(removes.iter().map(|key| Change::remove(key.as_bytes())));
            if changes.is_empty() {
                return Err(Failure::new("nothing to commit", &image, "give KEY=VALUE, KEY=@FILE or --remove KEY"));
            }
            let time = time.unwrap_or_else(now);
            if let Some(after) = cut_after {
                let plan = cut::Plan { after: after as usize, keep: keep_block };
                return output(cut::commit(&image, &changes, &author, &message, time, &plan)?.as_bytes());
            }
            let mut store = open(&image)?;
            store.set_time(time);
            let id = store
                .commit(&changes, &author, &message)
                .map_err(|e| Failure::store("no commit was made", e, &image))?;
            output(format!("{id}\n").as_bytes())
        }
    }
}

/// The log of `image`, read without writing, with a note on stderr if it
/// stops at a torn member.
fn read(image: &Path) -> Result<image::Log, Failure> {
    let log = image::read(image)?;
    if let Some((block, why)) = log.torn {
        eprintln!("{}", print::torn_note(block, why));
    }
    Ok(log)
}

/// The store on `image`, opened for writing, with a note on stderr if
/// opening it truncated a torn member.
fn open(image: &Path) -> Result<fledge_store::LogStore<fledge_hosted::HostDisk>, Failure> {
    let store = image::open(image)?;
    if let Some((block, why)) = store.truncated() {
        eprintln!("{}", print::truncated_note(block, why));
    }
    Ok(store)
}

/// `fledge-store cat`: the value of `key` at the head or at commit `at`.
fn cat(image: &Path, key: &[u8], at: Option<u32>) -> Result<(), Failure> {
    let log = read(image)?;
    let (id, place) = match at {
        Some(n) => (log.commit(n, image)?.id, format!("at commit {}", CommitId(n))),
        None => match log.head() {
            Some(head) => (head, format!("at the head ({head})")),
            None => (CommitId(0), "in a store with no commits".to_string()),
        },
    };
    match log.state_at(id).get(key) {
        Some(value) => output(value),
        None => Err(Failure::new(
            format!("`{}` holds no value {place}", print::key(key)),
            image,
            format!("`fledge-store log {}` lists what each commit changed", image.display()),
        )),
    }
}

/// `fledge-store restore`: a new commit that brings every key back to its
/// state at commit `n`.
fn restore(image: &Path, n: u32, author: &str, time: Option<u64>) -> Result<(), Failure> {
    // Refuse a missing commit before opening for writing, which may write.
    read(image)?.commit(n, image)?;
    let mut store = open(image)?;
    let mut history = store.history().map_err(|e| Failure::store("cannot read the log", e, image))?;
    history.reverse();
    let log = image::Log { commits: history, torn: None };
    let head = log.state_at(log.head().unwrap_or(CommitId(0)));
    let changes = restore::changes(&head, &log.state_at(CommitId(n)));
    if changes.is_empty() {
        eprintln!("nothing to restore: the head already holds what commit {} held", CommitId(n));
        return Ok(());
    }
    if changes.len() > MAX_CHANGES {
        let what = format!("restoring {} takes {} changes, more than one commit may make", CommitId(n), changes.len());
        let next = format!("undo it in parts with `fledge-store commit`, at most {MAX_CHANGES} changes each");
        return Err(Failure::new(what, image, next));
    }
    store.set_time(time.unwrap_or_else(now));
    let message = format!("restore {}", CommitId(n));
    let id = store.commit(&changes, author, &message).map_err(|e| Failure::store("no commit was made", e, image))?;
    output(format!("{id}\n").as_bytes())
}

/// A `KEY=VALUE` or `KEY=@FILE` argument as a set.
fn parse_set(arg: &OsStr, image: &Path) -> Result<Change, Failure> {
    let bytes = arg.as_bytes();
    let Some(eq) = bytes.iter().position(|&b| b == b'=') else {
        let what = format!("`{}` is not KEY=VALUE", arg.display());
        return Err(Failure::new(what, image, "give each set as KEY=VALUE or KEY=@FILE"));
    };
    let (key, value) = (&bytes[..eq], &bytes[eq + 1..]);
    let value = match value.strip_prefix(b"@") {
        Some(file) => {
            let file = Path::new(OsStr::from_bytes(file));
            let doing = format!("cannot read the value of `{}`", print::key(key));
            std::fs::read(file).map_err(|error| Failure::io(&doing, &error, file))?
        }
        None => value.to_vec(),
    };
    Ok(Change::set(key, value))
}

/// Writes `bytes` to stdout.
fn output(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::io("cannot write", &e, Path::new("stdout")))
}

/// The host's time, in seconds since 1970.
fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
}
