//! Exercise 12's kernel tests: the website as a unikernel, its pages in a
//! store on a real virtio drive, served over a real virtio network card,
//! and talked to from the host by the grader's HTTP clients.
//!
//! The grader boots each test with two devices: a virtio-blk drive of
//! 8192 blocks (4 MiB of zeros, `[drive.site]`) and a virtio-net card on
//! QEMU's user network (10.0.2.0/24, `restrict=on`), whose port 80 it
//! forwards from a host port. Every test starts the same way: bring-up,
//! DMA memory, and the drive opened as a `LogStore` (exercise 10's store
//! over exercise 09's driver); a store with no commits is given the site's
//! first pages (`site::seed`). It prints where the store is:
//!
//! ```text
//! # store at 000002
//! ```
//!
//! `the_store_holds_the_site` then asks the site for its index without
//! any network (`site::respond`, and `Response::encode`) and returns. The
//! other four serve. Each starts the network card, takes an address by
//! DHCP through exercise 11's poll loop, and listens on port 80:
//!
//! ```text
//! # dhcp 10.0.2.15/24
//! # ready
//! ```
//!
//! After `# ready` the grader runs its HTTP checks (the `http` list of the
//! test's `[test.net]` in exercise.toml) against the server, then writes a
//! line (`done`) to COM1. The server's step runs in the network task, in
//! `poll::run`, until that line comes; the test then prints the card's
//! counts and the server's, and returns:
//!
//! ```text
//! # card Stats { received: .., .. }
//! # stats Stats { accepted: 57, requests: 212, refused: 3, timed_out: 1, evicted: 0, failed: 2 }
//! ```
//!
//! The four serving tests run the same kernel; they differ only in what
//! the grader does to it:
//!
//! - `serves_pages`: `GET` and `HEAD` of a page, a page that is not
//!   there, several requests on one kept-alive connection, and requests
//!   pipelined in one write;
//! - `fifty_clients_at_once`: fifty connections open together, each
//!   asking for pages. The stack has 16 sockets: the server holds 12
//!   connections, the listener's backlog 4 more, and a client past those
//!   is refused with a reset before any byte, as fledge-net's limits
//!   say, and connects again (a run on QEMU took at most two tries each,
//!   the fifty served in under 6 s);
//! - `an_edit_is_a_commit`: a `PUT` of a page, then the page, the
//!   history and the page at the new commit;
//! - `hostile_clients_leave_it_serving`: a client that trickles its
//!   request (slowloris), one with a huge header, malformed requests, one
//!   that resets its connection, one that sends a body over the limit;
//!   after each, a polite client must still be served.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt::Write;
use core::future::Future;
use core::time::Duration;

use fledge_api::Clock;
use fledge_api::store::Store;
use fledge_boot::Case;
use fledge_boot::com1::{self, Com1};
use fledge_executor::{Executor, Handle};
use fledge_net::{Lease, NetStack};
use fledge_pci::dma;
use fledge_store::LogStore;
use fledge_tasks::pci_interrupt::PciInterrupt;
use fledge_tasks::traced_halt::TracedHalt;
use fledge_tasks::{bringup, door, dump};
use fledge_virtio_blk::VirtioBlock;
use fledge_virtio_net::VirtioNet;
use fledge_virtio_net::pci::Card;
use fledge_virtio_net::poll::{self, Step};
use http::request::{self, Method};
use http::site::{self, SEED_PAGES};
use http::{Config, Server, Status};

/// The tests, in the order they run.
pub static CASES: &[Case] = fledge_boot::cases![
    the_store_holds_the_site,
    serves_pages,
    fifty_clients_at_once,
    an_edit_is_a_commit,
    hostile_clients_leave_it_serving
];

/// How long DHCP may take: QEMU answers within milliseconds.
const DHCP_TIMEOUT: Duration = Duration::from_secs(20);

/// The port the site is served on (the grader forwards a host port to it).
const PORT: u16 = 80;

/// How often the test looks at COM1 for the grader's `done`: COM1 raises
/// no interrupt here.
const LOOK: Duration = Duration::from_millis(10);

/// The stack's seed. A kernel that serves real peers takes it from its
/// `Entropy` (exercise 06); a fixed one makes the runs repeat.
const SEED: u64 = 0x0fed_9e00_0000_0b12;

