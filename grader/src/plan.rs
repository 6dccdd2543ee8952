//! The boot plan: which sequences of boots grade the kernel tests, decided
//! from the manifest before anything boots.
//!
//! A kernel runs its tests one after the other and a panic ends the boot,
//! so the grader boots it as often as it takes. Some of those boots are
//! known before the first one starts, and can run at the same time:
//!
//! ```text
//! exercise 02:  plain_panic [panic] | panic_with_arguments [panic] | no_panic
//!               sequence 1            sequence 2                     sequence 3
//!               only=plain_panic      only=panic_with_arguments      only=no_panic
//!
//! exercise 06:  rdrand_is_detected, rdrand_fills_a_buffer, ...  | no_rdrand_is_an_error
//!               sequence 1: -cpu max                              sequence 2: -cpu qemu64,-rdrand,-rdseed
//! ```
//!
//! - Tests are grouped by the CPU model, accelerator and devices they need
//!   (one group when every test runs on the same machine);
//! - a test whose drive image is checked afterwards (`[test.disk]`,
//!   `[test.tar]`) runs in a sequence of its own, so that the image holds
//!   its writes alone; so does a test whose boots are killed
//!   (`[test.kills]`), whose image is carried from boot to boot, and a
//!   test the host talks to over the network (`[test.net]`);
//! - a test that must end its boot (`[test.panic]`, or `exit = "failure"`)
//!   ends its group's current sequence: the tests after it get one of their
//!   own, which starts at once instead of after the panic.
//!
//! Each [`Sequence`] starts with a boot from test 1 that runs only its own
//! tests (`only=` in the run configuration); if a boot ends early
//! (a test panicked or crashed when it should not have), the sequence boots
//! again from the next test. With one sequence for every test, `only` is
//! left out and the kernel runs everything.

use crate::devices::Attach;
use crate::manifest::{Device, ExitSpec, KillsSpec, Kind, Manifest, NetSpec, TestSpec};
use crate::qemu::Accel;

/// One sequence of boots: on which machine, and which tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sequence {
    /// QEMU's `-cpu` model; `None` for QEMU's default.
    pub cpu: Option<String>,
    /// The accelerator these boots run under.
    pub accel: Accel,
    /// The tests this sequence runs; `None` for all of them.
    pub only: Option<Vec<String>>,
    /// The devices its boots get, in PCI slot order.
    pub devices: Vec<Attach>,
    /// One of its tests is checked against QEMU's own list of PCI
    /// functions (`[test.pci]`): its boots ask QEMU for it.
    pub query_pci: bool,
    /// Its test's boots are killed first (`[test.kills]`).
    pub kills: Option<KillsSpec>,
    /// Its test's host side on the network (`[test.net]`).
    pub net: Option<NetSpec>,
}

impl Sequence {
    /// Every test, on QEMU's default CPU: what `--kernel` boots.
    pub fn all(accel: Accel) -> Sequence {
        Sequence { cpu: None, accel, only: None, devices: Vec::new(), query_pci: false, kills: None, net: None }
    }
}

/// The boots of one grading, before any of them starts.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// The sequences, in the order of their first test in the manifest.
    pub sequences: Vec<Sequence>,
    /// Tests that run under TCG although `--accel kvm` was asked for, with
    /// the manifest's reason.
    pub under_tcg: Vec<(String, String)>,
}

/// The plan for an exercise's kernel tests under `accel`.
pub fn for_exercise(manifest: &Manifest, accel: Accel) -> Plan {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut under_tcg = Vec::new();
    for test in manifest.tests.iter().filter(|t| t.kind == Kind::Qemu) {
        let cpu = test.cpu.clone().or_else(|| manifest.cpu.clone());
        let accel = match (&test.tcg_only, accel) {
            (Some(why), Accel::Kvm) => {
                under_tcg.push((test.name.clone(), why.clone()));
                Accel::Tcg
            }
            _ => accel,
        };
        let devices = manifest.devices_of(test);
        let alone = test.disk.is_some() || test.tar.is_some() || test.kills.is_some() || test.net.is_some();
        let group = match groups.iter().position(|g| !g.alone && !alone && g.machine == (cpu.clone(), accel, devices)) {
            Some(i) => &mut groups[i],
            None => {
                groups.push(Group { machine: (cpu, accel, devices), alone, tests: vec![Vec::new()] });
                groups.last_mut().expect("just pushed")
            }
        };
        let current = group.tests.last_mut().expect("a group has a sequence");
        current.push(test.name.clone());
        if ends_its_boot(test) {
            group.tests.push(Vec::new());
        }
    }
    let mut sequences = Vec::new();
    for Group { machine: (cpu, accel, devices), tests, .. } in groups {
        for only in tests.into_iter().filter(|t| !t.is_empty()) {
            // Only the sequences with a `[test.pci]` test in them ask.
            let query_pci = manifest.tests.iter().any(|t| t.pci.is_some() && only.contains(&t.name));
            let devices = Attach::all(manifest, devices);
            let mine = || manifest.tests.iter().filter(|t| only.contains(&t.name));
            let (kills, net) = (mine().find_map(|t| t.kills.clone()), mine().find_map(|t| t.net.clone()));
            sequences.push(Sequence { cpu: cpu.clone(), accel, only: Some(only), devices, query_pci, kills, net });
        }
    }
    if let [single] = &mut sequences[..] {
        single.only = None;
    }
    Plan { sequences, under_tcg }
}

