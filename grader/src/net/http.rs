//! The HTTP checks of `[test.net] http = [...]`: a website in the guest,
//! judged through the forwarded port by real clients, `curl` and the
//! grader's own ([`client`](super::client)).
//!
//! | check | what the clients do | passes when |
//! |---|---|---|
//! | `get` | curl `GET /` | 200, an HTML body |
//! | `head` | curl `HEAD /`; then HEAD and GET on one connection | 200, the GET's length, no body (the GET after it reads right) |
//! | `not_found` | curl `GET /no-such-page-…` | 404 |
//! | `keep_alive` | curl fetches `/` three times in one run; then three requests on one connection | curl re-uses its connection; all three answered |
//! | `pipelined` | five requests in one write, 200 and 404 in turn | five answers, in order |
//! | `concurrent` | 50 clients at once, each `GET /`, each trying up to eight times if refused, reset or unanswered for 3 s | every one gets 200 within 30 s |
//! | `edit` | PUT a page twice, then GET it, GET it `/at/` the first commit, GET `/history` | the new text, the old text, both commits' messages |
//!
//! The hostile ones are `hostile.rs`'s. Every check's result is a line:
//! what was done, or the first thing that went wrong.

use std::thread;
use std::time::{Duration, Instant};

use super::client::{self, Conn};
use super::hostile;
use crate::manifest::net::HttpCheck;

/// Does `check` against the server behind `port`.
pub fn check(check: HttpCheck, port: u16) -> Result<String, String> {
    let named = |why: String| format!("http {}: {why}", check.name());
    let done = match check {
        HttpCheck::Get => get(port),
        HttpCheck::Head => head(port),
        HttpCheck::NotFound => not_found(port),
        HttpCheck::KeepAlive => keep_alive(port),
        HttpCheck::Pipelined => pipelined(port),
        HttpCheck::Concurrent => concurrent(port),
        HttpCheck::Edit => edit(port),
        hostile => hostile::check(hostile, port),
    };
    done.map(|what| format!("http {}: {what}", check.name())).map_err(named)
}

/// The URL of `path` on the server.
fn url(port: u16, path: &str) -> String {
    format!("http://127.0.0.1:{port}{path}")
}

/// curl's `-w` line after the body: the status and the count of bytes.
fn status_of(out: &str) -> Result<(u16, usize), String> {
    let line = out.lines().find_map(|l| l.strip_prefix("=> ")).ok_or("curl printed no status")?;
    let (code, size) = line.split_once(' ').ok_or("curl's status line is odd")?;
    Ok((code.parse().map_err(|_| "curl's status is not a number")?, size.parse().map_err(|_| "curl's size")?))
}

fn get(port: u16) -> Result<String, String> {
    let out =
        client::curl(&["--output", "/dev/null", "--write-out", "=> %{http_code} %{size_download}\n", &url(port, "/")])?;
    let (status, size) = status_of(&out)?;
    if status != 200 || size == 0 {
        return Err(format!("curl GET / got status {status} and {size} bytes, not 200 and a page"));
    }
    let mut conn = Conn::open(port)?;
    conn.ask("GET", "/", &[], None)?;
    let reply = conn.reply(false)?;
    let html = reply.field("content-type").is_some_and(|t| t.starts_with("text/html"));
    if reply.status != 200 || !html {
        return Err(format!(
            "GET / answered {} with Content-Type {:?}, not 200 text/html",
            reply.status,
            reply.field("content-type")
        ));
    }
    Ok(format!("GET / is 200 text/html, {size} bytes (curl and the grader's client)"))
}

fn head(port: u16) -> Result<String, String> {
    let mut conn = Conn::open(port)?;
    conn.ask("HEAD", "/", &[], None)?;
    conn.ask("GET", "/", &[], None)?;
    let head = conn.reply(true)?;
    let get = conn
        .reply(false)
        .map_err(|e| format!("the GET after a HEAD on one connection: {e} (did the HEAD send a body?)"))?;
    let length = head.field("content-length").map(str::to_string);
    if head.status != 200 || length != Some(get.body.len().to_string()) {
        return Err(format!(
            "HEAD / answered {} with Content-Length {length:?}; the GET's body is {} bytes",
            head.status,
            get.body.len()
        ));
    }
    let out = client::curl(&["--head", &url(port, "/")])?;
    if !out.starts_with("HTTP/1.1 200") {
        return Err(format!("curl --head / did not get 200: {:?}", out.lines().next()));
    }
    Ok(format!("HEAD / is 200 with the GET's Content-Length ({}) and no body", get.body.len()))
}

fn not_found(port: u16) -> Result<String, String> {
    let path = format!("/no-such-page-{}", std::process::id());
    let out = client::curl(&[
        "--output",
        "/dev/null",
        "--write-out",
        "=> %{http_code} %{size_download}\n",
        &url(port, &path),
    ])?;
    match status_of(&out)? {
        (404, _) => Ok(format!("GET {path} is 404")),
        (status, _) => Err(format!("GET {path} answered {status}, not 404")),
    }
}

