//! A host test binary as the grader runs it: where it is, whose it is,
//! its deadline, and the command that runs one of its tests alone.

use std::path::Path;
use std::time::Duration;

/// The command that runs one host test of `package` alone.
pub fn command(package: &str, path: &str) -> String {
    format!("cargo test -p {package} --test host -- {path} --exact")
}

/// A host test binary, and how to report on it.
pub struct Binary<'a> {
    /// The test binary.
    pub exe: &'a Path,
    /// Its cargo package, for the commands in diagnostics.
    pub package: &'a str,
    /// The learner's folder (`exercises/05-memory/`), where a crash is
    /// looked for first.
    pub own: &'a str,
    /// The repository, which the places are named from.
    pub root: &'a Path,
    /// How long one run of it may take.
    pub deadline: Duration,
}