/// The store: exercise 10's log on exercise 09's driver.
type Site = LogStore<VirtioBlock<fledge_virtio_blk::pci::Device>>;

type Stack = NetStack<VirtioNet<Card>>;

/// Brings the kernel up and sets up DMA memory (each once a boot); the
/// clock.
fn bring_up() -> &'static dyn Clock {
    static DMA: spin::Once<()> = spin::Once::new();
    let clock = bringup::init().unwrap_or_else(|error| panic!("the kernel did not come up: {error}"));
    DMA.call_once(|| {
        let info = fledge_boot::runner::boot_info().expect("the runner has the boot information");
        let offset = info.physical_memory_offset.into_option().expect("the bootloader maps physical memory");
        // SAFETY: the bootloader maps all physical memory, device memory
        // included, at `offset`; bring-up's allocator holds only usable
        // frames, the heap's already taken out of it; `DMA` makes this
        // run once a boot.
        if unsafe { dma::init(bringup::frames(), offset) }.is_err() {
            panic!("DMA memory was set up twice");
        }
    });
    clock
}

/// The drive the grader attached, opened as the site's store; the first
/// pages committed if it has no commits. Prints `# store at COMMIT`.
fn open_site() -> Site {
    let disk =
        VirtioBlock::find().unwrap_or_else(|error| panic!("the drive the grader attached did not start: {error}"));
    let mut store = LogStore::open(disk).unwrap_or_else(|error| panic!("LogStore::open on the drive: {error}"));
    if store.head().is_none() {
        let pages = site::seed(&mut store).unwrap_or_else(|error| panic!("seeding the first pages: {error}"));
        let _ = writeln!(Com1, "# seeded {pages} pages");
    }
    let Some(head) = store.head() else {
        panic!("the store has no commits after seeding");
    };
    let _ = writeln!(Com1, "# store at {head}");
    store
}

fn the_store_holds_the_site() {
    bring_up();
    let mut store = open_site();
    let head = store.head().map_or(0, |id| id.0 as usize);
    assert!(head >= SEED_PAGES.len(), "the store is at commit {head}, before the {} seeded pages", SEED_PAGES.len());

    let (index, consumed) = match request::parse(b"GET / HTTP/1.1\r\nHost: fledge\r\n\r\n") {
        Ok(Some(parsed)) => parsed,
        other => panic!("`request::parse` of a GET of the index gave {other:?}"),
    };
    assert_eq!((index.method, index.path(), consumed), (Method::Get, "/", 32), "the index's request");
    let answer = site::respond(&mut store, &index);
    let body = String::from_utf8_lossy(&answer.body).into_owned();
    assert_eq!(answer.status, Status::Ok, "GET / answered {:?}: {body}", answer.status);
    for (name, _, _) in SEED_PAGES {
        let link = alloc::format!("<a href=\"/{name}\">");
        assert!(body.contains(&link), "the index has no link {link}: {body}");
    }

    let mut bytes = Vec::new();
    answer.encode(false, false, &mut bytes);
    let length = alloc::format!("\r\nContent-Length: {}\r\n", answer.body.len());
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "the encoded answer starts {:?}", text.lines().next());
    assert!(text.contains(&length), "the encoded answer has no `{}`: {text:?}", length.trim());
    assert!(bytes.ends_with(&answer.body), "the encoded answer does not end with its body");
    let _ = writeln!(Com1, "# index: {} bytes, {} pages", answer.body.len(), SEED_PAGES.len());
}

fn serves_pages() {
    serve_the_site();
}

fn fifty_clients_at_once() {
    serve_the_site();
}

fn an_edit_is_a_commit() {
    serve_the_site();
}

fn hostile_clients_leave_it_serving() {
    serve_the_site();
}

