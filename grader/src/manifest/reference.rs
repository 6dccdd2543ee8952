//! How long an exercise's reference solution takes, and the deadlines that
//! follow from it.
//!
//! A deadline must be long enough that correct code never runs into it,
//! and short enough that a hang is reported soon: a learner whose kernel
//! deadlocks in exercise 01 should hear it in seconds, not after half a
//! minute. So each manifest says how long its reference solution takes,
//! measured in a grading on the project's 2-core build machine:
//!
//! ```toml
//! [reference]
//! boot_secs = 1.1   # its longest boot, QEMU's start to its exit, less any
//!                   # time its CPU waited for a core (what the deadline counts)
//! host_secs = 0.3   # its host tests, the test binary's whole run
//! ```
//!
//! and a deadline is [`MULTIPLE`] times that, at least a floor
//! ([`BOOT_FLOOR`], [`HOST_FLOOR`]), in whole seconds up:
//!
//! ```text
//! deadline = ceil(max(floor, MULTIPLE × reference))      5 × 1.1 s = 5.5 s -> 6 s
//! ```
//!
//! The multiple leaves room for a slower machine, a busier one (the
//! solutions' boots took twice as long as these numbers with other work on
//! the two cores), and a learner's code that is correct but slower than the
//! reference. The floor of a boot is for QEMU's start-up and the
//! bootloader; that of the host tests for a test whose threads share a core
//! with the boots and other work (a spin lock held across a yield, as in
//! exercise 01's `lines_from_two_threads_stay_whole`: 0.01 s alone on an
//! idle machine, over 2 s with other work on both cores; see
//! [`crate::host_tests`]). `--timeout SECS` replaces both deadlines. The numbers are kept honest by `cargo grade --self-check`,
//! which grades each solution, measures it again, and fails when it takes
//! more than half the deadline (the margin would be half gone), and says
//! so when it takes less than half what its manifest says ([`check`]).

use std::time::Duration;

use serde::Deserialize;

/// How many times the reference's time a deadline is.
pub const MULTIPLE: f64 = 5.0;

/// The shortest deadline of a boot.
pub const BOOT_FLOOR: Duration = Duration::from_secs(3);

/// The shortest deadline of a run of the host tests.
pub const HOST_FLOOR: Duration = Duration::from_secs(5);

/// How far a measurement may stray from the manifest before the
/// self-check says the manifest is out of date.
pub const STALE: f64 = 2.0;

/// `[reference]`: the reference solution's times, in seconds.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// Its longest boot.
    #[serde(default)]
    pub boot_secs: f64,
    /// Its host tests' whole run.
    #[serde(default)]
    pub host_secs: f64,
}

impl Reference {
    /// The deadline of each boot.
    pub fn boot_deadline(&self) -> Duration {
        deadline(self.boot_secs, BOOT_FLOOR)
    }

    /// The deadline of each run of the host test binary.
    pub fn host_deadline(&self) -> Duration {
        deadline(self.host_secs, HOST_FLOOR)
    }
}

/// `ceil(max(floor, MULTIPLE × secs))`.
pub fn deadline(secs: f64, floor: Duration) -> Duration {
    let secs = (MULTIPLE * secs.max(0.0)).max(floor.as_secs_f64());
    Duration::from_secs(secs.ceil() as u64)
}

