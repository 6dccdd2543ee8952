//! Failures: what went wrong, in which file, and what to do next.
//!
//! Every command that fails prints two lines to stderr and exits with
//! status 1:
//!
//! ```text
//! error: the file is not a Fledge store: the device does not hold a store's log that reads back whole (notes.txt)
//! hint: check the path; `fledge-store init NEW.img` creates a new, empty store
//! ```
//!
//! The first says what happened, with each error below it that the
//! store's error types chain by `source()` (see `fledge_api::errors`),
//! then the file. The second is the next step.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::Path;

use fledge_api::store::{MAX_AUTHOR, MAX_CHANGES, MAX_KEY, MAX_MESSAGE, MAX_VALUE, StoreError};
use fledge_api::{BlockError, CommitId};

/// A command that failed: printed as `error: <what> (<file>)` and
/// `hint: <next>`.
#[derive(Debug)]
pub struct Failure {
    /// What happened, without the file.
    pub what: String,
    /// The file it happened to.
    pub file: String,
    /// What to do about it.
    pub next: String,
}

impl Failure {
    /// A failure with `file`, shown as given on the command line.
    pub fn new(what: impl Into<String>, file: &Path, next: impl Into<String>) -> Failure {
        Failure { what: what.into(), file: file.display().to_string(), next: next.into() }
    }

    /// A host file that could not be opened, read or written: `doing`
    /// says which.
    pub fn io(doing: &str, error: &io::Error, file: &Path) -> Failure {
        let next = match error.kind() {
            io::ErrorKind::NotFound => {
                format!("check the path; `fledge-store init {}` creates a new, empty store", file.display())
            }
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                "check the file's permissions".to_string()
            }
            io::ErrorKind::AlreadyExists => "choose another name, or remove the file first".to_string(),
            _ => "check the file and the disk it is on".to_string(),
        };
        Failure::new(format!("{doing}: {}", io_text(error)), file, next)
    }

    /// The store refused or failed while `doing` something.
    pub fn store(doing: &str, error: StoreError, file: &Path) -> Failure {
        let next = match error {
            StoreError::Corrupt => {
                let what = format!("the file is not a Fledge store: {}", chain(&error));
                return Failure::new(
                    what,
                    file,
                    "check the path; `fledge-store init NEW.img` creates a new, empty store",
                );
            }
            StoreError::Full => {
                "the image is full; a bigger one (`fledge-store init NEW.img --blocks N`) has room for more commits"
                    .to_string()
            }
            StoreError::TooLarge | StoreError::Invalid => format!(
                "keys are 1 to {MAX_KEY} bytes and values at most {MAX_VALUE}; the author (at most {MAX_AUTHOR} bytes) and the message (at most {MAX_MESSAGE}) are one line each; a commit makes at most {MAX_CHANGES} changes"
            ),
            StoreError::NotFound => format!("`fledge-store log --oneline {}` lists the commits", file.display()),
            StoreError::Device(BlockError::ReadOnly) => "check the file's permissions".to_string(),
            StoreError::Device(_) => "check the file and the disk it is on (permissions, free space)".to_string(),
        };
        Failure::new(format!("{doing}: {}", chain(&error)), file, next)
    }

    /// There is no commit `id` in the log, whose newest is `head`.
    pub fn no_commit(id: u32, head: Option<CommitId>, file: &Path) -> Failure {
        let what = match head {
            Some(head) => format!("there is no commit {}: the newest is {head}", CommitId(id)),
            None => format!("there is no commit {}: the store has no commits yet", CommitId(id)),
        };
        Failure::new(what, file, format!("`fledge-store log --oneline {}` lists the commits", file.display()))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {} ({})\nhint: {}", self.what, self.file, self.next)
    }
}

/// `error`, then each error below it, separated by ": ".
pub fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut below = error.source();
    while let Some(lower) = below {
        text += ": ";
        text += &lower.to_string();
        below = lower.source();
    }
    text
}

/// A host error's text without std's ` (os error N)`: the number says
/// nothing the text does not.
fn io_text(error: &io::Error) -> String {
    let mut text = error.to_string();
    if let Some(at) = text.rfind(" (os error ") {
        text.truncate(at);
    }
    text
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_device_error_prints_its_chain_and_the_file() {
        let failure = Failure::store("the commit was not made", StoreError::Device(BlockError::Io), Path::new("d.img"));
        assert_eq!(
            failure.to_string(),
            "error: the commit was not made: the block device failed: the device reported an I/O error (d.img)\n\
             hint: check the file and the disk it is on (permissions, free space)"
        );
    }

    #[test]
    fn a_host_error_loses_its_number() {
        let error = io::Error::from_raw_os_error(2);
        let failure = Failure::io("cannot open the image", &error, Path::new("gone.img"));
        assert_eq!(failure.what, "cannot open the image: No such file or directory");
    }
}
