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