/// The site: the store opened, the card started, an address by DHCP, a
/// [`Server`] on [`PORT`], `# ready`; then served until the grader says
/// `done`, and the server's counts printed.
fn serve_the_site() {
    let clock = bring_up();
    let store = open_site();
    let machine = machine(clock);
    machine.run(move |net| async move {
        net.join().await;
        // The stack has `MAX_SOCKETS` sockets; the listener keeps
        // `BACKLOG` of them for connections not yet accepted, so the
        // server holds at most the rest. More slots than sockets would
        // leave the listener none to take the next connection with.
        let slots = fledge_net::limits::MAX_SOCKETS - fledge_net::limits::BACKLOG;
        let config = Config { slots, ..Config::new(PORT) };
        let server = Server::new(&mut *net.stack().borrow_mut(), config);
        let server = server.unwrap_or_else(|error| panic!("listen({PORT}): {error}"));
        let _ = writeln!(Com1, "# ready");
        let site = Rc::new(RefCell::new((server, store)));
        let serving = Rc::clone(&site);
        let clock = net.machine.clock;
        net.serve_until_done(move |stack| {
            let (server, store) = &mut *serving.borrow_mut();
            server.step(stack, store, clock.now())
        })
        .await;
        let _ = writeln!(Com1, "# card {:?}", net.card_stats());
        let _ = writeln!(Com1, "# stats {:?}", site.borrow().0.stats());
    });
}

/// What a serving test runs on: the card started, its interrupt line
/// taken, and a stack over it that will ask for an address by DHCP.
struct Machine {
    clock: &'static dyn Clock,
    stack: RefCell<Stack>,
    line: PciInterrupt,
}

/// Finds and starts the card (bring-up and DMA are done).
fn machine(clock: &'static dyn Clock) -> Machine {
    let net = VirtioNet::find().unwrap_or_else(|error| panic!("the network card did not start: {error}"));
    let Some(line) = fledge_virtio_net::pci::interrupt_line() else {
        panic!("the network card has no interrupt line in its configuration space (byte 0x3C)");
    };
    let line = PciInterrupt::new(line).unwrap_or_else(|error| panic!("the card's interrupt: {error}"));
    let mac = net.mac();
    let _ = writeln!(Com1, "# mac {mac}, irq {}", line.line());
    let stack = NetStack::with_dhcp(net, mac, SEED, clock.now());
    Machine { clock, stack: RefCell::new(stack), line }
}

impl Machine {
    /// Runs `test` to its end on an executor over the PIT's clock and
    /// `hlt`, with the interrupt handlers' door open to it.
    fn run<'m, F: Future<Output = ()> + 'm>(&'m self, test: impl FnOnce(Net<'m>) -> F) {
        let mut executor = Executor::new(self.clock, &TracedHalt, &dump::TRACE);
        let _door = door::open(executor.interrupts());
        let net = Net { machine: self, handle: executor.handle() };
        executor.block_on("test", test(net));
    }
}

/// A test's way to the network, on its executor.
struct Net<'m> {
    machine: &'m Machine,
    handle: Handle<'m>,
}

impl<'m> Net<'m> {
    fn stack(&self) -> &'m RefCell<Stack> {
        &self.machine.stack
    }

    fn card_stats(&self) -> fledge_virtio_net::Stats {
        self.stack().borrow().device().stats()
    }

    /// DHCP through the poll loop; prints the lease.
    async fn join(&self) -> Lease {
        match poll::join(self.stack(), &self.handle, &self.machine.line, DHCP_TIMEOUT).await {
            Ok(lease) => {
                let _ = writeln!(Com1, "# dhcp {}", lease.address);
                lease
            }
            Err(error) => panic!("{error}; the card's counts: {:?}", self.card_stats()),
        }
    }

    /// Serves: runs the poll loop in a task of its own, with `work` as
    /// the program's step (it says whether it did something), until the
    /// grader writes a line on COM1.
    ///
    /// COM1 raises no interrupt here, so this task looks at it every
    /// [`LOOK`]; the network task sleeps until its own timers or the card's
    /// interrupt, and nothing else wakes it.
    async fn serve_until_done(&self, mut work: impl FnMut(&mut Stack) -> bool + 'm) {
        let (stack, line, handle) = (self.stack(), &self.machine.line, self.handle.clone());
        let serving = self.handle.spawn("net", async move {
            poll::run(stack, &handle, line, |stack| if work(stack) { Step::<()>::Busy } else { Step::Idle }).await
        });
        let mut heard = Vec::new();
        while !grader_wrote_a_line(&mut heard) {
            self.handle.sleep(LOOK).await;
        }
        // Detached, not cancelled: the task ends with the executor.
        drop(serving);
    }
}

/// Takes what COM1 has received; says whether a whole line has come.
fn grader_wrote_a_line(heard: &mut Vec<u8>) -> bool {
    while let Some(byte) = com1::try_read() {
        if byte == b'\n' {
            return true;
        }
        heard.push(byte);
    }
    false
}
