//! The `fledge-store` binary, run on images in a temporary folder: its
//! output and its errors, word for word.

use std::path::Path;
use std::process::Command;

/// What one run of the tool gave: exit status, stdout, stderr.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs `fledge-store args` in `dir`, so that messages name files as given.
fn run(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_fledge-store")).args(args).current_dir(dir).output().unwrap();
    Run {
        status: output.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs it and checks that it succeeded; gives stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let run = run(dir, args);
    assert_eq!(run.status, 0, "{args:?} failed: {}", run.stderr);
    run.stdout
}

/// Runs it and checks that it failed with status 1; gives stderr.
fn fails(dir: &Path, args: &[&str]) -> String {
    let run = run(dir, args);
    assert_eq!(run.status, 1, "{args:?} should fail: {}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    run.stderr
}

/// A fresh image with three commits, an hour apart from 2025-12-01.
fn three_commits(dir: &Path) {
    ok(dir, &["init", "disk.img", "--blocks", "64"]);
    std::fs::write(dir.join("about.txt"), "<p>Me").unwrap();
    let first = ["--author", "ada", "--message", "first page", "--time", "1764547200"];
    assert_eq!(
        ok(dir, &[&["commit", "disk.img"][..], &first, &["index.html=<h1>Hi", "news.html=new"]].concat()),
        "000001\n"
    );
    let second = ["--author", "ada", "-m", "add about", "--time", "1764550800", "about.html=@about.txt"];
    assert_eq!(ok(dir, &[&["commit", "disk.img"][..], &second, &["--remove", "news.html"]].concat()), "000002\n");
    let third = ["--author", "bob", "-m", "typo", "--time", "1764554400", "index.html=<h1>Hi!"];
    assert_eq!(ok(dir, &[&["commit", "disk.img"][..], &third].concat()), "000003\n");
}

const LOG: &str = "\
commit 000003
Author: bob
Date:   2025-12-01 02:00:00 UTC

    typo

    set index.html (7 bytes)

commit 000002
Author: ada
Date:   2025-12-01 01:00:00 UTC

    add about

    set about.html (5 bytes)
    remove news.html

commit 000001
Author: ada
Date:   2025-12-01 00:00:00 UTC

    first page

    set index.html (6 bytes)
    set news.html (3 bytes)

";

#[test]
fn log_lists_the_commits_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    three_commits(dir.path());
    assert_eq!(ok(dir.path(), &["log", "disk.img"]), LOG);
    assert_eq!(ok(dir.path(), &["log", "--oneline", "disk.img"]), "000003 typo\n000002 add about\n000001 first page\n");
}

#[test]
fn show_prints_one_commit_with_its_values() {
    let dir = tempfile::tempdir().unwrap();
    three_commits(dir.path());
    assert_eq!(
        ok(dir.path(), &["show", "disk.img", "000002"]),
        "commit 000002\nParents: 000001\nAuthor: ada\nDate:   2025-12-01 01:00:00 UTC\n\n    add about\n\n\
         \x20   set about.html (5 bytes)\n        <p>Me\n    remove news.html\n\n"
    );
}

#[test]
fn cat_reads_the_head_or_an_older_commit() {
    let dir = tempfile::tempdir().unwrap();
    three_commits(dir.path());
    assert_eq!(ok(dir.path(), &["cat", "disk.img", "index.html"]), "<h1>Hi!");
    assert_eq!(ok(dir.path(), &["cat", "disk.img", "index.html", "--at", "1"]), "<h1>Hi");
    assert_eq!(ok(dir.path(), &["cat", "disk.img", "news.html", "--at", "1"]), "new");
    assert_eq!(
        fails(dir.path(), &["cat", "disk.img", "news.html"]),
        "error: `news.html` holds no value at the head (000003) (disk.img)\n\
         hint: `fledge-store log disk.img` lists what each commit changed\n"
    );
}

#[test]
fn restore_makes_a_new_commit_and_keeps_the_history() {
    let dir = tempfile::tempdir().unwrap();
    three_commits(dir.path());
    assert_eq!(ok(dir.path(), &["restore", "disk.img", "1", "--author", "ada", "--time", "1764558000"]), "000004\n");
    assert_eq!(ok(dir.path(), &["cat", "disk.img", "index.html"]), "<h1>Hi");
    assert_eq!(ok(dir.path(), &["cat", "disk.img", "news.html"]), "new");
    assert_eq!(
        fails(dir.path(), &["cat", "disk.img", "about.html"]).lines().next(),
        Some("error: `about.html` holds no value at the head (000004) (disk.img)")
    );
    let log = ok(dir.path(), &["log", "disk.img"]);
    let restore = "commit 000004\nAuthor: ada\nDate:   2025-12-01 03:00:00 UTC\n\n    restore 000001\n\n\
                   \x20   remove about.html\n    set index.html (6 bytes)\n    set news.html (3 bytes)\n\n";
    assert_eq!(log, format!("{restore}{LOG}"), "nothing is lost");
    assert_eq!(ok(dir.path(), &["cat", "disk.img", "index.html", "--at", "3"]), "<h1>Hi!");
}

#[test]
fn tar_lists_the_members() {
    let dir = tempfile::tempdir().unwrap();
    three_commits(dir.path());
    let output = Command::new("tar").args(["tf", "disk.img"]).current_dir(dir.path()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "000001 first page\n000002 add about\n000003 typo\n");
}

#[test]
fn reading_a_torn_log_notes_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    three_commits(dir.path());
    let path = dir.path().join("disk.img");
    let mut bytes = std::fs::read(&path).unwrap();
    // Commit 3's record: its header is at block 4.
    bytes[5 * 512 + 20] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let run = run(dir.path(), &["log", "--oneline", "disk.img"]);
    assert_eq!((run.status, run.stdout.as_str()), (0, "000002 add about\n000001 first page\n"));
    assert!(
        run.stderr
            .starts_with("note: the log stops at block 4, where a member is not whole (the record: contents CRC-32C")
    );
    assert!(run.stderr.ends_with("opening the store for writing (restore, commit) would truncate the log there\n"));
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the image is unchanged");
}

