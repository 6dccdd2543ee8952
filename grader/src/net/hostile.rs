//! The hostile clients of `[test.net] http = [...]`. A server on the
//! internet meets them all; each must cost the server one connection at
//! most, and after each a normal request must still be answered.
//!
//! | check | what the client does | passes when |
//! |---|---|---|
//! | `slowloris` | trickles a request's head, a byte every 300 ms, for 3 s | meanwhile another client's `GET /` is answered within a second |
//! | `huge_header` | a header line of 1 MiB | 431 or 400 (or the connection closed), never a 2xx |
//! | `malformed` | `GET / HTTP/1.1` without its spaces, and a NUL in a method | 400 for each |
//! | `reset` | half a request, then a reset (SO_LINGER 0) | nothing to see: the next check is what counts |
//! | `long_body` | a PUT whose body runs past its `Content-Length` | the PUT answered, then the rest refused (400) or the connection closed |

use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use super::client::{self, Conn, still_serving};
use crate::manifest::net::HttpCheck;

/// Does hostile `check`, then a normal request.
pub fn check(check: HttpCheck, port: u16) -> Result<String, String> {
    let done = match check {
        HttpCheck::Slowloris => slowloris(port)?,
        HttpCheck::HugeHeader => huge_header(port)?,
        HttpCheck::Malformed => malformed(port)?,
        HttpCheck::Reset => reset(port)?,
        HttpCheck::LongBody => long_body(port)?,
        polite => return Err(format!("{} is not a hostile check", polite.name())),
    };
    still_serving(port)?;
    Ok(format!("{done}; a normal GET / is answered after it"))
}

fn slowloris(port: u16) -> Result<String, String> {
    let head = b"GET / HTTP/1.1\r\nHost: fledge\r\nX-Slow: ";
    let mut slow = Conn::open(port)?;
    let trickle = thread::spawn(move || {
        for &byte in head.iter().cycle().take(10) {
            if slow.stream().write_all(&[byte]).is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(300));
        }
        slow
    });
    thread::sleep(Duration::from_millis(700));
    let started = Instant::now();
    let mut other = Conn::open(port)?;
    other.ask("GET", "/", &[], None)?;
    let reply =
        other.reply(false).map_err(|e| format!("while one client trickled its request, another's GET /: {e}"))?;
    let took = started.elapsed();
    let _ = trickle.join();
    if reply.status != 200 || took > Duration::from_secs(1) {
        return Err(format!(
            "while one client trickled its request a byte every 300 ms, another's GET / answered {} in {:.2} s (1 s at most)",
            reply.status,
            took.as_secs_f64()
        ));
    }
    Ok(format!("a client trickling its request did not hold up another, answered in {:.2} s", took.as_secs_f64()))
}

fn huge_header(port: u16) -> Result<String, String> {
    let mut conn = Conn::open(port)?;
    let mut request = b"GET / HTTP/1.1\r\nHost: fledge\r\nX-Huge: ".to_vec();
    request.resize(request.len() + (1 << 20), b'a');
    request.extend_from_slice(b"\r\n\r\n");
    // The server may refuse and close before it has read it all: then
    // the write fails, and the answer, if any, is still there to read.
    let _ = conn.send(&request);
    match conn.reply(false) {
        Ok(reply) if reply.status == 431 || reply.status == 400 => {
            Ok(format!("a 1 MiB header line answered {}", reply.status))
        }
        Ok(reply) => Err(format!("a 1 MiB header line answered {}, not 431 (or 400)", reply.status)),
        Err(_) => Ok("a 1 MiB header line: the connection was closed".into()),
    }
}

fn malformed(port: u16) -> Result<String, String> {
    for bytes in [&b"GET/HTTP/1.1\r\nHost: fledge\r\n\r\n"[..], b"G\0T / HTTP/1.1\r\nHost: fledge\r\n\r\n"] {
        let mut conn = Conn::open(port)?;
        conn.send(bytes)?;
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(16)]).into_owned();
        match conn.reply(false) {
            Ok(reply) if reply.status == 400 => {}
            Ok(reply) => return Err(format!("the request line {shown:?} answered {}, not 400", reply.status)),
            Err(e) => return Err(format!("the request line {shown:?} got no answer (400 expected): {e}")),
        }
    }
    Ok("two malformed request lines answered 400".into())
}

fn reset(port: u16) -> Result<String, String> {
    let mut conn = Conn::open(port)?;
    conn.send(b"PUT /reset-page HTTP/1.1\r\nHost: fledge\r\nContent-Length: 100\r\n\r\nhalf")?;
    thread::sleep(Duration::from_millis(200));
    let socket = socket2::SockRef::from(&*conn.stream());
    socket.set_linger(Some(Duration::ZERO)).map_err(|e| format!("cannot set SO_LINGER: {e}"))?;
    drop(conn);
    thread::sleep(Duration::from_millis(200));
    Ok("a connection reset halfway through a request's body".into())
}

fn long_body(port: u16) -> Result<String, String> {
    let mut conn = Conn::open(port)?;
    let mut bytes = client::request("PUT", "/long-body-page", &[("X-Message", "long body")], Some(b"hello"));
    bytes.extend_from_slice(b" and these bytes run past the Content-Length\r\n\r\n");
    conn.send(&bytes)?;
    let first = conn.reply(false).map_err(|e| format!("the PUT itself: {e}"))?;
    if !(200..300).contains(&first.status) {
        return Err(format!("the PUT with 5 bytes of body answered {}", first.status));
    }
    match conn.reply(false) {
        Ok(reply) if reply.status == 400 => Ok("the bytes past the Content-Length were refused with 400".into()),
        Ok(reply) => Err(format!("the bytes past the Content-Length, read as a request, answered {}", reply.status)),
        Err(_) if conn.closed()? => Ok("the bytes past the Content-Length: the connection was closed".into()),
        Err(e) => Err(format!("after the PUT, the bytes past its Content-Length: {e}")),
    }
}
