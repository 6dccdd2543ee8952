//! The grader's HTTP/1.1 client over the standard library's sockets, and
//! its way of running `curl`: the two kinds of client the HTTP checks
//! (`http.rs`, `hostile.rs`) judge a server with.
//!
//! The client is deliberately plain: it writes requests as given and reads
//! each answer as RFC 9112 frames it (a status line, fields up to an empty
//! line, then exactly `Content-Length` bytes of body, none for a HEAD), so
//! that pipelined and kept-alive answers are read one by one, in order.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

/// How long a read may wait for the server.
pub const STALL: Duration = Duration::from_secs(10);

/// The most bytes of an answer's head the client reads.
const MAX_HEAD: usize = 64 << 10;

/// One answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The fields, names in lower case.
    pub fields: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The value of field `name` (lower case), if the answer has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A connection to the server.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    /// Connects to 127.0.0.1:`port`.
    pub fn open(port: u16) -> Result<Conn, String> {
        Conn::open_waiting(port, STALL)
    }

    /// Connects to 127.0.0.1:`port`; each read or write waits at most
    /// `stall`.
    pub fn open_waiting(port: u16, stall: Duration) -> Result<Conn, String> {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
            .map_err(|e| format!("cannot connect to {address} (forwarded to guest port 80): {e}"))?;
        stream.set_read_timeout(Some(stall)).map_err(|e| e.to_string())?;
        stream.set_write_timeout(Some(stall)).map_err(|e| e.to_string())?;
        Ok(Conn { reader: BufReader::new(stream) })
    }

    /// The socket, to write to or shut down.
    pub fn stream(&mut self) -> &mut TcpStream {
        self.reader.get_mut()
    }

    /// Writes `bytes` as they are.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream().write_all(bytes).map_err(|e| format!("cannot send: {e}"))
    }

    /// Sends a request for `path` with `method`, and `body` if given.
    pub fn ask(&mut self, method: &str, path: &str, extra: &[(&str, &str)], body: Option<&[u8]>) -> Result<(), String> {
        self.send(&request(method, path, extra, body))
    }

    /// Reads the next answer; `head` says it answers a HEAD (no body).
    pub fn reply(&mut self, head: bool) -> Result<Reply, String> {
        let mut line = String::new();
        let status_line = self.line(&mut line)?;
        let status = parse_status(&status_line)?;
        let mut fields = Vec::new();
        let mut read = status_line.len();
        loop {
            let line = self.line(&mut line)?;
            if line.is_empty() {
                break;
            }
            read += line.len();
            if read > MAX_HEAD {
                return Err(format!("an answer's head longer than {MAX_HEAD} bytes"));
            }
            let (name, value) =
                line.split_once(':').ok_or_else(|| format!("a field line without a colon: {line:?}"))?;
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        let length = fields.iter().find(|(n, _)| n == "content-length").map(|(_, v)| v.parse::<usize>());
        let mut body = Vec::new();
        if !head && status >= 200 && status != 204 && status != 304 {
            match length {
                Some(Ok(len)) => {
                    body.resize(len, 0);
                    self.reader.read_exact(&mut body).map_err(|e| format!("a {status} answer's body: {e}"))?;
                }
                Some(Err(_)) => return Err(format!("a {status} answer with a Content-Length that is not a number")),
                None => return Err(format!("a {status} answer without Content-Length")),
            }
        }
        Ok(Reply { status, fields, body })
    }

    /// Whether the server has closed the connection: its end comes within
    /// [`STALL`] with nothing before it (a reset counts as closed).
    pub fn closed(&mut self) -> Result<bool, String> {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(0) => Ok(true),
            Ok(_) => Ok(false),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => Ok(false),
            Err(_) => Ok(true),
        }
    }

    /// One line of the answer's head, without its CRLF.
    fn line(&mut self, line: &mut String) -> Result<String, String> {
        line.clear();
        let mut limited = (&mut self.reader).take(MAX_HEAD as u64);
        match limited.read_line(line) {
            Ok(0) => Err("the server closed the connection before answering".into()),
            Ok(_) if !line.ends_with("\r\n") => Err(format!("an answer's line does not end with CRLF: {line:?}")),
            Ok(_) => Ok(line.trim_end_matches("\r\n").to_string()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(format!("no answer within {} s", STALL.as_secs()))
            }
            Err(e) => Err(format!("reading the answer: {e}")),
        }
    }
}

/// A normal request after a hostile one: the server must still answer.
pub fn still_serving(port: u16) -> Result<(), String> {
    let mut conn = Conn::open(port)?;
    conn.ask("GET", "/", &[], None)?;
    match conn.reply(false) {
        Ok(reply) if reply.status == 200 => Ok(()),
        Ok(reply) => Err(format!("afterwards, a normal GET / answered {}", reply.status)),
        Err(e) => Err(format!("afterwards, a normal GET / got no answer: {e}")),
    }
}

/// The bytes of a request.
pub fn request(method: &str, path: &str, extra: &[(&str, &str)], body: Option<&[u8]>) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: fledge\r\n");
    for (name, value) in extra {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    bytes
}

/// The code of a status line such as `HTTP/1.1 200 OK`.
fn parse_status(line: &str) -> Result<u16, String> {
    let mut parts = line.splitn(3, ' ');
    match (parts.next(), parts.next().map(str::parse::<u16>)) {
        (Some(version), Some(Ok(code))) if version.starts_with("HTTP/1.") && (100..600).contains(&code) => Ok(code),
        _ => Err(format!("not an HTTP/1.x status line: {line:?}")),
    }
}

/// Runs `curl` with `args`: its standard output, or what went wrong.
/// `-v` output (standard error) comes after a line `--- stderr`.
pub fn curl(args: &[&str]) -> Result<String, String> {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--http1.1", "--max-time", "20"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run curl ({e}): run scripts/setup.sh, which installs it"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("`curl {}` failed ({}): {}", args.join(" "), out.status, stderr.trim()));
    }
    Ok(format!("{stdout}\n--- stderr\n{stderr}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_status_lines() {
        assert_eq!(
            request("PUT", "/p", &[("X-Message", "m")], Some(b"hi")),
            b"PUT /p HTTP/1.1\r\nHost: fledge\r\nX-Message: m\r\nContent-Length: 2\r\n\r\nhi".to_vec()
        );
        assert_eq!(parse_status("HTTP/1.1 404 Not Found"), Ok(404));
        assert!(parse_status("HTTP/2 200").is_err());
        assert!(parse_status("SSH-2.0").is_err());
    }

    /// Pipelined answers, one of them to a HEAD, read one by one.
    #[test]
    fn answers_are_read_one_at_a_time() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n\
                      HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                )
                .unwrap();
        });
        let mut conn = Conn::open(port).unwrap();
        assert_eq!(conn.reply(false).unwrap().text(), "abc");
        let head = conn.reply(true).unwrap();
        assert_eq!((head.status, head.field("content-length"), head.body.len()), (200, Some("3"), 0));
        assert_eq!(conn.reply(false).unwrap().status, 404);
        assert!(conn.closed().unwrap());
    }
}