/// What the self-check says about a measured time, if anything: `Err`
/// when it is more than a [`STALE`]th of the deadline the manifest's number
/// gives (the margin is half gone: correct code may run into it),
/// `Ok(Some(..))` when the number is more than [`STALE`] times the time and
/// a smaller one would shorten the deadline, `Ok(None)` when it fits.
pub fn check(
    what: &str,
    key: &str,
    recorded: f64,
    floor: Duration,
    measured: Duration,
) -> Result<Option<String>, String> {
    let limit = deadline(recorded, floor);
    let secs = measured.as_secs_f64();
    let advice = format!("set `{key} = {secs:.1}` in [reference]");
    if secs * STALE > limit.as_secs_f64() {
        Err(format!(
            "{what} took {secs:.2} s, more than half its deadline of {} s (from the {recorded} s exercise.toml says): {advice}",
            limit.as_secs()
        ))
    } else if secs * STALE < recorded && deadline(secs, floor) < limit {
        Ok(Some(format!(
            "{what} took {secs:.2} s, less than half the {recorded} s exercise.toml says (on this machine): \
             if that holds on the build machine, {advice}"
        )))
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn deadlines_are_a_multiple_with_a_floor_in_whole_seconds() {
        assert_eq!(deadline(1.1, BOOT_FLOOR), Duration::from_secs(6));
        assert_eq!(deadline(5.0, BOOT_FLOOR), Duration::from_secs(25));
        assert_eq!(deadline(0.2, BOOT_FLOOR), BOOT_FLOOR);
        assert_eq!(deadline(0.0, HOST_FLOOR), HOST_FLOOR, "no reference: the floor");
        let reference = Reference { boot_secs: 1.0, host_secs: 1.3 };
        assert_eq!(
            (reference.boot_deadline(), reference.host_deadline()),
            (Duration::from_secs(5), Duration::from_secs(7))
        );
    }

    #[test]
    fn the_self_check_catches_numbers_out_of_date() {
        assert_eq!(check("boots", "boot_secs", 1.0, BOOT_FLOOR, Duration::from_millis(2400)), Ok(None));
        let error = check("its longest boot", "boot_secs", 1.0, BOOT_FLOOR, Duration::from_millis(2600)).unwrap_err();
        assert!(error.contains("2.60 s, more than half its deadline of 5 s (from the 1 s"), "{error}");
        assert!(error.contains("`boot_secs = 2.6`"), "{error}");
        let note = check("its host tests", "host_secs", 2.0, HOST_FLOOR, Duration::from_millis(700)).unwrap().unwrap();
        assert!(note.contains("less than half the 2 s"), "{note}");
        // Under the floor, a small time is never out of date.
        assert_eq!(check("its host tests", "host_secs", 0.1, HOST_FLOOR, Duration::from_millis(30)), Ok(None));
        assert_eq!(check("its host tests", "host_secs", 0.1, HOST_FLOOR, Duration::from_millis(900)), Ok(None));
    }

    /// The debugging chapter's sentence that gives every exercise's
    /// deadlines, written from the manifests: a new measurement in an
    /// `exercise.toml` cannot leave the book behind.
    #[test]
    fn the_book_gives_the_deadlines_the_manifests_make() {
        #[derive(Deserialize)]
        struct Manifest {
            reference: Reference,
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut exercises: Vec<(String, Reference)> = std::fs::read_dir(root.join("exercises"))
            .unwrap()
            .filter_map(|entry| {
                let dir = entry.ok()?.path();
                let text = std::fs::read_to_string(dir.join("exercise.toml")).ok()?;
                let number = dir.file_name()?.to_string_lossy().split('-').next()?.to_string();
                let manifest: Result<Manifest, _> = toml::from_str(&text);
                manifest.ok().map(|m| (number, m.reference))
            })
            .collect();
        exercises.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(exercises.len() >= 6, "the manifests were not found: {exercises:?}");
        // Exercises with the same deadline, in the order of their first.
        let groups = |secs: &dyn Fn(&Reference) -> u64| {
            let mut groups: Vec<(u64, Vec<String>)> = Vec::new();
            for (number, reference) in &exercises {
                match groups.iter_mut().find(|(s, _)| *s == secs(reference)) {
                    Some((_, numbers)) => numbers.push(number.clone()),
                    None => groups.push((secs(reference), vec![number.clone()])),
                }
            }
            groups
        };
        let and = |items: &[String], comma: &str| match items {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{}{comma} and {last}", rest.join(", ")),
        };
        let boots = groups(&|r| r.boot_deadline().as_secs());
        let boots: Vec<String> = boots
            .iter()
            .enumerate()
            .map(|(i, (secs, numbers))| match i {
                0 if numbers.len() > 1 => format!("{secs} seconds a boot for exercises {}", and(numbers, "")),
                0 => format!("{secs} seconds a boot for exercise {}", numbers[0]),
                _ => format!("{secs} for {}", and(numbers, "")),
            })
            .collect();
        // The host tests' most common deadline is "the others'".
        let mut hosts = groups(&|r| r.host_deadline().as_secs());
        hosts.sort_by_key(|(_, numbers)| std::cmp::Reverse(numbers.len()));
        let (others, rest) = hosts.split_first().unwrap();
        let mut host: Vec<String> = rest
            .iter()
            .enumerate()
            .map(|(i, (secs, numbers))| {
                let unit = if i == 0 { " seconds" } else { "" };
                let run = if i == 0 { "a run of " } else { "" };
                format!("{secs}{unit} for {run}exercise {}'s host tests", and(numbers, ""))
            })
            .collect();
        host.push(format!("{} for the others'", others.0));
        let sentence = format!("That is {}, and {}.", and(&boots, ""), host.join(", "));
        let book = std::fs::read_to_string(root.join("book/src/debugging.md")).unwrap();
        let book = book.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            book.contains(&sentence),
            "book/src/debugging.md should say, in its section on `timed_out`:\n{sentence}\n(from the [reference] times of the exercises' manifests)"
        );
    }
}
