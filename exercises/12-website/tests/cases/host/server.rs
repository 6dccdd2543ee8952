//! The server over the host's sockets (`HostTcp`), in a thread of its own,
//! against clients written by hand with `std::net::TcpStream`: polite
//! ones first, then hostile ones. The store is a `LogStore` on a RAM disk,
//! the clock the host's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use fledge_api::Clock;
use fledge_api::store::{Change, Store};
use fledge_api::tcp::TcpError;
use fledge_block::RamDisk;
use fledge_hosted::{HostClock, HostTcp};
use fledge_store::LogStore;
use http::{Config, Server, Stats};

type Disk = LogStore<RamDisk<Vec<u8>>>;

/// A server running in a thread until dropped.
struct Running {
    port: u16,
    stats: Arc<Mutex<Stats>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Running {
    /// The server's counts once `ready` holds of them (they are copied
    /// out after each step, so a client may be answered a moment before
    /// they count it), or as they are after two seconds.
    fn stats(&self, ready: impl Fn(&Stats) -> bool) -> Stats {
        let start = Instant::now();
        loop {
            let stats = *self.stats.lock().unwrap();
            if ready(&stats) || start.elapsed() > Duration::from_secs(2) {
                return stats;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    fn connect(&self) -> Client {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        stream.set_nodelay(true).unwrap();
        Client { reader: BufReader::new(stream.try_clone().unwrap()), stream }
    }

    /// Sends `request` on a new connection and reads one answer.
    fn ask(&self, request: &str) -> Answer {
        let mut client = self.connect();
        client.send(request.as_bytes());
        client.answer(request.starts_with("HEAD"))
    }
}

/// A store with two pages, made in two commits.
fn seeded() -> Disk {
    let mut store = LogStore::open(RamDisk::new(vec![0; 8 << 20])).unwrap();
    store.commit(&[Change::set("pages/hello", "<p>Hello!</p>")], "ada", "first page").unwrap();
    store.commit(&[Change::set("pages/about", "<p>About</p>")], "ada", "about").unwrap();
    store
}

/// Starts a server on a free port, configured by `tune`.
fn serve(tune: impl FnOnce(&mut Config) + Send + 'static) -> Running {
    // Each test takes its own ports to try, so parallel tests do not race
    // for the same one; `AddrInUse` moves on to the next.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let stop = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(Mutex::new(Stats::default()));
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let thread = {
        let (stop, stats) = (stop.clone(), stats.clone());
        thread::spawn(move || {
            let mut tcp = HostTcp::new();
            let mut store = seeded();
            let clock = HostClock::new();
            let base = 20_000 + (std::process::id() % 200) as u16 * 100;
            let mut config = Config::new(0);
            tune(&mut config);
            let mut server = loop {
                config.port = base + NEXT.fetch_add(1, Ordering::Relaxed) % 20_000;
                match Server::new(&mut tcp, config) {
                    Ok(server) => break server,
                    Err(TcpError::AddrInUse) => continue,
                    Err(error) => panic!("listen: {error}"),
                }
            };
            port_tx.send(config.port).unwrap();
            while !stop.load(Ordering::Relaxed) {
                if server.step(&mut tcp, &mut store, clock.now()) {
                    *stats.lock().unwrap() = server.stats();
                } else {
                    thread::sleep(Duration::from_millis(1));
                }
            }
            server.stop(&mut tcp);
        })
    };
    let port = port_rx.recv().unwrap();
    Running { port, stats, stop, thread: Some(thread) }
}

/// One side of a connection, as a client.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

/// An answer, as the client read it.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl Client {
    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Reads one answer; its body is `Content-Length` bytes, none if
    /// `head` (an answer to HEAD).
    fn answer(&mut self, head: bool) -> Answer {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status = line.strip_prefix("HTTP/1.1 ").unwrap_or_else(|| panic!("a status line: {line:?}"));
        let status = status[..3].parse().unwrap();
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let field = line.strip_suffix("\r\n").unwrap_or_else(|| panic!("a field line: {line:?}"));
            if field.is_empty() {
                break;
            }
            let (name, value) = field.split_once(": ").unwrap();
            headers.push((name.to_string(), value.to_string()));
        }
        let mut answer = Answer { status, headers, body: String::new() };
        let length: usize = answer.header("content-length").expect("every answer has a length").parse().unwrap();
        if !head {
            let mut body = vec![0; length];
            self.reader.read_exact(&mut body).unwrap();
            answer.body = String::from_utf8(body).unwrap();
        }
        answer
    }

    /// Whether the server closed the connection: the next read is the end
    /// of the stream (or a reset), with no byte before it.
    fn closed(&mut self) -> bool {
        let mut byte = [0; 1];
        matches!(self.reader.read(&mut byte), Ok(0) | Err(_))
    }
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n")
}

#[test]
fn serves_the_index_and_the_pages() {
    let server = serve(|_| {});
    let index = server.ask(&get("/"));
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(index.body.contains("<a href=\"/hello\">hello</a>"), "{}", index.body);
    assert!(index.body.contains("<a href=\"/about\">about</a>"), "{}", index.body);
    let page = server.ask(&get("/hello"));
    assert_eq!((page.status, page.body.as_str()), (200, "<p>Hello!</p>"));
}

#[test]
fn head_is_get_without_the_body() {
    let server = serve(|_| {});
    let mut client = server.connect();
    client.send(format!("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n{}", get("/about")).as_bytes());
    let head = client.answer(true);
    assert_eq!((head.status, head.header("content-length")), (200, Some("13")));
    // Had the HEAD answer carried a body, this would read it as a status line.
    let next = client.answer(false);
    assert_eq!((next.status, next.body.as_str()), (200, "<p>About</p>"));
}

#[test]
fn statuses_for_what_is_not_there_or_not_allowed() {
    let server = serve(|_| {});
    assert_eq!(server.ask(&get("/nothing")).status, 404);
    assert_eq!(server.ask(&get("/at/1/about")).status, 404, "about came in commit 2");
    assert_eq!(server.ask(&get("/at/99/hello")).status, 404, "no such commit");
    assert_eq!(server.ask(&get("/a/b/c")).status, 404);
    assert_eq!(server.ask(&get("/bad%20name")).status, 400);
    let delete = server.ask("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!((delete.status, delete.header("allow")), (405, Some("GET, HEAD, PUT, POST")));
    let put_history = server.ask("PUT /history HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!((put_history.status, put_history.header("allow")), (405, Some("GET, HEAD")));
    assert_eq!(server.ask("BREW /hello HTTP/1.1\r\nHost: t\r\n\r\n").status, 501);
    assert_eq!(server.ask("PUT /x HTTP/1.1\r\nHost: t\r\n\r\n").status, 411);
    assert_eq!(server.ask("GET / HTTP/3.0\r\nHost: t\r\n\r\n").status, 505);
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = serve(|_| {});
    let mut client = server.connect();
    for path in ["/hello", "/about", "/", "/nothing", "/hello"] {
        client.send(get(path).as_bytes());
        let answer = client.answer(false);
        assert!(answer.status == 200 || path == "/nothing", "{path}: {answer:?}");
        assert_eq!(answer.header("connection"), None, "kept alive");
    }
    client.send(b"GET /about HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let last = client.answer(false);
    assert_eq!((last.status, last.header("connection")), (200, Some("close")));
    assert!(client.closed());
    assert_eq!(server.stats(|stats| stats.accepted >= 1).accepted, 1);
}

#[test]
fn http_1_0_closes_unless_asked_not_to() {
    let server = serve(|_| {});
    let mut client = server.connect();
    client.send(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(client.answer(false).header("connection"), None);
    client.send(b"GET /hello HTTP/1.0\r\n\r\n");
    assert_eq!(client.answer(false).header("connection"), Some("close"));
    assert!(client.closed());
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = serve(|_| {});
    let mut client = server.connect();
    let paths = ["/about", "/hello", "/nothing", "/about", "/", "/hello", "/history", "/hello", "/about", "/hello"];
    let all: String = paths.iter().map(|path| get(path)).collect();
    client.send(all.as_bytes());
    for path in paths {
        let answer = client.answer(false);
        match path {
            "/about" => assert_eq!(answer.body, "<p>About</p>"),
            "/hello" => assert_eq!(answer.body, "<p>Hello!</p>"),
            "/nothing" => assert_eq!(answer.status, 404),
            "/" => assert!(answer.body.contains("Pages")),
            _ => assert!(answer.body.contains("History")),
        }
    }
}

#[test]
fn fifty_clients_connected_at_once_are_all_served() {
    let server = serve(|_| {});
    let port = server.port;
    let clients: Vec<_> = (0..50)
        .map(|_| {
            thread::spawn(move || {
                let mut stream = TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                stream.write_all(b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap();
                let mut all = String::new();
                stream.read_to_string(&mut all).unwrap();
                all
            })
        })
        .collect();
    for client in clients {
        let all = client.join().unwrap();
        assert!(all.starts_with("HTTP/1.1 200 OK\r\n"), "{all}");
        assert!(all.ends_with("\r\n\r\n<p>Hello!</p>"), "{all}");
    }
    assert_eq!(server.stats(|stats| stats.accepted >= 50).accepted, 50);
}

#[test]
fn an_edit_is_a_commit_seen_at_its_new_and_old_commits() {
    let server = serve(|_| {});
    let body = "<p>Hello again!</p>";
    let edit = format!(
        "PUT /hello HTTP/1.1\r\nHost: t\r\nX-Author: <ada>\r\nX-Message: say it again & again\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let answer = server.ask(&edit);
    assert_eq!((answer.status, answer.body.as_str()), (200, "000003\n"), "the page was there: 200");
    assert_eq!(answer.header("location"), Some("/at/000003/hello"));
    assert_eq!(server.ask(&get("/hello")).body, body);
    assert_eq!(server.ask(&get("/at/3/hello")).body, body);
    assert_eq!(server.ask(&get("/at/000002/hello")).body, "<p>Hello!</p>", "as it was");
    assert_eq!(server.ask(&get("/at/1/hello")).body, "<p>Hello!</p>");

    let history = server.ask(&get("/history")).body;
    let newest = history.find("000003").unwrap();
    assert!(newest < history.find("000002").unwrap() && newest < history.find("000001").unwrap(), "newest first");
    assert!(history.contains("&lt;ada&gt;: say it again &amp; again"), "escaped: {history}");
    assert!(!history.contains("<ada>"));

    let new = server.ask("POST /new-page HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nnew");
    assert_eq!((new.status, new.body.as_str()), (201, "000004\n"));
    assert!(server.ask(&get("/")).body.contains("/new-page"));
    assert!(server.ask(&get("/history")).body.contains("anonymous: edit new-page"), "the defaults");
}

#[test]
fn an_idle_connection_is_closed() {
    let server = serve(|config| config.idle_timeout = Duration::from_millis(200));
    let mut client = server.connect();
    let start = Instant::now();
    assert!(client.closed());
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
}

#[test]
fn slowloris_gets_408_while_others_are_served() {
    let server = serve(|config| config.request_deadline = Duration::from_secs(1));
    let mut slow = server.connect();
    slow.send(b"GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ");
    let mut writer = slow.stream.try_clone().unwrap();
    let trickle = thread::spawn(move || {
        // One byte every 200 ms, for 2 s: twice the deadline.
        for _ in 0..10 {
            thread::sleep(Duration::from_millis(200));
            if writer.write_all(b"z").is_err() {
                break;
            }
        }
    });
    thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let other = server.ask(&get("/about"));
    assert_eq!(other.status, 200);
    assert!(start.elapsed() < Duration::from_secs(1), "served in {:?}", start.elapsed());
    trickle.join().unwrap();
    let answer = slow.answer(false);
    assert_eq!((answer.status, answer.header("connection")), (408, Some("close")));
    assert!(slow.closed());
    assert_eq!(server.stats(|stats| stats.timed_out >= 1).timed_out, 1);
}

#[test]
fn a_megabyte_header_line_is_refused_and_the_server_goes_on() {
    let server = serve(|_| {});
    let mut client = server.connect();
    let mut request = b"GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: ".to_vec();
    request.resize(request.len() + (1 << 20), b'a');
    request.extend_from_slice(b"\r\n\r\n");
    // The server refuses after 8 KiB and reads the rest only to throw it
    // away, so the whole megabyte can be written.
    client.send(&request);
    let answer = client.answer(false);
    assert_eq!((answer.status, answer.header("connection")), (431, Some("close")));
    assert!(client.closed());
    assert_eq!(server.ask(&get("/hello")).status, 200);
}

#[test]
fn a_malformed_request_line_is_400_and_closes() {
    let server = serve(|_| {});
    let mut client = server.connect();
    client.send(b"GET /hello HTTP/1.1 please\r\nHost: t\r\n\r\n");
    let answer = client.answer(false);
    assert_eq!((answer.status, answer.header("connection")), (400, Some("close")));
    assert!(client.closed());
    assert_eq!(server.ask(&get("/hello")).status, 200);
}

#[test]
fn a_reset_in_the_middle_of_a_request_frees_the_slot() {
    let server = serve(|config| config.slots = 1);
    let client = server.connect();
    {
        let mut stream = &client.stream;
        stream.write_all(b"PUT /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part").unwrap();
    }
    thread::sleep(Duration::from_millis(50));
    // Linger with a time of zero: closing sends a reset, not a FIN.
    socket2::SockRef::from(&client.stream).set_linger(Some(Duration::ZERO)).unwrap();
    drop(client);
    // The one slot must come free for this to be served.
    assert_eq!(server.ask(&get("/hello")).body, "<p>Hello!</p>", "the half-sent edit was not committed");
    assert_eq!(server.stats(|stats| stats.failed >= 1).failed, 1);
}

#[test]
fn bytes_past_the_content_length_are_the_next_request() {
    let server = serve(|_| {});
    let mut client = server.connect();
    client.send(b"PUT /extra HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello and then some\r\n\r\n");
    let first = client.answer(false);
    assert_eq!((first.status, first.body.as_str()), (201, "000003\n"));
    let second = client.answer(false);
    assert_eq!((second.status, second.header("connection")), (400, Some("close")));
    assert!(client.closed());
    assert_eq!(server.ask(&get("/extra")).body, "hello");
}

#[test]
fn with_every_slot_taken_the_longest_idle_connection_makes_room() {
    let server = serve(|config| config.slots = 2);
    let (mut first, mut second) = (server.connect(), server.connect());
    for client in [&mut first, &mut second] {
        client.send(get("/hello").as_bytes());
        assert_eq!(client.answer(false).status, 200);
        // The two are idle from different moments.
        thread::sleep(Duration::from_millis(20));
    }
    let start = Instant::now();
    assert_eq!(server.ask(&get("/about")).status, 200);
    assert!(start.elapsed() < Duration::from_secs(1), "served in {:?}", start.elapsed());
    assert!(first.closed(), "the first was idle the longest");
    second.send(get("/about").as_bytes());
    assert_eq!(second.answer(false).status, 200, "the second keeps its slot");
    assert_eq!(server.stats(|stats| stats.evicted >= 1).evicted, 1);
}
