//! A kernel on QEMU's user network: an address by DHCP, then a TCP echo
//! service on port 80.
//!
//! `scripts/try-net.sh` builds it, makes its boot image with `cargo grade
//! --kernel`, boots it with a virtio-net card and talks to it from the
//! host. The kernel says on COM1:
//!
//! ```text
//! # dhcp 10.0.2.15/24          the lease, once QEMU's DHCP server gave it
//! # listening 80               port 80 listens: the host may connect now
//! # echoed 1048576 bytes       after each connection, once the peer has
//!                              closed and every byte went back
//! ```
//!
//! and serves one connection after the other until QEMU is stopped. The
//! host must wait for `# listening 80`: with `hostfwd`, a host `connect()`
//! succeeds at once even when nothing listens in the guest.
//!
//! The QEMU command, after the grader's usual arguments (grader/src/qemu.rs,
//! `command`), from the repository root:
//!
//! ```text
//! qemu-system-x86_64 -drive format=raw,file=target/fledge/kernel-dhcp/boot-1/disk.img \
//!   -display none -no-reboot -monitor none -m 128M -serial stdio \
//!   -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg \
//!   -netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:5580-:80 \
//!   -device virtio-net-pci,netdev=n0,romfile=,addr=0x4 \
//!   -object filter-dump,id=f0,netdev=n0,file=/tmp/net.pcap
//! ```
//!
//! What it showed (QEMU 7.2, TCG, on the 2-core build machine): `# mac
//! 52-54-00-12-34-56`, then `# dhcp 10.0.2.15/24` about 10 ms after the
//! card started (1.3 to 1.6 s after QEMU started, most of it the boot),
//! then `# listening 80`. A Python client on the host (scripts/try-net.sh)
//! sent 1 MiB of random bytes to the forwarded port from one thread and
//! read the echo in another: all 1,048,576 bytes came back identical in
//! 0.27 s (3.6 MiB/s each way, three runs), and the kernel printed
//! `# echoed 1048576 bytes`. (Busy-polling, with no sleep, took 0.33 to
//! 0.40 s.) The pcap of a 1 MiB run holds 4 DHCP frames (DISCOVER,
//! OFFER, REQUEST, ACK), 2 ARP and about 1810 TCP.
//!
//! The network runs on exercise 07's executor through the crate's poll
//! loop (`fledge_virtio_net::poll`): each round polls the stack and moves
//! the echo's bytes, and a quiet round sleeps until the stack's next
//! timer or the card's interrupt (`fledge_tasks::pci_interrupt`).

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt::Write;
use core::time::Duration;

use fledge_api::Clock;
use fledge_api::tcp::{Listener, Stream, Tcp, TcpError};
use fledge_boot::Case;
use fledge_boot::com1::Com1;
use fledge_executor::Executor;
use fledge_net::NetStack;
use fledge_pci::dma;
use fledge_tasks::door;
use fledge_tasks::dump::TRACE;
use fledge_tasks::pci_interrupt::PciInterrupt;
use fledge_tasks::traced_halt::TracedHalt;
use fledge_virtio_net::VirtioNet;
use fledge_virtio_net::pci::Card;
use fledge_virtio_net::poll::{self, Step};

static CASES: &[Case] = fledge_boot::cases![dhcp_then_echo];

/// The port the echo service listens on (QEMU forwards a host port to it).
const PORT: u16 = 80;

/// How long DHCP may take before the kernel gives up: QEMU answers in
/// milliseconds, and smoltcp's client sends its first DISCOVER at once.
const DHCP_TIMEOUT: Duration = Duration::from_secs(20);

/// The stack's seed. A kernel that serves real peers takes it from its
/// `Entropy` (exercise 06); a fixed one makes this run repeat.
const SEED: u64 = 0x0fed_9e00_0000_0011;

type Stack = NetStack<VirtioNet<Card>>;

