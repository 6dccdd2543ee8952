//! The manifest's own tests: names, totals, and the keys it refuses.

use super::*;

fn sample() -> Manifest {
    toml::from_str(
        r#"
        number = 1
        slug = "serial"
        title = "Hello"
        chapter = "book/src/ch01.md"
        [[test]]
        name = "a"
        kind = "host"
        points = 1
        [[test]]
        name = "b"
        kind = "qemu"
        points = 2
        [[test.expect]]
        line = "ab"
        repeat = 3
        "#,
    )
    .unwrap()
}

#[test]
fn answers_to_the_names_people_type() {
    let m = sample();
    for name in ["exercise-01", "exercise-1", "01", "1", "serial", "01-serial", "Exercise-01", "ex01"] {
        assert!(m.answers_to(name), "{name}");
    }
    for name in ["exercise-02", "2", "seria", "", "exercise-"] {
        assert!(!m.answers_to(name), "{name}");
    }
}

#[test]
fn derived_names_and_totals() {
    let m = sample();
    assert_eq!(m.id(), "exercise-01");
    assert_eq!(m.package(false), "exercise-01-serial");
    assert_eq!(m.package(true), "solution-01-serial");
    assert_eq!(m.max_score(), 3);
    assert_eq!(m.reference, Reference::default(), "no [reference]: the deadlines' floor");
    assert_eq!(m.tests[1].expect[0].text(), "ababab");
    assert_eq!(m.tests[1].expect[0].port, Port::Com1);
    assert!(m.tests[0].covers_hole);
}

#[test]
fn kernel_test_keys_on_a_host_test_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = "number = 1\nslug = \"s\"\ntitle = \"t\"\nchapter = \"c\"\n\
                [[test]]\nname = \"a\"\nkind = \"host\"\npoints = 1\ntcg_only = \"why\"\n";
    std::fs::write(dir.path().join("exercise.toml"), text).unwrap();
    let error = format!("{:#}", Manifest::load(dir.path()).unwrap_err());
    assert!(error.contains("host test `a` cannot") && error.contains("kind = \"qemu\""), "{error}");
}

#[test]
fn a_conformance_check_reads_com2() {
    let dir = tempfile::tempdir().unwrap();
    let head = "number = 1\nslug = \"s\"\ntitle = \"t\"\nchapter = \"c\"\n[[test]]\nname = \"a\"\npoints = 1\n";
    let write = |rest: &str| std::fs::write(dir.path().join("exercise.toml"), format!("{head}{rest}")).unwrap();
    write("kind = \"qemu\"\n[test.conformance]\nsuite = \"console\"\nport = \"com2\"\n");
    let loaded = Manifest::load(dir.path()).unwrap();
    assert_eq!(loaded.tests[0].conformance, Some(ConformanceSpec { suite: Suite::Console, port: Port::Com2 }));
    write("kind = \"qemu\"\n[test.conformance]\nsuite = \"console\"\nport = \"com1\"\n");
    let error = format!("{:#}", Manifest::load(dir.path()).unwrap_err());
    assert!(error.contains("checked on COM2"), "{error}");
    write("kind = \"host\"\n[test.conformance]\nsuite = \"console\"\nport = \"com2\"\n");
    let error = format!("{:#}", Manifest::load(dir.path()).unwrap_err());
    assert!(error.contains("host test `a` cannot"), "{error}");
}

#[test]
fn unknown_fields_are_errors() {
    let bad = "number = 1\nslug = \"s\"\ntitle = \"t\"\nchapter = \"c\"\ntimout = 3\ntest = []\n";
    assert!(toml::from_str::<Manifest>(bad).is_err());
}

// Devices, drives and the checks of them (`devices.rs`).

/// Loads `text` (after a manifest's head) from a folder of its own,
/// with `seed.bin` of `seed_len` bytes in it; the error, if any, in full.
fn load(text: &str, seed_len: usize) -> Result<Manifest, String> {
    let dir = tempfile::tempdir().unwrap();
    let head = "number = 8\nslug = \"s\"\ntitle = \"t\"\nchapter = \"c\"\n";
    let no_tests = if text.contains("[[test]]") { "" } else { "test = []\n" };
    std::fs::write(dir.path().join("exercise.toml"), format!("{head}{no_tests}{text}")).unwrap();
    std::fs::write(dir.path().join("seed.bin"), vec![7; seed_len]).unwrap();
    Manifest::load(dir.path()).map_err(|e| format!("{e:#}"))
}

