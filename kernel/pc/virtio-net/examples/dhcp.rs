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
//! What it showed (QEMU 7.2, TCG, on the 2-core build machine, five
//! runs): `# mac 52-54-00-12-34-56`, then `# dhcp 10.0.2.15/24` about
//! 10 ms after the card started (1.3 to 1.6 s after QEMU started, most of
//! it the boot), then `# listening 80`. A Python client on the host sent
//! 1 MiB of random bytes to 127.0.0.1:5580 from one thread and read the
//! echo in another: all 1,048,576 bytes came back identical in 0.33 to
//! 0.40 s (2.5 to 3.0 MiB/s each way), and the kernel printed `# echoed
//! 1048576 bytes`; 8 MiB took 2.9 to 3.0 s. The pcap of a 1 MiB run holds
//! 4 DHCP frames (DISCOVER, OFFER, REQUEST, ACK), 2 ARP and 1808 TCP.
//!
//! The poll loop spins: it polls the stack again at once, with no sleep and
//! no interrupt. That is the simplest loop that is never late for a frame;
//! exercise 11's executor sleeps until `poll_delay` or the card's interrupt
//! instead.

#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

use alloc::vec::Vec;
use core::fmt::Write;
use core::time::Duration;

use fledge_api::Clock;
use fledge_api::tcp::{Stream, Tcp, TcpError};
use fledge_boot::Case;
use fledge_boot::com1::Com1;
use fledge_net::NetStack;
use fledge_pci::dma;
use fledge_virtio_net::VirtioNet;
use fledge_virtio_net::pci::Card;

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
    let mac = net.mac();
    let _ = writeln!(Com1, "# mac {mac}");
    let mut stack = NetStack::with_dhcp(net, mac, SEED, clock.now());

    let started = clock.now();
    let lease = loop {
        stack.poll(clock.now());
        if let Some(lease) = stack.lease() {
            break lease.address;
        }
        if clock.now().saturating_duration_since(started) > DHCP_TIMEOUT {
            panic!("no DHCP lease after {DHCP_TIMEOUT:?}: {:?}", stack.device().stats());
        }
    };
    let _ = writeln!(Com1, "# dhcp {lease}");

    let listener = match stack.listen(PORT) {
        Ok(listener) => listener,
        Err(error) => panic!("cannot listen on port {PORT}: {error}"),
    };
    let _ = writeln!(Com1, "# listening {PORT}");
    loop {
        let stream = loop {
            match stack.accept(listener) {
                Ok((stream, _peer)) => break stream,
                Err(TcpError::WouldBlock) => stack.poll(clock.now()),
                Err(error) => panic!("accept: {error}"),
            };
        };
        match echo(&mut stack, stream, clock) {
            Ok(bytes) => {
                let _ = writeln!(Com1, "# echoed {bytes} bytes");
            }
            Err(error) => {
                let _ = writeln!(Com1, "# echo ended: {error}");
            }
        }
        let _ = stack.close(stream);
    }
}

/// Sends back every byte `stream` brings, until the peer has closed and
/// every byte went back; then closes this side too. Says how many.
fn echo(stack: &mut Stack, stream: Stream, clock: &impl Clock) -> Result<usize, TcpError> {
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    let mut total = 0;
    let mut ended = false;
    loop {
        if !ended && pending.len() < 64 * 1024 {
            match stack.read(stream, &mut buf) {
                Ok(0) => ended = true,
                Ok(n) => {
                    pending.extend_from_slice(&buf[..n]);
                    total += n;
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => return Err(error),
            }
        }
        if !pending.is_empty() {
            match stack.write(stream, &pending) {
                Ok(n) => {
                    pending.drain(..n);
                }
                Err(TcpError::WouldBlock) => {}
                Err(error) => return Err(error),
            }
        }
        if ended && pending.is_empty() {
            stack.shutdown(stream)?;
            return Ok(total);
        }
        stack.poll(clock.now());
    }
}

fledge_boot::test_kernel!(CASES);