fn dhcp_then_echo() {
    let clock = match fledge_tasks::bringup::init() {
        Ok(clock) => clock,
        Err(error) => panic!("the kernel did not come up: {error}"),
    };
    let info = fledge_boot::runner::boot_info().expect("the runner has the boot information");
    let offset = info.physical_memory_offset.into_option().expect("the bootloader maps physical memory");
    // SAFETY: the bootloader maps all physical memory, device memory
    // included, at `offset`; bring-up's allocator holds only usable
    // frames, the heap's already taken out of it; this runs once.
    if unsafe { dma::init(fledge_tasks::bringup::frames(), offset) }.is_err() {
        panic!("DMA memory was set up twice");
    }
    let net = match VirtioNet::find() {
        Ok(net) => net,
        Err(error) => panic!("no network card: {error} (scripts/try-net.sh attaches one)"),
    };
    let line = fledge_virtio_net::pci::interrupt_line().expect("the card has an interrupt line");
    let line = PciInterrupt::new(line).unwrap_or_else(|error| panic!("{error}"));
    let mac = net.mac();
    let _ = writeln!(Com1, "# mac {mac}");
    let stack = RefCell::new(NetStack::with_dhcp(net, mac, SEED, clock.now()));

    let mut executor = Executor::new(clock, &TracedHalt, &TRACE);
    let _door = door::open(executor.interrupts());
    let handle = executor.handle();
    let (stack, line) = (&stack, &line);
    executor.block_on("net", async move {
        let lease = match poll::join(stack, &handle, line, DHCP_TIMEOUT).await {
            Ok(lease) => lease,
            Err(error) => panic!("{error}: {:?}", stack.borrow().device().stats()),
        };
        let _ = writeln!(Com1, "# dhcp {}", lease.address);
        let listener = match stack.borrow_mut().listen(PORT) {
            Ok(listener) => listener,
            Err(error) => panic!("cannot listen on port {PORT}: {error}"),
        };
        let _ = writeln!(Com1, "# listening {PORT}");
        let mut echo = Echo { listener, stream: None, pending: Vec::new(), total: 0, ended: false };
        poll::run(stack, &handle, line, |stack| if echo.step(stack) { Step::<()>::Busy } else { Step::Idle }).await;
    });
}

/// The echo service: one connection at a time, every byte it brings
/// sent back until the peer has closed; then this side closes too.
struct Echo {
    listener: Listener,
    stream: Option<Stream>,
    pending: Vec<u8>,
    total: usize,
    ended: bool,
}

impl Echo {
    /// Moves what can be moved now; says whether anything was.
    fn step(&mut self, stack: &mut Stack) -> bool {
        let Some(stream) = self.stream else {
            return match stack.accept(self.listener) {
                Ok((stream, _peer)) => {
                    (self.stream, self.total, self.ended) = (Some(stream), 0, false);
                    true
                }
                Err(TcpError::WouldBlock) => false,
                Err(error) => panic!("accept: {error}"),
            };
        };
        match self.move_bytes(stack, stream) {
            Ok(moved) => moved,
            Err(error) => {
                let _ = writeln!(Com1, "# echo ended: {error}");
                self.finish(stack, stream);
                true
            }
        }
    }

    fn move_bytes(&mut self, stack: &mut Stack, stream: Stream) -> Result<bool, TcpError> {
        let mut buf = [0u8; 4096];
        let mut moved = false;
        if !self.ended && self.pending.len() < 64 * 1024 {
            match stack.read(stream, &mut buf) {
                Ok(0) => (self.ended, moved) = (true, true),
                Ok(n) => {
                    self.pending.extend_from_slice(&buf[..n]);
                    self.total += n;
                    moved = true;
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => return Err(error),
            }
        }
        if !self.pending.is_empty() {
            match stack.write(stream, &self.pending) {
                Ok(n) => {
                    self.pending.drain(..n);
                    moved |= n > 0;
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => return Err(error),
            }
        }
        if self.ended && self.pending.is_empty() {
            stack.shutdown(stream)?;
            let _ = writeln!(Com1, "# echoed {} bytes", self.total);
            self.finish(stack, stream);
            moved = true;
        }
        Ok(moved)
    }

    fn finish(&mut self, stack: &mut Stack, stream: Stream) {
        let _ = stack.close(stream);
        self.stream = None;
        self.pending.clear();
    }
}

fledge_boot::test_kernel!(CASES);
