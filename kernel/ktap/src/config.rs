//! The run configuration the grader hands to a kernel.
//!
//! The grader writes a small text file and asks the bootloader to load it as
//! the kernel's *ramdisk*. It says which test to start from and carries a
//! fresh random nonce that the kernel must echo in its KTAP header, so a
//! stream of `ok` lines that did not come from this very boot is worth
//! nothing. The format is one `key=value` per line:
//!
//! ```text
//! fledge-run 1
//! nonce=5f0c3a9e11d2b470
//! start=1
//! only=no_rdrand_is_an_error
//! ```
//!
//! `only`, when present, names the tests this boot runs; the others are
//! skipped. The grader uses it to run some tests on a different CPU model,
//! and to run the tests after one that must panic in a boot of their own.
//! Unknown keys are ignored, so later versions of the grader can add some.
//!
//! The grader writes a configuration with [`RunConfig`]'s `Display` and the
//! kernel reads it with [`RunConfig::parse`]: one writer, one parser, and a
//! test that the one reads what the other writes.

use core::fmt;

/// The first line of every run configuration.
pub const MAGIC: &str = "fledge-run 1";

/// The longest nonce accepted, in hex digits.
pub const MAX_NONCE_LEN: usize = 64;

/// What the grader asked of this boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig<'a> {
    /// Hex digits to echo in the KTAP header (`# nonce: ...`).
    pub nonce: &'a str,
    /// The number of the first test to run (1-based). Tests before it ran in
    /// an earlier boot that ended with a panic.
    pub start: usize,
    /// Comma-separated names of the only tests to run, or `None` for all.
    pub only: Option<&'a str>,
}

/// Why a run configuration was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The first line is not [`MAGIC`]: this is not a run configuration.
    BadMagic,
    /// A line is not valid UTF-8 or has no `=`.
    Malformed,
    /// `nonce=` is missing, empty, too long or not hex.
    BadNonce,
    /// `start=` is not a positive decimal number.
    BadStart,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigError::BadMagic => "the ramdisk is not a fledge run configuration",
            ConfigError::Malformed => "a line of the run configuration is not key=value",
            ConfigError::BadNonce => "the run configuration has no valid nonce",
            ConfigError::BadStart => "the run configuration's start is not a positive number",
        })
    }
}

impl core::error::Error for ConfigError {}

impl<'a> RunConfig<'a> {
    /// The configuration of a boot that nobody configured: start at the first
    /// test, with no nonce to echo.
    pub const UNCONFIGURED: RunConfig<'static> = RunConfig { nonce: "", start: 1, only: None };

    /// Whether this boot runs the test called `name`.
    pub fn wants(&self, name: &str) -> bool {
        self.only.is_none_or(|only| only.split(',').any(|n| n.trim() == name))
    }

    /// Parses the bytes the grader wrote.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ConfigError> {
        let text = core::str::from_utf8(bytes).map_err(|_| ConfigError::Malformed)?;
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(MAGIC) {
            return Err(ConfigError::BadMagic);
        }
        let mut nonce = None;
        let mut start = 1;
        let mut only = None;
        for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
            let (key, value) = line.split_once('=').ok_or(ConfigError::Malformed)?;
            match key {
                "nonce" => nonce = Some(value),
                "only" => only = Some(value),
                "start" => {
                    start = value.parse().map_err(|_| ConfigError::BadStart)?;
                    if start == 0 {
                        return Err(ConfigError::BadStart);
                    }
                }
                _ => {}
            }
        }
        let nonce = nonce.ok_or(ConfigError::BadNonce)?;
        let is_hex = nonce.bytes().all(|b| b.is_ascii_hexdigit());
        if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN || !is_hex {
            return Err(ConfigError::BadNonce);
        }
        Ok(RunConfig { nonce, start, only })
    }
}

/// The text the grader writes: what [`RunConfig::parse`] reads back.
impl fmt::Display for RunConfig<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{MAGIC}")?;
        writeln!(f, "nonce={}", self.nonce)?;
        writeln!(f, "start={}", self.start)?;
        if let Some(only) = self.only {
            writeln!(f, "only={only}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    extern crate std;

    use std::string::ToString;

    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        for config in [
            RunConfig { nonce: "5f0c3a9e11d2b470", start: 1, only: None },
            RunConfig { nonce: "00", start: 12, only: Some("no_rdrand_is_an_error") },
            RunConfig { nonce: "ab", start: 3, only: Some("one,two,three") },
        ] {
            let text = config.to_string();
            assert_eq!(RunConfig::parse(text.as_bytes()), Ok(config), "{text}");
        }
        let text = RunConfig { nonce: "beef", start: 2, only: Some("a,b") }.to_string();
        assert_eq!(text, "fledge-run 1\nnonce=beef\nstart=2\nonly=a,b\n");
    }

    #[test]
    fn parses_what_the_grader_writes() {
        let config = RunConfig::parse(b"fledge-run 1\nnonce=00ff\nstart=3\n").unwrap();
        assert_eq!(config, RunConfig { nonce: "00ff", start: 3, only: None });
    }

    #[test]
    fn start_defaults_to_one_and_unknown_keys_are_ignored() {
        let config = RunConfig::parse(b"fledge-run 1\nnonce=ab\ncolour=blue\n").unwrap();
        assert_eq!(config.start, 1);
    }

    #[test]
    fn rejects_what_is_not_a_configuration() {
        assert_eq!(RunConfig::parse(b"\x7fELF"), Err(ConfigError::BadMagic));
        assert_eq!(RunConfig::parse(b""), Err(ConfigError::BadMagic));
        assert_eq!(RunConfig::parse(b"fledge-run 1\nnonce"), Err(ConfigError::Malformed));
        assert_eq!(RunConfig::parse(b"fledge-run 1\n"), Err(ConfigError::BadNonce));
        assert_eq!(RunConfig::parse(b"fledge-run 1\nnonce=xyz"), Err(ConfigError::BadNonce));
        assert_eq!(RunConfig::parse(b"fledge-run 1\nnonce=ab\nstart=0"), Err(ConfigError::BadStart));
        assert_eq!(RunConfig::parse(b"fledge-run 1\nnonce=ab\nstart=-1"), Err(ConfigError::BadStart));
    }

    #[test]
    fn only_picks_tests_by_name() {
        let config = RunConfig::parse(b"fledge-run 1\nnonce=ab\nonly=one, two\n").unwrap();
        assert!(config.wants("one") && config.wants("two"));
        assert!(!config.wants("three") && !config.wants("on"));
        assert!(RunConfig::UNCONFIGURED.wants("anything"));
    }
}
