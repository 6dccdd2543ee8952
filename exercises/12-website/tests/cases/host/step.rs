//! The server over a fake `Tcp` with one scripted peer, on a clock that
//! moves a millisecond a step: the deadlines, to the millisecond, with no
//! sleeping.

use std::time::Duration;

use super::common::fakes::{self, OnePeer};
use http::Config;

const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n";

fn config() -> Config {
    let ms = Duration::from_millis;
    Config { request_deadline: ms(100), idle_timeout: ms(300), linger: ms(50), ..Config::new(80) }
}

#[test]
fn a_peer_that_takes_no_answer_is_given_up_after_the_deadline() {
    // It sends two requests and then goes quiet, and takes only the first
    // 150 bytes of what is written to it.
    let input = [GET, GET].concat();
    let mut peer = OnePeer::new(&input, &[input.len()]);
    peer.ends = false;
    peer.window = 150;
    let stats = fakes::run(&mut peer, config(), 1000);
    assert!(peer.closed, "the slot is freed");
    assert_eq!(peer.written.len(), 150);
    assert_eq!((stats.requests, stats.timed_out), (1, 1), "{stats:?}");
}

#[test]
fn a_request_that_trickles_is_answered_408_at_its_deadline() {
    // One byte a step, ten bytes short of a whole request: it has had the
    // 100 ms by the time the bytes run out.
    let input = &GET[..GET.len() - 10];
    let cuts: Vec<usize> = (1..=input.len()).collect();
    let mut peer = OnePeer::new(input, &cuts);
    peer.ends = false;
    let stats = fakes::run(&mut peer, config(), 1000);
    assert!(peer.closed);
    assert!(
        peer.written.starts_with(b"HTTP/1.1 408 Request Timeout\r\n"),
        "{:?}",
        String::from_utf8_lossy(&peer.written)
    );
    assert_eq!(stats.timed_out, 1);
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout_and_not_before() {
    let mut peer = OnePeer::new(GET, &[GET.len()]);
    peer.ends = false;
    let stats = fakes::run(&mut peer, config(), 250);
    assert!(!peer.closed, "still within the idle timeout");
    assert_eq!(stats.requests, 1);
    let mut peer = OnePeer::new(GET, &[GET.len()]);
    peer.ends = false;
    fakes::run(&mut peer, config(), 400);
    assert!(peer.closed);
}

#[test]
fn a_refused_request_lingers_until_the_peer_ends() {
    let input = b"GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\nand more bytes after it";
    let peer = fakes::serve_one(input, &[30, input.len()], config(), 1000);
    assert!(peer.closed);
    assert!(peer.written.starts_with(b"HTTP/1.1 400 Bad Request\r\n"));
    assert!(peer.written.windows(19).any(|w| w == b"Connection: close\r\n"));
}
