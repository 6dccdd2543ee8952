//! The headers this crate writes, read by the host's own `tar`: an
//! archive of three members, each padded to whole blocks and followed by
//! the two zero blocks that end an archive, must list with its names and
//! sizes, and extract to the same contents.

use std::process::Command;

use fledge_store::ustar::{self, BLOCK, Header, REGULAR};

#[test]
fn gnu_tar_lists_and_extracts_what_the_headers_describe() {
    let members: [(&str, &[u8]); 3] =
        [("000001 first commit", b"hello\n"), ("000002 an empty one", b""), ("000003 more", &[b'x'; 1000])];
    let mut archive = Vec::new();
    for (name, contents) in members {
        let mut block = [0u8; BLOCK];
        let header =
            Header { name: name.as_bytes(), size: contents.len() as u64, mtime: 1_700_000_000, typeflag: REGULAR };
        ustar::write(&header, &mut block).unwrap();
        archive.extend_from_slice(&block);
        archive.extend_from_slice(contents);
        archive.resize(archive.len().next_multiple_of(BLOCK), 0);
    }
    archive.resize(archive.len() + 2 * BLOCK, 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disk.img");
    std::fs::write(&path, &archive).unwrap();

    let list = Command::new("tar").arg("tf").arg(&path).output().expect("the host has tar");
    assert!(list.status.success(), "tar tf failed: {}", String::from_utf8_lossy(&list.stderr));
    let names: Vec<&str> = members.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().collect::<Vec<_>>(),
        names,
        "tar lists the members in order"
    );
    for (name, contents) in members {
        let out = Command::new("tar").arg("xOf").arg(&path).arg(name).output().unwrap();
        assert!(out.status.success(), "tar xOf {name}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, contents, "tar extracts {name} as it was written");
    }
}