const DRIVE: &str = "[drive.data]\nblocks = 64\nfill = \"pattern\"\n";
const DISK_TEST: &str = "[[test]]\nname = \"w\"\nkind = \"qemu\"\npoints = 1\n";

#[test]
fn the_documented_example_loads() {
    let text = format!(
        "devices = [\"virtio-rng\"]\n{DRIVE}{DISK_TEST}devices = [\"virtio-blk:data\"]\n\
         [test.disk]\ndrive = \"data\"\nwritten = [2, 3, 17]\n\
         [[test]]\nname = \"p\"\nkind = \"qemu\"\npoints = 1\n[test.pci]\n"
    );
    let m = load(&text, 0).unwrap();
    assert_eq!(m.devices, [Device::VirtioRng]);
    assert_eq!(m.drives["data"], DriveSpec { blocks: 64, fill: Fill::Pattern, read_only: false, flush_fails: false });
    assert_eq!(m.devices_of(&m.tests[0]), [Device::VirtioBlk("data".into())]);
    assert_eq!(m.devices_of(&m.tests[1]), [Device::VirtioRng], "the exercise's list");
    assert_eq!(m.tests[0].disk.as_ref().unwrap().written, [2, 3, 17]);
    assert_eq!(m.tests[1].pci, Some(PciSpec {}));
}

#[test]
fn kills_and_tar_checks_load_and_kills_can_be_raised() {
    let text = format!(
        "{DRIVE}{DISK_TEST}devices = [\"virtio-blk:data\"]\n[test.tar]\ndrive = \"data\"\n[test.kills]\ndrive = \"data\"\ncount = 3\n"
    );
    let mut m = load(&text, 0).unwrap();
    assert_eq!(m.tests[0].tar, Some(TarSpec { drive: "data".into() }));
    assert_eq!(m.tests[0].kills, Some(KillsSpec { drive: "data".into(), count: 3, within_ms: 300 }));
    m.set_kills(50).unwrap();
    assert_eq!(
        m.tests[0].kills.as_ref().map(|k| k.count),
        Some(50),
        "--kills raises the count past the manifest's limit"
    );
    let mut none = load(&format!("{DRIVE}{DISK_TEST}"), 0).unwrap();
    let error = none.set_kills(5).unwrap_err().to_string();
    assert!(error.contains("has no test whose boots are killed"), "{error}");
}

#[test]
fn a_network_test_loads() {
    let text = "devices = [\"virtio-net\"]\n[[test]]\nname = \"e\"\nkind = \"qemu\"\npoints = 1\n[test.net]\necho = 1048576\npeer = true\n";
    let m = load(text, 0).unwrap();
    assert_eq!(m.devices, [Device::VirtioNet]);
    assert_eq!(
        m.tests[0].net,
        Some(NetSpec { ping: None, echo: Some(1 << 20), connections: None, peer: true, http: Vec::new() })
    );
}

#[test]
fn flush_fails_is_read_and_off_by_default() {
    let m = load(&format!("{DRIVE}flush_fails = true\n[drive.plain]\nblocks = 1\n"), 0).unwrap();
    assert!(m.drives["data"].flush_fails);
    assert!(!m.drives["plain"].flush_fails);
    assert!(load(&format!("[drive.{}]\nblocks = 1\nflush_fails = true\n", "d".repeat(31)), 0).is_ok());
}

#[test]
fn a_seed_file_is_found_beside_the_manifest_and_must_fit() {
    let text = "[drive.d]\nblocks = 2\nfill = \"seed:seed.bin\"\n";
    let m = load(text, 1024).unwrap();
    assert!(matches!(&m.drives["d"].fill, Fill::Seed(p) if p.is_absolute() && p.ends_with("seed.bin")));
    let error = load(text, 1000).unwrap_err();
    assert!(error.contains("exercise.toml: [drive.d]: the seed file seed.bin is 1000 bytes"), "{error}");
    assert!(error.contains("holds exactly 1024"), "{error}");
    let error = load("[drive.d]\nblocks = 2\nfill = \"seed:nowhere.bin\"\n", 0).unwrap_err();
    assert!(error.contains("cannot read the seed file nowhere.bin"), "{error}");
}

