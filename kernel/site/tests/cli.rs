//! `fledge-site` as a person runs it: start it on a new image, read the
//! URL it prints, and ask it for pages over a socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The child, killed when the test ends however it ends.
struct Site(Child);

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Asks `url`'s server for `path` with Connection: close; the whole answer.
fn fetch(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serves_a_new_store_with_its_first_pages_and_keeps_an_edit() {
    let folder = tempfile::tempdir().unwrap();
    let image = folder.path().join("site.img");
    let start = || {
        let child = Command::new(env!("CARGO_BIN_EXE_fledge-site"))
            .arg("--store")
            .arg(&image)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut site = Site(child);
        let mut lines = BufReader::new(site.0.stdout.take().unwrap()).lines();
        let serving = lines.find_map(|line| line.unwrap().strip_prefix("serving http://").map(str::to_owned)).unwrap();
        (site, serving.trim_end_matches('/').to_owned())
    };

    let (site, address) = start();
    let index = fetch(&address, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
    assert!(index.contains("<a href=\"/welcome\">welcome</a>") && index.contains("/about"), "{index}");
    let edit = fetch(&address, "PUT /notes HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 4\r\n\r\nnote");
    assert!(edit.starts_with("HTTP/1.1 201 Created\r\n") && edit.ends_with("000003\n"), "{edit}");
    drop(site);

    // Started again on the same image: the edit is still there, and no
    // second set of first pages was committed.
    let (_site, address) = start();
    let notes = fetch(&address, "GET /at/3/notes HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(notes.ends_with("\r\n\r\nnote"), "{notes}");
    let history = fetch(&address, "GET /history HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert!(!history.contains("000004"), "{history}");
}
