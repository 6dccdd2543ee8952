//! Judging a test's PCI enumeration (`[test.pci]`), once the kernel said
//! `ok`: the functions it reported on bus 0, one `# pci BB:DD.F VVVV:DDDD`
//! line each between its `# run` marker and its result, must be exactly
//! the ones QEMU attached, as QEMU itself listed them before the guest ran
//! (`boot-N/qemu-pci.txt`, [`crate::pci`]).
//!
//! ```text
//! QEMU:    00:00.0 8086:1237   00:01.0 8086:7000   00:01.1 8086:7010   00:01.3 8086:7113   ...
//! kernel:  00:00.0 8086:1237   00:01.0 8086:7000                                           ...
//!     ──> "it missed 00:01.1 8086:7010 (function 1 of multi-function device 01), ..."
//! ```
//!
//! A missing function of a device that has others is named as such: a
//! scan that reads function 0 only, or ignores the header type's
//! multi-function bit, misses exactly those.

use std::collections::{BTreeMap, BTreeSet};

use crate::pci::{Function, PREFIX};

/// Checks the test's `output` lines against what QEMU listed.
pub fn judge(output: &[String], qemu: Result<Vec<Function>, String>) -> Result<(), String> {
    let attached = qemu.map_err(|why| {
        format!("the test passed, but the grader could not ask QEMU which PCI functions it attached ({why}), so the list cannot be checked")
    })?;
    let mut reported = BTreeSet::new();
    for line in output.iter().filter(|l| l.starts_with(PREFIX.trim_end())) {
        let Some(function) = line.strip_prefix(PREFIX).and_then(Function::parse) else {
            return Err(format!(
                "the test printed `{line}`, which is not `# pci BB:DD.F VVVV:DDDD` (bus, device, function, vendor id, \
                 device id: 2, 2, 1, 4 and 4 hex digits, in lowercase, e.g. `# pci 00:04.0 1af4:1005`)"
            ));
        };
        if !reported.insert(function) {
            return Err(format!("the test reported {function} twice: one line per function"));
        }
    }
    let attached: BTreeSet<Function> = attached.into_iter().collect();
    if reported == attached {
        return Ok(());
    }
    let by_address = |set: &BTreeSet<Function>| -> BTreeMap<(u8, u8, u8), Function> {
        set.iter().map(|f| ((f.bus, f.slot, f.function), *f)).collect()
    };
    let (theirs, ours) = (by_address(&attached), by_address(&reported));
    let mut problems = Vec::new();
    if reported.is_empty() {
        problems.push("it reported no function at all (one `# pci BB:DD.F VVVV:DDDD` line for each, between its `# run` line and its result)".to_string());
    }
    let mut missed = Vec::new();
    for (address, f) in &theirs {
        match ours.get(address) {
            Some(said) if said == f => {}
            Some(said) => problems.push(format!(
                "it reported {:02x}:{:02x}.{:x} as {:04x}:{:04x}, but QEMU's is {:04x}:{:04x}",
                f.bus, f.slot, f.function, said.vendor, said.device, f.vendor, f.device
            )),
            None if reported.is_empty() => {}
            None => {
                let siblings = theirs.keys().filter(|(b, s, _)| (*b, *s) == (f.bus, f.slot)).count();
                let more = if siblings > 1 {
                    format!(" (function {} of multi-function device {:02x})", f.function, f.slot)
                } else {
                    String::new()
                };
                missed.push(format!("{f}{more}"));
            }
        }
    }
    if !missed.is_empty() {
        problems.push(format!("it missed {}", missed.join(", ")));
    }
    let extra: Vec<String> =
        ours.iter().filter(|(address, _)| !theirs.contains_key(address)).map(|(_, f)| f.to_string()).collect();
    if !extra.is_empty() {
        problems.push(format!("it reported {}, which QEMU did not attach", extra.join(", ")));
    }
    let list: Vec<String> = attached.iter().map(Function::to_string).collect();
    Err(format!(
        "the test passed, but the PCI functions it reported are not the ones QEMU attached: {}. QEMU attached on bus 0: {}",
        problems.join("; "),
        list.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What QEMU 7.2 lists for the grader's machine with virtio-rng in slot 4.
    fn qemu() -> Result<Vec<Function>, String> {
        let reply: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/pci/query-pci-virtio-rng.json")).unwrap();
        crate::pci::from_query(&reply["return"])
    }

    fn lines(functions: &[&str]) -> Vec<String> {
        let mut out = vec!["scanning bus 0".to_string()];
        out.extend(functions.iter().map(|f| format!("# pci {f}")));
        out
    }

    const ALL: [&str; 6] = [
        "00:00.0 8086:1237",
        "00:01.0 8086:7000",
        "00:01.1 8086:7010",
        "00:01.3 8086:7113",
        "00:02.0 1234:1111",
        "00:04.0 1af4:1005",
    ];

    #[test]
    fn the_same_functions_in_any_order_pass() {
        assert_eq!(judge(&lines(&ALL), qemu()), Ok(()));
        let mut shuffled = ALL;
        shuffled.reverse();
        assert_eq!(judge(&lines(&shuffled), qemu()), Ok(()));
    }

    #[test]
    fn missing_functions_are_named_with_their_device() {
        let why = judge(&lines(&[ALL[0], ALL[1], ALL[4], ALL[5]]), qemu()).unwrap_err();
        assert!(
            why.contains(
                "it missed 00:01.1 8086:7010 (function 1 of multi-function device 01), 00:01.3 8086:7113 (function 3 of multi-function device 01)"
            ),
            "{why}"
        );
        assert!(why.ends_with(&format!("QEMU attached on bus 0: {}", ALL.join(", "))), "{why}");
        let why = judge(&lines(&ALL[..5]), qemu()).unwrap_err();
        assert!(why.contains("it missed 00:04.0 1af4:1005.") || why.contains("it missed 00:04.0 1af4:1005;"), "{why}");
    }

    #[test]
    fn extra_and_wrong_functions_are_named() {
        let mut more = ALL.to_vec();
        more.push("00:05.0 1af4:1001");
        let why = judge(&lines(&more), qemu()).unwrap_err();
        assert!(why.contains("it reported 00:05.0 1af4:1001, which QEMU did not attach"), "{why}");
        let mut wrong = ALL.to_vec();
        wrong[5] = "00:04.0 1af4:1044";
        let why = judge(&lines(&wrong), qemu()).unwrap_err();
        assert!(why.contains("it reported 00:04.0 as 1af4:1044, but QEMU's is 1af4:1005"), "{why}");
    }

    #[test]
    fn bad_lines_nothing_at_all_and_a_silent_qemu_fail() {
        let why = judge(&lines(&["00:04.0 1AF4:1005"]), qemu()).unwrap_err();
        assert!(why.starts_with("the test printed `# pci 00:04.0 1AF4:1005`, which is not"), "{why}");
        let why = judge(&lines(&[ALL[0], ALL[0]]), qemu()).unwrap_err();
        assert!(why.contains("reported 00:00.0 8086:1237 twice"), "{why}");
        let why = judge(&lines(&[]), qemu()).unwrap_err();
        assert!(why.contains("it reported no function at all") && !why.contains("missed"), "{why}");
        let why = judge(&lines(&ALL), Err("QEMU went away".into())).unwrap_err();
        assert!(why.contains("could not ask QEMU which PCI functions it attached (QEMU went away)"), "{why}");
    }
}