#[test]
fn a_missing_file_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        fails(dir.path(), &["log", "missing.img"]),
        "error: cannot open the image: No such file or directory (missing.img)\n\
         hint: check the path; `fledge-store init missing.img` creates a new, empty store\n"
    );
}

#[test]
fn a_file_that_is_not_a_store_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), [b"hello\n".as_slice(), &[0; 2048]].concat()).unwrap();
    let expected = "error: the file is not a Fledge store: the device does not hold a store's log that reads back whole (notes.txt)\n\
                    hint: check the path; `fledge-store init NEW.img` creates a new, empty store\n";
    assert_eq!(fails(dir.path(), &["log", "notes.txt"]), expected);
    assert_eq!(fails(dir.path(), &["commit", "notes.txt", "--author", "a", "-m", "m", "k=v"]), expected);
}

#[test]
fn restoring_a_missing_commit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    three_commits(dir.path());
    let before = std::fs::read(dir.path().join("disk.img")).unwrap();
    assert_eq!(
        fails(dir.path(), &["restore", "disk.img", "9", "--author", "ada"]),
        "error: there is no commit 000009: the newest is 000003 (disk.img)\n\
         hint: `fledge-store log --oneline disk.img` lists the commits\n"
    );
    assert_eq!(std::fs::read(dir.path().join("disk.img")).unwrap(), before);
}

#[test]
fn init_refuses_a_file_that_exists() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "disk.img"]);
    assert_eq!(std::fs::metadata(dir.path().join("disk.img")).unwrap().len(), 2048 * 512);
    assert_eq!(
        fails(dir.path(), &["init", "disk.img"]),
        "error: cannot create the image: File exists (disk.img)\nhint: choose another name, or remove the file first\n"
    );
}

/// Two commits, then a third whose power is cut after `args`' request.
fn cut_third(dir: &Path, args: &[&str]) -> Run {
    ok(dir, &["init", "disk.img", "--blocks", "64"]);
    ok(
        dir,
        &["commit", "disk.img", "--author", "ada", "-m", "first page", "--time", "1764547200", "index.html=<h1>Hi"],
    );
    ok(dir, &["commit", "disk.img", "--author", "ada", "-m", "add about", "--time", "1764550800", "about.html=<p>Me"]);
    let third = ["commit", "disk.img", "--author", "bob", "-m", "typo", "--time", "1764554400", "index.html=<h1>Hi!"];
    run(dir, &[&third[..], args].concat())
}

