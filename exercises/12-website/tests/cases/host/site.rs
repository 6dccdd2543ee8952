//! The site on its own: `site::respond` over a `LogStore` on a RAM disk,
//! for what the server tests cannot easily make happen (a full disk, a
//! removed page, fields over the store's limits).

use fledge_api::store::{Change, Store};
use fledge_block::RamDisk;
use fledge_store::LogStore;
use http::request::{self, Request};
use http::site;

fn request(text: &[u8]) -> Request {
    request::parse(text).unwrap().unwrap().0
}

fn put(name: &str, fields: &[u8], body: &[u8]) -> Request {
    let start = format!("PUT /{name} HTTP/1.1\r\nHost: t\r\n");
    let end = format!("Content-Length: {}\r\n\r\n", body.len());
    request(&[start.as_bytes(), fields, end.as_bytes(), body].concat())
}

fn store(blocks: usize) -> LogStore<RamDisk<Vec<u8>>> {
    LogStore::open(RamDisk::new(vec![0; blocks * 512])).unwrap()
}

#[test]
fn a_full_disk_is_507_and_the_page_keeps_its_value() {
    let mut store = store(24);
    assert_eq!(site::respond(&mut store, &put("big", b"", &[b'a'; 4000])).status.code(), 201);
    let answer = site::respond(&mut store, &put("big", b"", &[b'b'; 8000]));
    assert_eq!(answer.status.code(), 507, "{}", String::from_utf8_lossy(&answer.body));
    assert_eq!(store.get(b"pages/big").unwrap(), Some(vec![b'a'; 4000]));
}

#[test]
fn author_and_message_must_be_utf8_and_within_the_limits() {
    let mut store = store(64);
    let long = format!("X-Author: {}\r\n", "a".repeat(65));
    assert_eq!(site::respond(&mut store, &put("p", long.as_bytes(), b"x")).status.code(), 400);
    assert_eq!(site::respond(&mut store, &put("p", b"X-Message: caf\xe9\r\n", b"x")).status.code(), 400);
    let within = format!("X-Author: {}\r\nX-Message: caf\u{e9}\r\n", "a".repeat(64));
    assert_eq!(site::respond(&mut store, &put("p", within.as_bytes(), b"x")).status.code(), 201);
    assert_eq!(store.head().map(|id| id.0), Some(1), "the refused edits made no commit");
}

#[test]
fn the_index_lists_the_pages_that_hold_a_value() {
    let mut store = store(64);
    store.commit(&[Change::set("pages/kept", "1"), Change::set("pages/gone", "2")], "ada", "two").unwrap();
    store.commit(&[Change::remove("pages/gone"), Change::set("other/key", "3")], "ada", "one gone").unwrap();
    let index = site::respond(&mut store, &request(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
    let html = String::from_utf8(index.body).unwrap();
    assert!(html.contains("<a href=\"/kept\">kept</a>"), "{html}");
    assert!(!html.contains("gone") && !html.contains("other"), "{html}");
    let gone = site::respond(&mut store, &request(b"GET /at/1/gone HTTP/1.1\r\nHost: t\r\n\r\n"));
    assert_eq!((gone.status.code(), &gone.body[..]), (200, &b"2"[..]), "still there as of commit 1");
}

#[test]
fn page_names_are_a_safe_set() {
    for good in ["a", "notes.html", "my-page_2", &"x".repeat(64)] {
        assert!(site::valid_name(good), "{good}");
    }
    for bad in ["", ".hidden", "..", "a%2Fb", "a b", "history", "at", "<script>", &"x".repeat(65)] {
        assert!(!site::valid_name(bad), "{bad}");
    }
}
