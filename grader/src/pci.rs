//! PCI functions: the ones QEMU attached, asked over QMP before the guest
//! runs, and the ones a kernel test reports, one KTAP diagnostic line each.
//!
//! ```text
//! kernel, between `# run N test` and its result:   # pci 00:04.0 1af4:1005
//!                                                        BB:DD.F VVVV:DDDD   (lowercase hex)
//! QEMU, `query-pci` while paused (-S):             [{"bus": 0, "devices": [{"slot": 4, "function": 0,
//!                                                     "id": {"vendor": 6900, "device": 4101, ...}, ...}]}]
//! boot-N/qemu-pci.txt:                             00:04.0 1af4:1005        (or `error: WHY`)
//! ```
//!
//! Only bus 0 is recorded: the functions of bridges' buses are not part of
//! the check. `judge/pci.rs` compares the two lists.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::qmp::Qmp;

/// One function on a PCI bus: its address and its vendor and device ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Function {
    /// The bus.
    pub bus: u8,
    /// The slot (device number), 0 to 31.
    pub slot: u8,
    /// The function, 0 to 7.
    pub function: u8,
    /// The vendor id (`1af4` for virtio).
    pub vendor: u16,
    /// The device id.
    pub device: u16,
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Function { bus, slot, function, vendor, device } = self;
        write!(f, "{bus:02x}:{slot:02x}.{function:x} {vendor:04x}:{device:04x}")
    }
}

/// What a kernel's line starts with.
pub const PREFIX: &str = "# pci ";

/// The file a boot's list from QEMU is kept in.
pub const FILE: &str = "qemu-pci.txt";

impl Function {
    /// `BB:DD.F VVVV:DDDD`, exactly: two, two, one, four and four lowercase
    /// hex digits, the slot at most 31 and the function at most 7.
    pub fn parse(text: &str) -> Option<Function> {
        let (address, ids) = text.split_once(' ')?;
        let (bus, rest) = address.split_once(':')?;
        let (slot, function) = rest.split_once('.')?;
        let (vendor, device) = ids.split_once(':')?;
        let hex = |s: &str, len: usize| {
            let digits = s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            digits.then(|| u32::from_str_radix(s, 16).ok()).flatten()
        };
        let found = Function {
            bus: hex(bus, 2)? as u8,
            slot: u8::try_from(hex(slot, 2)?).ok().filter(|&s| s < 32)?,
            function: u8::try_from(hex(function, 1)?).ok().filter(|&f| f < 8)?,
            vendor: hex(vendor, 4)? as u16,
            device: hex(device, 4)? as u16,
        };
        Some(found)
    }
}

/// Bus 0's functions in the `return` value of QMP's `query-pci`.
pub fn from_query(reply: &Value) -> Result<Vec<Function>, String> {
    let buses = reply.as_array().ok_or("query-pci did not return a list of buses")?;
    let mut found = BTreeSet::new();
    for bus in buses.iter().filter(|b| b["bus"].as_u64() == Some(0)) {
        for device in bus["devices"].as_array().ok_or("query-pci returned a bus without devices")? {
            let number = |v: &Value, what: &str| v.as_u64().ok_or(format!("query-pci gave a device without {what}"));
            found.insert(Function {
                bus: 0,
                slot: number(&device["slot"], "a slot")? as u8,
                function: number(&device["function"], "a function")? as u8,
                vendor: number(&device["id"]["vendor"], "a vendor id")? as u16,
                device: number(&device["id"]["device"], "a device id")? as u16,
            });
        }
    }
    Ok(found.into_iter().collect())
}

/// Asks the paused QEMU listening on `socket` for bus 0's functions, then
/// lets the guest run (unless gdb will: `resume` false).
pub fn ask(socket: &Path, resume: bool) -> Result<Vec<Function>, String> {
    // QEMU makes its socket a moment after it starts.
    let start = Instant::now();
    let mut qmp = loop {
        match Qmp::connect(socket) {
            Ok(qmp) => break qmp,
            Err(_) if start.elapsed() < Duration::from_secs(5) => std::thread::sleep(Duration::from_millis(10)),
            Err(error) => return Err(format!("cannot reach QEMU's QMP socket {}: {error}", socket.display())),
        }
    };
    let reply = qmp.execute("query-pci", None).map_err(|e| format!("query-pci failed: {e}"));
    let resumed =
        if resume { qmp.execute("cont", None).map(drop).map_err(|e| format!("cont failed: {e}")) } else { Ok(()) };
    let functions = from_query(&reply?)?;
    resumed.map(|()| functions)
}

/// Writes what [`ask`] gave to `path`, a function a line.
pub fn write(path: &Path, asked: &Result<Vec<Function>, String>) -> std::io::Result<()> {
    let text = match asked {
        Ok(functions) => functions.iter().map(|f| format!("{f}\n")).collect(),
        Err(why) => format!("error: {why}\n"),
    };
    std::fs::write(path, text)
}

/// Reads back what [`write`] wrote.
pub fn read(path: &Path) -> Result<Vec<Function>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .map(|line| match line.strip_prefix("error: ") {
            Some(why) => Err(why.to_string()),
            None => Function::parse(line).ok_or_else(|| format!("{} holds `{line}`", path.display())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU 7.2's answer for the grader's machine with
    /// `-device virtio-rng-pci,addr=0x4`, as it came.
    const REPLY: &str = include_str!("../tests/fixtures/pci/query-pci-virtio-rng.json");

    fn f(slot: u8, function: u8, vendor: u16, device: u16) -> Function {
        Function { bus: 0, slot, function, vendor, device }
    }

    #[test]
    fn a_real_reply_is_read() {
        let reply: Value = serde_json::from_str(REPLY).unwrap();
        let found = from_query(&reply["return"]).unwrap();
        let expected = [
            f(0, 0, 0x8086, 0x1237), // host bridge
            f(1, 0, 0x8086, 0x7000), // PIIX3 ISA bridge
            f(1, 1, 0x8086, 0x7010), // its IDE controller
            f(1, 3, 0x8086, 0x7113), // its ACPI function
            f(2, 0, 0x1234, 0x1111), // VGA
            f(4, 0, 0x1af4, 0x1005), // virtio-rng, transitional
        ];
        assert_eq!(found, expected);
        assert_eq!(found[5].to_string(), "00:04.0 1af4:1005");
        assert!(from_query(&serde_json::json!({"bus": 0})).is_err());
    }

    #[test]
    fn kernel_lines_are_read_exactly() {
        assert_eq!(Function::parse("00:04.0 1af4:1005"), Some(f(4, 0, 0x1af4, 0x1005)));
        assert_eq!(Function::parse("00:1f.7 8086:7113"), Some(f(31, 7, 0x8086, 0x7113)));
        for bad in [
            "00:04.0 1AF4:1005",
            "0:04.0 1af4:1005",
            "00:04.0 1af4:1005 x",
            "00:20.0 1af4:1005",
            "00:04.8 1af4:1005",
            "00:04 1af4:1005",
            "",
        ] {
            assert_eq!(Function::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_file_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let functions = vec![f(0, 0, 0x8086, 0x1237), f(4, 0, 0x1af4, 0x1005)];
        write(&path, &Ok(functions.clone())).unwrap();
        assert_eq!(read(&path), Ok(functions));
        write(&path, &Err("QEMU went away".into())).unwrap();
        assert_eq!(read(&path), Err("QEMU went away".into()));
    }
}