/// `tar tf` on the image: its exit status, listing and complaints.
fn tar_tf(dir: &Path) -> Run {
    let output = Command::new("tar").args(["tf", "disk.img"]).current_dir(dir).output().unwrap();
    Run {
        status: output.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_cut_before_the_last_flush_loses_the_commit_and_the_next_commit_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let cut = cut_third(dir.path(), &["--cut-after", "3"]);
    assert_eq!((cut.status, cut.stdout.as_str()), (1, ""));
    assert_eq!(
        cut.stderr,
        "the power was cut after disk request 3:\n  1  write blocks 5-7\n  2  flush\n  3  write block 4\n\
         \x20 4  flush (failed: no power)\nlost in the cut: block 4, written and never flushed\n\
         error: the commit was not acknowledged: the block device failed: the device reported an I/O error (disk.img)\n\
         hint: `fledge-store log disk.img` shows what the cut left, writing nothing; the next commit recovers the log first\n"
    );
    // The record reached the disk, its header did not: tar stops at the
    // zeros where the header should be, and says what follows them.
    let bytes = std::fs::read(dir.path().join("disk.img")).unwrap();
    assert!(bytes[4 * 512..5 * 512].iter().all(|&b| b == 0), "the header was lost");
    assert!(bytes[5 * 512..].starts_with(b"fledge-commit 000003\n"), "the record was flushed");
    let tar = tar_tf(dir.path());
    assert_eq!((tar.status, tar.stdout.as_str()), (0, "000001 first page\n000002 add about\n"));
    assert!(tar.stderr.contains("A lone zero block"), "{}", tar.stderr);
    assert_eq!(ok(dir.path(), &["log", "--oneline", "disk.img"]), "000002 add about\n000001 first page\n");
    assert_eq!(std::fs::read(dir.path().join("disk.img")).unwrap(), bytes, "reading wrote nothing");

    // Opening for writing recovers the log: the next commit is 3.
    let again =
        ["commit", "disk.img", "--author", "bob", "-m", "typo, again", "--time", "1764558000", "index.html=<h1>Hi!"];
    assert_eq!(ok(dir.path(), &again), "000003\n");
    let tar = tar_tf(dir.path());
    assert_eq!(
        (tar.status, tar.stdout.as_str(), tar.stderr.as_str()),
        (0, "000001 first page\n000002 add about\n000003 typo, again\n", "")
    );
}

#[test]
fn a_kept_header_makes_the_unacknowledged_commit_whole() {
    let dir = tempfile::tempdir().unwrap();
    let cut = cut_third(dir.path(), &["--cut-after", "3", "--keep-block", "4"]);
    assert_eq!(cut.status, 1);
    assert!(
        cut.stderr.contains(
            "kept in the cut (--keep-block): block 4, written and never flushed\nlost in the cut: nothing else\n"
        ),
        "{}",
        cut.stderr
    );
    assert_eq!(ok(dir.path(), &["log", "--oneline", "disk.img"]), "000003 typo\n000002 add about\n000001 first page\n");
}

#[test]
fn a_cut_after_the_last_flush_keeps_the_acknowledged_commit() {
    let dir = tempfile::tempdir().unwrap();
    let cut = cut_third(dir.path(), &["--cut-after", "4"]);
    assert_eq!((cut.status, cut.stdout.as_str()), (0, "000003\n"));
    assert!(
        cut.stderr.ends_with(
            "  4  flush\nlost in the cut: nothing, every write had been flushed\ncommit 000003 was acknowledged before the cut\n"
        ),
        "{}",
        cut.stderr
    );
    let other = tempfile::tempdir().unwrap();
    let late = cut_third(other.path(), &["--cut-after", "9"]);
    assert_eq!(
        (late.status, late.stdout.as_str(), late.stderr.as_str()),
        (0, "000003\n", "note: the command made 4 disk requests, so the power was never cut (--cut-after 9)\n")
    );
}

#[test]
fn keep_block_needs_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "disk.img", "--blocks", "64"]);
    let run = run(dir.path(), &["commit", "disk.img", "--author", "a", "-m", "m", "k=v", "--keep-block", "4"]);
    assert_eq!(run.status, 2, "clap refuses it: {}", run.stderr);
    assert!(run.stderr.contains("--cut-after <N>"), "{}", run.stderr);
}
