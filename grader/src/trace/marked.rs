//! Which dumps on a boot's COM2 belong to which test.
//!
//! A kernel test that is judged from its trace writes, on COM2, a marker
//! line `# trace NAME` (NAME is the test's name, as in its KTAP result)
//! directly before each dump of its ring:
//!
//! ```text
//! other output                                  <- not a trace's
//! # trace sleep_lasts_50_ms                     <- the marker
//! fledge-trace version=1 tsc-hz=2000000000      <- must be the very next line
//! ...
//! end events=42 dropped=0
//! # trace sleep_lasts_50_ms                     <- the same test dumps again:
//! fledge-trace version=1 tsc-hz=2000000000      <- its events since the last dump
//! ...
//! ```
//!
//! A test's trace is all the dumps its markers introduce, in order, joined
//! into one: the events one after the other, the drops added up. They
//! must agree on the TSC's frequency. A marker that is not followed by a
//! dump, or a dump that is garbled or cut short, is an error naming its
//! line in the COM2 text; lines count from 1, as in `com2.log`.

use super::decode::decode_from;
use super::{Dump, TraceError};

/// The marker's beginning; the test's name follows.
pub const MARKER: &str = "# trace ";

/// The trace `test` dumped in `com2`, its dumps joined; `None` when no
/// marker names it.
pub fn of_test(com2: &str, test: &str) -> Result<Option<Dump>, TraceError> {
    let lines: Vec<&str> = com2.lines().map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut joined: Option<Dump> = None;
    for (index, line) in lines.iter().enumerate() {
        if line.strip_prefix(MARKER) != Some(test) {
            continue;
        }
        let marker = index + 1;
        if !lines.get(index + 1).is_some_and(|next| next.starts_with("fledge-trace ")) {
            let problem = format!(
                "the marker `{line}` is not followed by a dump: its next line should be fledge-trace's header, `fledge-trace version=1 tsc-hz=HZ`"
            );
            return Err(TraceError::new((marker + 1).min(lines.len()), problem));
        }
        // The dump ends before the next marker: one cut short must not
        // read on into the next test's.
        let next = lines[index + 1..].iter().position(|l| l.starts_with(MARKER)).map_or(lines.len(), |n| index + 1 + n);
        let dump = decode_from(&lines[..next].join("\n"), marker + 1)?;
        joined = Some(match joined {
            None => dump,
            Some(so_far) => join(so_far, dump, marker + 1)?,
        });
    }
    Ok(joined)
}

/// `later`'s events after `earlier`'s; `header` is `later`'s header line.
fn join(mut earlier: Dump, later: Dump, header: usize) -> Result<Dump, TraceError> {
    if later.tsc_hz != earlier.tsc_hz {
        let hz = |hz: Option<u64>| hz.map_or("unknown".to_string(), |hz| hz.to_string());
        let problem = format!(
            "this dump says tsc-hz={}, but the test's first dump said tsc-hz={}: one test's dumps must agree",
            hz(later.tsc_hz),
            hz(earlier.tsc_hz)
        );
        return Err(TraceError::new(header, problem));
    }
    earlier.records.extend(later.records);
    earlier.dropped += later.dropped;
    earlier.end_line = later.end_line;
    Ok(earlier)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COM2: &str = "\
boot noise
# trace first
fledge-trace version=1 tsc-hz=1000
1 spawn 0 a
end events=1 dropped=0
# trace second
fledge-trace version=1 tsc-hz=1000
5 spawn 0 b
end events=1 dropped=0
# trace first
fledge-trace version=1 tsc-hz=1000
2 poll 0
3 ready 0
end events=2 dropped=1
";

    #[test]
    fn a_test_s_dumps_are_joined_and_keep_their_com2_lines() {
        let first = of_test(COM2, "first").unwrap().unwrap();
        let lines: Vec<(usize, u64)> = first.records.iter().map(|r| (r.line, r.tsc)).collect();
        assert_eq!(lines, [(4, 1), (12, 2), (13, 3)]);
        assert_eq!((first.tsc_hz, first.dropped, first.end_line), (Some(1000), 1, 14));
        let second = of_test(COM2, "second").unwrap().unwrap();
        assert_eq!(second.records.len(), 1);
        assert_eq!(of_test(COM2, "third"), Ok(None), "no marker, no trace");
        assert_eq!(of_test(COM2, "fir"), Ok(None), "a marker names a whole test");
    }

    #[test]
    fn a_cut_short_or_garbled_dump_names_its_line() {
        let cut = "# trace t\nfledge-trace version=1 tsc-hz=1000\n1 spawn 0 a\n2 poll 0\n";
        assert_eq!(
            of_test(cut, "t").unwrap_err().to_string(),
            "trace, line 4: the dump begun on line 2 has no end line: it was cut short"
        );
        let before_another = format!("{cut}# trace u\nfledge-trace version=1 tsc-hz=1000\nend events=0 dropped=0\n");
        assert_eq!(
            of_test(&before_another, "t").unwrap_err().to_string(),
            "trace, line 4: the dump begun on line 2 has no end line: it was cut short"
        );
        assert!(of_test(&before_another, "u").unwrap().is_some(), "the next test's dump is whole");
        let garbled =
            "x\n# trace t\nfledge-trace version=1 tsc-hz=1000\n1 spawn 0 a\n2 pol\u{fffd} 0\nend events=2 dropped=0\n";
        assert_eq!(
            of_test(garbled, "t").unwrap_err().to_string(),
            "trace, line 5: `pol\u{fffd}` is not an event kind, in `2 pol\u{fffd} 0`"
        );
        let lonely = "# trace t\nsomething else\n";
        assert!(
            of_test(lonely, "t")
                .unwrap_err()
                .to_string()
                .starts_with("trace, line 2: the marker `# trace t` is not followed by a dump")
        );
        let at_the_end = "# trace t\n";
        assert_eq!(of_test(at_the_end, "t").unwrap_err().line, 1);
    }

    #[test]
    fn one_test_s_dumps_agree_on_the_frequency() {
        let text = "# trace t\nfledge-trace version=1 tsc-hz=1000\nend events=0 dropped=0\n\
                    # trace t\nfledge-trace version=1 tsc-hz=unknown\nend events=0 dropped=0\n";
        assert_eq!(
            of_test(text, "t").unwrap_err().to_string(),
            "trace, line 5: this dump says tsc-hz=unknown, but the test's first dump said tsc-hz=1000: one test's dumps must agree"
        );
    }
}