/// Kernel tests that can share boots: the same machine, and no image
/// check that wants a boot to itself.
struct Group<'a> {
    /// CPU model, accelerator, devices.
    machine: (Option<String>, Accel, &'a [Device]),
    /// A `[test.disk]`, `[test.tar]` or `[test.kills]` test's group:
    /// nothing joins it.
    alone: bool,
    /// Its sequences' tests; a test that ends its boot starts a new one.
    tests: Vec<Vec<String>>,
}

/// Whether a test, when it passes, ends the boot it runs in.
fn ends_its_boot(test: &TestSpec) -> bool {
    test.panic.is_some() || test.exit == Some(ExitSpec::Failure)
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::manifest::{DriveSpec, Fill};

    fn manifest(tests: &str) -> Manifest {
        let text = format!("number = 1\nslug = \"s\"\ntitle = \"t\"\nchapter = \"c\"\n{tests}");
        toml::from_str(&text).unwrap()
    }

    fn qemu(name: &str, extra: &str) -> String {
        format!("[[test]]\nname = \"{name}\"\nkind = \"qemu\"\npoints = 1\n{extra}\n")
    }

    fn names(plan: &Plan) -> Vec<Option<Vec<&str>>> {
        plan.sequences.iter().map(|s| s.only.as_ref().map(|o| o.iter().map(String::as_str).collect())).collect()
    }

    const PANICS: &str = "[test.panic]\nmessage = \"m\"\n";

    #[test]
    fn one_machine_and_no_panic_is_one_sequence_of_everything() {
        let m = manifest(&format!("{}{}", qemu("a", ""), qemu("b", "")));
        let plan = for_exercise(&m, Accel::Tcg);
        assert_eq!(plan.sequences, vec![Sequence::all(Accel::Tcg)]);
        assert!(plan.under_tcg.is_empty());
    }

    #[test]
    fn a_test_that_must_panic_ends_its_sequence() {
        let m = manifest(&format!("{}{}{}{}", qemu("a", PANICS), qemu("b", ""), qemu("c", PANICS), qemu("d", "")));
        let plan = for_exercise(&m, Accel::Tcg);
        assert_eq!(names(&plan), [Some(vec!["a"]), Some(vec!["b", "c"]), Some(vec!["d"])]);
    }

    #[test]
    fn a_panic_at_the_end_adds_no_boot() {
        let m = manifest(&format!("{}{}", qemu("a", ""), qemu("b", PANICS)));
        assert_eq!(for_exercise(&m, Accel::Tcg).sequences, vec![Sequence::all(Accel::Tcg)]);
    }

    #[test]
    fn tests_on_another_cpu_get_sequences_of_their_own() {
        let tests = format!("cpu = \"max\"\n{}{}{}", qemu("a", ""), qemu("b", "cpu = \"qemu64\""), qemu("c", ""));
        let plan = for_exercise(&manifest(&tests), Accel::Tcg);
        assert_eq!(names(&plan), [Some(vec!["a", "c"]), Some(vec!["b"])]);
        let cpus: Vec<_> = plan.sequences.iter().map(|s| s.cpu.as_deref()).collect();
        assert_eq!(cpus, [Some("max"), Some("qemu64")]);
    }

    #[test]
    fn under_kvm_tcg_only_tests_run_under_tcg_and_say_why() {
        let tests = format!("{}{}{}", qemu("a", ""), qemu("b", "tcg_only = \"it hangs\""), qemu("c", ""));
        let m = manifest(&tests);
        let under_tcg = for_exercise(&m, Accel::Tcg);
        assert_eq!(under_tcg.sequences, vec![Sequence::all(Accel::Tcg)], "TCG asked for: nothing moves");
        let plan = for_exercise(&m, Accel::Kvm);
        assert_eq!(names(&plan), [Some(vec!["a", "c"]), Some(vec!["b"])]);
        let accels: Vec<_> = plan.sequences.iter().map(|s| s.accel).collect();
        assert_eq!(accels, [Accel::Kvm, Accel::Tcg]);
        assert_eq!(plan.under_tcg, [("b".to_string(), "it hangs".to_string())]);
    }

    #[test]
    fn tests_with_other_devices_get_sequences_of_their_own() {
        let tests = format!(
            "devices = [\"virtio-rng\"]\n[drive.d]\nblocks = 1\n{}{}{}{}",
            qemu("a", ""),
            qemu("b", "devices = [\"virtio-blk:d\"]\n[test.pci]"),
            qemu("c", "devices = [\"virtio-rng\"]"),
            qemu("d", "devices = [\"virtio-blk:d\"]")
        );
        let plan = for_exercise(&manifest(&tests), Accel::Tcg);
        assert_eq!(names(&plan), [Some(vec!["a", "c"]), Some(vec!["b", "d"])]);
        let drive = DriveSpec { blocks: 1, fill: Fill::Zero, read_only: false, flush_fails: false };
        let devices: Vec<_> = plan.sequences.iter().map(|s| s.devices.clone()).collect();
        assert_eq!(devices, [vec![Attach::VirtioRng], vec![Attach::VirtioBlk { name: "d".into(), drive }]]);
        let asks: Vec<_> = plan.sequences.iter().map(|s| s.query_pci).collect();
        assert_eq!(asks, [false, true], "only the sequence with the [test.pci] test asks QEMU");
    }

    #[test]
    fn a_disk_check_gets_a_boot_to_itself() {
        let disk = "devices = [\"virtio-blk:d\"]\n[test.disk]\ndrive = \"d\"\nwritten = [0]";
        let tests = format!(
            "devices = [\"virtio-blk:d\"]\n[drive.d]\nblocks = 1\n{}{}{}{}",
            qemu("a", ""),
            qemu("w1", disk),
            qemu("b", ""),
            qemu("w2", disk)
        );
        let plan = for_exercise(&manifest(&tests), Accel::Tcg);
        assert_eq!(names(&plan), [Some(vec!["a", "b"]), Some(vec!["w1"]), Some(vec!["w2"])]);
        assert!(plan.sequences.iter().all(|s| s.devices.len() == 1 && !s.query_pci));
        let alone = format!("[drive.d]\nblocks = 1\n{}", qemu("w", disk));
        let plan = for_exercise(&manifest(&alone), Accel::Tcg);
        assert_eq!(names(&plan), [None], "one sequence runs everything");
    }

    #[test]
    fn killed_boots_and_tar_checks_get_sequences_of_their_own() {
        let tar = "[test.tar]\ndrive = \"d\"";
        let kills = "[test.kills]\ndrive = \"d\"\ncount = 2";
        let tests = format!(
            "devices = [\"virtio-blk:d\"]\n[drive.d]\nblocks = 8\n{}{}{}",
            qemu("a", ""),
            qemu("t", tar),
            qemu("k", kills)
        );
        let plan = for_exercise(&manifest(&tests), Accel::Tcg);
        assert_eq!(names(&plan), [Some(vec!["a"]), Some(vec!["t"]), Some(vec!["k"])]);
        let killed: Vec<Option<u32>> = plan.sequences.iter().map(|s| s.kills.as_ref().map(|k| k.count)).collect();
        assert_eq!(killed, [None, None, Some(2)], "only the [test.kills] test's sequence kills boots");
    }

    #[test]
    fn a_network_test_gets_a_sequence_of_its_own_with_its_host_side() {
        let net = "[test.net]\nping = 2";
        let tests = format!("devices = [\"virtio-net\"]\n{}{}{}", qemu("a", ""), qemu("p", net), qemu("b", ""));
        let plan = for_exercise(&manifest(&tests), Accel::Tcg);
        assert_eq!(names(&plan), [Some(vec!["a", "b"]), Some(vec!["p"])]);
        let pings: Vec<Option<u32>> = plan.sequences.iter().map(|s| s.net.as_ref().and_then(|n| n.ping)).collect();
        assert_eq!(pings, [None, Some(2)]);
        assert!(plan.sequences.iter().all(|s| s.devices == [Attach::VirtioNet]), "every boot has the card");
    }

    #[test]
    fn host_tests_need_no_boot() {
        let m = manifest("[[test]]\nname = \"h\"\nkind = \"host\"\npoints = 1\n");
        assert!(for_exercise(&m, Accel::Tcg).sequences.is_empty());
    }
}
