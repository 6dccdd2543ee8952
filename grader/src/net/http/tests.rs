//! The HTTP checks against real servers on the host: every one passes
//! against the reference website (`fledge_http::Server` over the host's
//! sockets), and the ones a careless server would fail do fail against one.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use fledge_api::Clock;
use fledge_block::RamDisk;
use fledge_hosted::{HostClock, HostTcp};
use fledge_http::{Config, Server};
use fledge_store::LogStore;

use super::check;
use crate::manifest::net::HttpCheck;

/// The reference website on a free port of 127.0.0.1, in a thread.
fn reference_site() -> u16 {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    thread::spawn(move || {
        let mut tcp = HostTcp::new();
        let clock = HostClock::new();
        let mut store = LogStore::open(RamDisk::new(vec![0u8; 4096 * 512])).unwrap();
        let mut server = Server::new(&mut tcp, Config::new(port)).unwrap();
        loop {
            if !server.step(&mut tcp, &mut store, clock.now()) {
                thread::sleep(Duration::from_millis(1));
            }
        }
    });
    // The listener is up once a connection is taken.
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return port;
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("the reference site did not start");
}

#[test]
fn every_check_passes_against_the_reference_site() {
    let port = reference_site();
    let all = [
        HttpCheck::Get,
        HttpCheck::Head,
        HttpCheck::NotFound,
        HttpCheck::KeepAlive,
        HttpCheck::Pipelined,
        HttpCheck::Concurrent,
        HttpCheck::Edit,
        HttpCheck::Slowloris,
        HttpCheck::HugeHeader,
        HttpCheck::Malformed,
        HttpCheck::Reset,
        HttpCheck::LongBody,
    ];
    for c in all {
        let result = check(c, port);
        assert!(result.is_ok(), "{}: {result:?}", c.name());
    }
}

/// A server that answers anything with `200 ok` and hangs up.
fn careless_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
            );
        }
    });
    port
}

#[test]
fn a_careless_server_fails_the_checks_it_should() {
    let port = careless_server();
    assert!(check(HttpCheck::Get, port).is_ok(), "it does serve a page");
    for c in [HttpCheck::NotFound, HttpCheck::KeepAlive, HttpCheck::Pipelined, HttpCheck::Malformed, HttpCheck::Edit] {
        let result = check(c, port);
        assert!(result.is_err(), "{} passed against a server that answers 200 to everything and hangs up", c.name());
    }
    let error = check(HttpCheck::NotFound, port).unwrap_err();
    assert!(
        error.starts_with("http not_found: GET /no-such-page-") && error.ends_with("answered 200, not 404"),
        "{error}"
    );
}