#[test]
fn mistakes_are_refused_naming_the_test_and_the_fix() {
    let cases = [
        (format!("{DISK_TEST}devices = [\"virtio-nic\"]\n"), "test `w`: unknown device \"virtio-nic\""),
        ("devices = [\"virtio-blk\"]\n".to_string(), "the exercise's `devices`: unknown device \"virtio-blk\""),
        (format!("{DISK_TEST}devices = [\"virtio-blk:data\"]\n"), "add a [drive.data] table"),
        (
            format!("{DRIVE}{DISK_TEST}devices = [\"virtio-rng\"]\n[test.disk]\ndrive = \"data\"\n"),
            "test `w`: [test.disk] checks drive `data`, but the test's boots do not attach it",
        ),
        (
            format!(
                "{DRIVE}{DISK_TEST}devices = [\"virtio-blk:data\"]\n[test.disk]\ndrive = \"data\"\nwritten = [64]\n"
            ),
            "test `w`: disk.written lists block 64, but drive `data` has 64 blocks (0 to 63)",
        ),
        (
            format!(
                "{DRIVE}read_only = true\n{DISK_TEST}devices = [\"virtio-blk:data\"]\n[test.disk]\ndrive = \"data\"\nwritten = [1]\n"
            ),
            "drive `data` is read_only",
        ),
        (format!("{DISK_TEST}devices = [\"virtio-rng\", \"virtio-rng\"]\n"), "listed twice"),
        (
            format!("{DRIVE}read_only = true\nflush_fails = true\n"),
            "[drive.data]: flush_fails = true on a read_only drive",
        ),
        (
            format!("[drive.{}]\nblocks = 1\nflush_fails = true\n", "d".repeat(32)),
            "a flush_fails drive's name is at most 31 characters",
        ),
        ("[drive.data]\nblocks = 0\n".to_string(), "[drive.data]: blocks = 0"),
        ("[drive.\"my disk\"]\nblocks = 1\n".to_string(), "a drive's name starts with a letter"),
        ("[drive.d]\nblocks = 1\nfill = \"ones\"\n".to_string(), "\"zero\", \"pattern\" or \"seed:FILE\""),
        ("[[test]]\nname = \"h\"\nkind = \"host\"\npoints = 1\n[test.pci]\n".to_string(), "host test `h` cannot"),
        (format!("{DISK_TEST}[test.pci]\nbus = 1\n"), "unknown field `bus`"),
        (
            format!("{DRIVE}{DISK_TEST}devices = [\"virtio-rng\"]\n[test.tar]\ndrive = \"data\"\n"),
            "test `w`: [test.tar] checks drive `data`, but the test's boots do not attach it",
        ),
        (
            format!("{DRIVE}{DISK_TEST}devices = [\"virtio-blk:data\"]\n[test.kills]\ndrive = \"data\"\ncount = 0\n"),
            "test `w`: kills.count is 0: give 1 to 20",
        ),
        (
            format!(
                "{DRIVE}read_only = true\n{DISK_TEST}devices = [\"virtio-blk:data\"]\n[test.kills]\ndrive = \"data\"\ncount = 2\n"
            ),
            "drive `data` is read_only: a store that is killed must write",
        ),
        (
            "[[test]]\nname = \"h\"\nkind = \"host\"\npoints = 1\n[test.tar]\ndrive = \"d\"\n".to_string(),
            "host test `h` cannot",
        ),
        (
            format!("{DISK_TEST}devices = [\"virtio-rng\"]\n[test.net]\nping = 4\n"),
            "test `w`: [test.net] talks to the kernel over its network card, but the test's boots have none",
        ),
        (format!("{DISK_TEST}devices = [\"virtio-net\"]\n[test.net]\n"), "[test.net] gives the grader nothing to do"),
        (format!("{DISK_TEST}devices = [\"virtio-net\"]\n[test.net]\necho = 0\n"), "net.echo is 0 bytes"),
        (format!("{DISK_TEST}devices = [\"virtio-net\"]\n[test.net]\nconnections = 0\n"), "net.connections is 0"),
        (format!("{DISK_TEST}devices = [\"virtio-net\"]\n[test.net]\npings = 4\n"), "unknown field `pings`"),
        (format!("{DISK_TEST}devices = [\"virtio-net\"]\n[test.net]\nhttp = [\"gett\"]\n"), "unknown variant `gett`"),
        (
            "[[test]]\nname = \"h\"\nkind = \"host\"\npoints = 1\n[test.net]\npeer = true\n".to_string(),
            "host test `h` cannot",
        ),
    ];
    for (text, wanted) in cases {
        let error = load(&text, 0).expect_err(&text);
        assert!(error.contains("exercise.toml") && error.contains(wanted), "{text}\n--> {error}");
    }
}