fn keep_alive(port: u16) -> Result<String, String> {
    let page = url(port, "/");
    let out = client::curl(&[
        "--verbose",
        "--output",
        "/dev/null",
        &page,
        "--output",
        "/dev/null",
        &page,
        "--output",
        "/dev/null",
        &page,
    ])?;
    let reused = out.matches("Re-using existing connection").count();
    if reused != 2 {
        return Err(format!(
            "curl fetched / three times and re-used its connection {reused} times, not 2: the server closed it"
        ));
    }
    let mut conn = Conn::open(port)?;
    for n in 1..=3 {
        conn.ask("GET", "/", &[], None)?;
        let reply = conn.reply(false).map_err(|e| format!("request {n} of 3 on one connection: {e}"))?;
        if reply.status != 200 {
            return Err(format!("request {n} of 3 on one connection answered {}", reply.status));
        }
    }
    Ok("three requests on one connection, from curl and from the grader's client".into())
}

fn pipelined(port: u16) -> Result<String, String> {
    let paths = ["/", "/no-such-page-1", "/", "/no-such-page-2", "/"];
    let mut conn = Conn::open(port)?;
    let bytes: Vec<u8> = paths.iter().flat_map(|p| client::request("GET", p, &[], None)).collect();
    conn.send(&bytes)?;
    for (n, path) in paths.iter().enumerate() {
        let want = if path.starts_with("/no-") { 404 } else { 200 };
        let reply = conn.reply(false).map_err(|e| format!("answer {} of 5 (GET {path}): {e}", n + 1))?;
        if reply.status != want {
            return Err(format!("answer {} of 5 (GET {path}) is {}, not {want}: out of order?", n + 1, reply.status));
        }
    }
    Ok("five requests sent in one write, five answers in order".into())
}

fn concurrent(port: u16) -> Result<String, String> {
    const CLIENTS: usize = 50;
    const TRIES: u32 = 8;
    const PATIENCE: Duration = Duration::from_secs(3);
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            thread::spawn(move || -> Result<u32, String> {
                // A small stack has fewer sockets than there are clients:
                // one it cannot take yet is refused or reset before any
                // answer, or (its SYN held in QEMU until the card takes
                // it) left waiting, and a client tries again, as browsers
                // do, after at most PATIENCE.
                let mut last = String::new();
                for attempt in 1..=TRIES {
                    // The client hangs up first, as a browser leaving a
                    // page does: the guest's socket is free at once, with
                    // no TIME-WAIT on its side.
                    let reply = Conn::open_waiting(port, PATIENCE).and_then(|mut conn| {
                        conn.ask("GET", "/", &[], None)?;
                        conn.reply(false)
                    });
                    match reply {
                        Ok(reply) if reply.status == 200 => return Ok(attempt),
                        Ok(reply) => return Err(format!("answered {}", reply.status)),
                        Err(e) => last = e,
                    }
                    thread::sleep(Duration::from_millis(100 * u64::from(attempt)));
                }
                Err(format!("no answer in {TRIES} tries: {last}"))
            })
        })
        .collect();
    let results: Vec<Result<u32, String>> =
        clients.into_iter().map(|c| c.join().unwrap_or_else(|_| Err("the client's thread died".into()))).collect();
    let failed: Vec<String> = results.iter().filter_map(|r| r.as_ref().err().cloned()).collect();
    let retried = results.iter().filter(|r| r.as_ref().is_ok_and(|&tries| tries > 1)).count();
    let took = started.elapsed();
    if let Some(first) = failed.first() {
        return Err(format!("{} of {CLIENTS} clients at once failed; the first: {first}", failed.len()));
    }
    if took > Duration::from_secs(30) {
        return Err(format!("{CLIENTS} clients at once took {:.1} s, more than 30", took.as_secs_f64()));
    }
    Ok(format!(
        "{CLIENTS} clients at once, each answered 200 ({retried} after trying again), in {:.2} s",
        took.as_secs_f64()
    ))
}

fn edit(port: u16) -> Result<String, String> {
    let page = format!("grader-{}", std::process::id());
    let path = format!("/{page}");
    let mut commits = Vec::new();
    for (n, text) in ["the first version", "the second version"].iter().enumerate() {
        let message = format!("grader edit {}", n + 1);
        let mut conn = Conn::open(port)?;
        conn.ask("PUT", &path, &[("X-Message", &message), ("X-Author", "grader")], Some(text.as_bytes()))?;
        let reply = conn.reply(false)?;
        if !(200..300).contains(&reply.status) {
            return Err(format!("PUT {path} ({message}) answered {}: {}", reply.status, reply.text().trim()));
        }
        commits.push(reply.text().trim().to_string());
    }
    let read = |path: &str| -> Result<(u16, String), String> {
        let mut conn = Conn::open(port)?;
        conn.ask("GET", path, &[], None)?;
        let reply = conn.reply(false)?;
        Ok((reply.status, reply.text()))
    };
    let (status, now) = read(&path)?;
    if status != 200 || !now.contains("the second version") {
        return Err(format!("after two edits GET {path} answered {status} without the second version"));
    }
    let old = format!("/at/{}/{page}", commits[0]);
    let (status, then) = read(&old)?;
    if status != 200 || !then.contains("the first version") || then.contains("the second version") {
        return Err(format!(
            "GET {old} (the first edit's commit, from its PUT's answer) answered {status} without the first version alone"
        ));
    }
    let (status, history) = read("/history")?;
    if status != 200 || !history.contains("grader edit 1") || !history.contains("grader edit 2") {
        return Err(format!("GET /history answered {status} without both edits' messages"));
    }
    Ok(format!(
        "two edits of {path} are commits {} and {}; the page, the old version and /history agree",
        commits[0], commits[1]
    ))
}

#[cfg(test)]
mod tests;
