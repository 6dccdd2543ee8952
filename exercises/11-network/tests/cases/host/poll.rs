//! The poll loop (`virtio_net::poll`) on exercise 07's executor, with a
//! clock that moves only when the test or the idle moves it, a card of
//! queues, and a fake interrupt line that the test raises as the card's
//! handler would: the line masked, the waker woken. The card is not
//! `VirtioNet` (the device tests are its), so these tests need only
//! src/poll.rs.
//!
//! The tests drive the executor themselves, a tick at a time, and give up
//! after a while of fake time, so that a loop that never wakes fails with
//! a message instead of hanging. The programs' steps give up after a
//! number of rounds too, so that a loop that never sleeps ends as well.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::task::Waker;
use std::time::Duration;

use fledge_api::{Clock, Instant};
use fledge_executor::{AtomicWaker, Executor, JoinHandle, yield_now};
use fledge_fakes::{ManualClock, TickingIdle};
use fledge_net::NetStack;
use fledge_net::fakes::Flood;
use fledge_trace::NoTrace;
use smoltcp::phy::{self, ChecksumCapabilities, Device, DeviceCapabilities, Medium};
use smoltcp::time::Instant as SmolInstant;
use smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, DhcpMessageType, DhcpPacket, DhcpRepr, EthernetAddress, EthernetFrame,
    EthernetProtocol, EthernetRepr, IpAddress, IpProtocol, Ipv4Cidr, Ipv4Packet, Ipv4Repr, UdpPacket, UdpRepr,
};
use virtio_net::poll::{self, IrqLine, NetCard, Step};

use super::fake_card::SEED;

const MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const PEER_MAC: [u8; 6] = [0x52, 0x55, 0x0a, 0x00, 0x02, 0x02];
const IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
const PEER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

/// How far the clock moves at each step of the tests' drive, and at
/// each wait of the idle.
const TICK: Duration = Duration::from_millis(1);

/// How many rounds a test's step allows before it gives up: far more
/// than a loop that sleeps makes in these tests.
const ROUNDS: u32 = 10_000;

type Stack = NetStack<QueueCard>;

/// Frames on their way to a card.
type Wire = Rc<RefCell<VecDeque<Vec<u8>>>>;

/// A card of two queues: frames arrive from `incoming`, frames sent go to
/// `sent`. A frame put on it with `inject` raises its interrupt, which
/// `ack_interrupt` takes down and counts.
#[derive(Default)]
struct QueueCard {
    incoming: Wire,
    sent: Vec<Vec<u8>>,
    /// Whether to keep the frames sent (a flood sends too many).
    forget: bool,
    raised: bool,
    acks: u64,
}

impl QueueCard {
    fn inject(&mut self, frame: Vec<u8>) {
        self.incoming.borrow_mut().push_back(frame);
        self.raised = true;
    }
}

/// A frame received, in its own buffer.
struct QueueRx(Vec<u8>);

/// Room to send one frame, into the card's record.
struct QueueTx<'a>(&'a mut QueueCard);

impl phy::RxToken for QueueRx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for QueueTx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0; len];
        let result = f(&mut frame);
        if !self.0.forget {
            self.0.sent.push(frame);
        }
        result
    }
}

impl Device for QueueCard {
    type RxToken<'a> = QueueRx;
    type TxToken<'a> = QueueTx<'a>;

    fn receive(&mut self, _now: SmolInstant) -> Option<(QueueRx, QueueTx<'_>)> {
        let frame = self.incoming.borrow_mut().pop_front()?;
        Some((QueueRx(frame), QueueTx(self)))
    }

    fn transmit(&mut self, _now: SmolInstant) -> Option<QueueTx<'_>> {
        Some(QueueTx(self))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = 1514;
        caps
    }
}

impl NetCard for QueueCard {
    fn frames_waiting(&self) -> bool {
        !self.incoming.borrow().is_empty()
    }

    fn ack_interrupt(&mut self) -> bool {
        let raised = std::mem::take(&mut self.raised);
        self.acks += u64::from(raised);
        raised
    }
}

/// What a test makes happen at a registration.
type Hook = Box<dyn FnOnce(&FakeLine)>;

/// An interrupt line that the test raises. Like the PIC, it delivers an
/// interrupt only while unmasked; one raised while masked waits until
/// the loop unmasks the line.
#[derive(Default)]
struct FakeLine {
    waker: AtomicWaker,
    masked: Cell<bool>,
    /// Raised while masked, to deliver at the unmask.
    held: Cell<bool>,
    delivered: Cell<u64>,
    unmasks: Cell<u64>,
    /// Runs at the start of the next registration, before the waker is
    /// left: the test's way to make an interrupt come just then.
    before_register: RefCell<Option<Hook>>,
}

impl FakeLine {
    /// The card interrupts: the handler's work, if the line is unmasked.
    fn raise(&self) {
        if self.masked.get() {
            self.held.set(true);
        } else {
            self.deliver();
        }
    }

    fn deliver(&self) {
        self.masked.set(true);
        self.delivered.set(self.delivered.get() + 1);
        self.waker.wake();
    }
}

impl IrqLine for FakeLine {
    fn register(&self, waker: &Waker) {
        let hook = self.before_register.borrow_mut().take();
        if let Some(hook) = hook {
            hook(self);
        }
        self.waker.register(waker);
    }

    fn unmask(&self) {
        self.unmasks.set(self.unmasks.get() + 1);
        self.masked.set(false);
        if self.held.replace(false) {
            self.deliver();
        }
    }
}

/// A stack at 10.0.2.15/24 over a card whose far end is the test.
fn fixed_stack() -> RefCell<Stack> {
    let mac = EthernetAddress(MAC);
    RefCell::new(NetStack::with_address(QueueCard::default(), mac, Ipv4Cidr::new(IP, 24), None, SEED, Instant::ZERO))
}

/// A stack that asks for its address by DHCP.
fn dhcp_stack() -> RefCell<Stack> {
    RefCell::new(NetStack::with_dhcp(QueueCard::default(), EthernetAddress(MAC), SEED, Instant::ZERO))
}

/// The peer's broadcast: who has 10.0.2.15?
fn arp_request() -> Vec<u8> {
    let arp = ArpRepr::EthernetIpv4 {
        operation: ArpOperation::Request,
        source_hardware_addr: EthernetAddress(PEER_MAC),
        source_protocol_addr: PEER_IP,
        target_hardware_addr: EthernetAddress([0; 6]),
        target_protocol_addr: IP,
    };
    let ethernet = EthernetRepr {
        src_addr: EthernetAddress(PEER_MAC),
        dst_addr: EthernetAddress::BROADCAST,
        ethertype: EthernetProtocol::Arp,
    };
    let mut frame = vec![0; ethernet.buffer_len() + arp.buffer_len()];
    let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
    ethernet.emit(&mut view);
    arp.emit(&mut ArpPacket::new_unchecked(view.payload_mut()));
    frame
}

/// How many ARP replies the stack's card has sent.
fn arp_replies(stack: &Stack) -> usize {
    let sent = &stack.device().sent;
    sent.iter()
        .filter(|frame| {
            let Ok(ethernet) = EthernetFrame::new_checked(&frame[..]) else { return false };
            let Ok(arp) = ArpPacket::new_checked(ethernet.payload()) else { return false };
            ethernet.ethertype() == EthernetProtocol::Arp && arp.operation() == ArpOperation::Reply
        })
        .count()
}

/// The DHCP message in `frame`, if it is one: its type and transaction.
fn dhcp_message(frame: &[u8]) -> Option<(DhcpMessageType, u32)> {
    let ethernet = EthernetFrame::new_checked(frame).ok()?;
    if ethernet.ethertype() != EthernetProtocol::Ipv4 {
        return None;
    }
    let ip = Ipv4Packet::new_checked(ethernet.payload()).ok()?;
    if ip.next_header() != IpProtocol::Udp {
        return None;
    }
    let udp = UdpPacket::new_checked(ip.payload()).ok()?;
    if udp.dst_port() != 67 {
        return None;
    }
    let packet = DhcpPacket::new_checked(udp.payload()).ok()?;
    let dhcp = DhcpRepr::parse(&packet).ok()?;
    Some((dhcp.message_type, dhcp.transaction_id))
}

/// The DHCP messages the stack's card has sent, in order.
fn dhcp_sent(stack: &Stack) -> Vec<DhcpMessageType> {
    stack.device().sent.iter().filter_map(|f| dhcp_message(f)).map(|(kind, _)| kind).collect()
}

/// What QEMU's DHCP server says with `restrict=on`: 10.0.2.15/24, no
/// router, no DNS; an answer of `kind` to transaction `xid`.
fn dhcp_answer(kind: DhcpMessageType, xid: u32) -> Vec<u8> {
    let dhcp = DhcpRepr {
        message_type: kind,
        transaction_id: xid,
        secs: 0,
        client_hardware_address: EthernetAddress(MAC),
        client_ip: Ipv4Addr::UNSPECIFIED,
        your_ip: IP,
        server_ip: PEER_IP,
        router: None,
        subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        relay_agent_ip: Ipv4Addr::UNSPECIFIED,
        broadcast: false,
        requested_ip: None,
        client_identifier: None,
        server_identifier: Some(PEER_IP),
        parameter_request_list: None,
        dns_servers: None,
        max_size: None,
        lease_duration: Some(86_400),
        renew_duration: None,
        rebind_duration: None,
        additional_options: &[],
    };
    let udp_len = 8 + dhcp.buffer_len();
    let ip = Ipv4Repr {
        src_addr: PEER_IP,
        dst_addr: Ipv4Addr::BROADCAST,
        next_header: IpProtocol::Udp,
        payload_len: udp_len,
        hop_limit: 64,
    };
    let ethernet = EthernetRepr {
        src_addr: EthernetAddress(PEER_MAC),
        dst_addr: EthernetAddress::BROADCAST,
        ethertype: EthernetProtocol::Ipv4,
    };
    let caps = ChecksumCapabilities::default();
    let mut frame = vec![0; ethernet.buffer_len() + ip.buffer_len() + udp_len];
    let mut eth_view = EthernetFrame::new_unchecked(&mut frame[..]);
    ethernet.emit(&mut eth_view);
    let mut ip_view = Ipv4Packet::new_unchecked(eth_view.payload_mut());
    ip.emit(&mut ip_view, &caps);
    UdpRepr { src_port: 67, dst_port: 68 }.emit(
        &mut UdpPacket::new_unchecked(ip_view.payload_mut()),
        &IpAddress::Ipv4(PEER_IP),
        &IpAddress::Ipv4(Ipv4Addr::BROADCAST),
        dhcp.buffer_len(),
        |bytes| dhcp.emit(&mut DhcpPacket::new_unchecked(bytes)).expect("the answer fits"),
        &caps,
    );
    frame
}

/// Runs what is ready, then moves the clock a tick, until `task` has
/// finished or `limit` has passed on the clock; returns its output and
/// the time it finished at.
fn drive<T>(
    executor: &mut Executor<'_>,
    clock: &ManualClock,
    task: &mut JoinHandle<T>,
    limit: Duration,
) -> Option<(T, Duration)> {
    loop {
        executor.run_ready();
        if task.is_finished() {
            return task.try_take().map(|output| (output, clock.elapsed()));
        }
        if clock.elapsed() >= limit {
            return None;
        }
        clock.advance(TICK);
    }
}

#[test]
fn timers_fire_while_no_frame_arrives() {
    // A DHCP client sends a DISCOVER at once and again every 10 s until a
    // server answers. Nothing answers here, and no frame ever arrives: only
    // a loop that sleeps until `poll_delay` sends the retries.
    let clock = ManualClock::new(Duration::ZERO);
    let idle = TickingIdle::new(&clock, TICK);
    let (stack, line) = (dhcp_stack(), FakeLine::default());
    let rounds = Cell::new(0u32);
    let (stack_ref, line_ref, rounds_ref) = (&stack, &line, &rounds);
    let mut executor = Executor::new(&clock, &idle, &NoTrace);
    let handle = executor.handle();
    drop(executor.spawn("net", async move {
        poll::run(stack_ref, &handle, line_ref, |_stack| {
            rounds_ref.set(rounds_ref.get() + 1);
            if rounds_ref.get() >= ROUNDS { Step::Done(()) } else { Step::Idle }
        })
        .await
    }));
    let watch = executor.handle();
    executor.block_on("watch", async move { watch.sleep(Duration::from_secs(35)).await });
    let discovers = dhcp_sent(&stack.borrow()).len();
    let rounds = rounds.get();
    assert!(
        rounds < 200,
        "the loop made {rounds} rounds in 35 s of nothing happening: it should sleep until poll_delay between them, not spin"
    );
    assert!(
        discovers >= 4,
        "in 35 s with no answer the DHCP client sends a DISCOVER at 0, 10, 20 and 30 s, but {discovers} went out \
         ({rounds} rounds): does the loop sleep until poll_delay, or only until an interrupt?"
    );
}

#[test]
fn a_frame_wakes_the_sleeping_loop_through_the_interrupt() {
    // The stack has no timer at all (a fixed address, no sockets): only
    // the interrupt can wake the loop. Two ARP requests come, at 5 and at
    // 10 ms, each with an interrupt; the second is delivered only if the
    // loop unmasked the line after the first.
    let clock = ManualClock::new(Duration::ZERO);
    let idle = TickingIdle::new(&clock, TICK);
    let (stack, line) = (fixed_stack(), FakeLine::default());
    let (stack_ref, line_ref) = (&stack, &line);
    let mut executor = Executor::new(&clock, &idle, &NoTrace);
    let (handle, peer) = (executor.handle(), executor.handle());
    let mut rounds = 0;
    let mut net = executor.spawn("net", async move {
        poll::run(stack_ref, &handle, line_ref, |stack| {
            rounds += 1;
            match arp_replies(stack) {
                2 => Step::Done(Ok(())),
                _ if rounds >= ROUNDS => Step::Done(Err(rounds)),
                _ => Step::Idle,
            }
        })
        .await
    });
    drop(executor.spawn("peer", async move {
        for at in [5, 10] {
            peer.sleep_until(Instant::from_since_start(Duration::from_millis(at))).await;
            stack_ref.borrow_mut().device_mut().inject(arp_request());
            line_ref.raise();
        }
    }));
    let Some((result, at)) = drive(&mut executor, &clock, &mut net, Duration::from_secs(1)) else {
        let replies = arp_replies(&stack.borrow());
        panic!(
            "two ARP requests came with their interrupts, at 5 and 10 ms, but after 1 s the loop had answered {replies}: \
             does it wait for the interrupt (register its waker with the line), and unmask the line after each? \
             The line delivered {} interrupts; {} unmasks",
            line.delivered.get(),
            line.unmasks.get()
        );
    };
    assert_eq!(result, Ok(()), "the loop spun for {ROUNDS} rounds instead of sleeping");
    assert_eq!(at, Duration::from_millis(10), "the second request should be answered at once, at 10 ms");
    assert!(stack.borrow().device().acks > 0, "the loop never acknowledged the card's interrupt");
    assert!(!line.masked.get(), "the loop left the line masked after the interrupt");
}

#[test]
fn an_interrupt_just_before_the_loop_sleeps_is_not_lost() {
    // A frame arrives, and its interrupt is handled, just as the loop is
    // about to sleep: at its registration, before its waker is in place.
    // Nobody is woken (nobody was registered); only a loop that looks at
    // the card after registering sees the frame.
    let clock = ManualClock::new(Duration::ZERO);
    let idle = TickingIdle::new(&clock, TICK);
    let (stack, line) = (fixed_stack(), FakeLine::default());
    let wire = Rc::clone(&stack.borrow().device().incoming);
    *line.before_register.borrow_mut() = Some(Box::new(move |line: &FakeLine| {
        wire.borrow_mut().push_back(arp_request());
        line.raise();
    }));
    let (stack_ref, line_ref) = (&stack, &line);
    let mut executor = Executor::new(&clock, &idle, &NoTrace);
    let handle = executor.handle();
    let mut rounds = 0;
    let mut net = executor.spawn("net", async move {
        poll::run(stack_ref, &handle, line_ref, |stack| {
            rounds += 1;
            match arp_replies(stack) {
                1 => Step::Done(Ok(())),
                _ if rounds >= ROUNDS => Step::Done(Err(rounds)),
                _ => Step::Idle,
            }
        })
        .await
    });
    let Some((result, at)) = drive(&mut executor, &clock, &mut net, Duration::from_secs(1)) else {
        panic!(
            "an ARP request came, with its interrupt, while the loop registered its waker, and after 1 s it was \
             not answered: a lost wake-up. Register with the line first, then look at the card (frames_waiting), \
             then sleep"
        );
    };
    assert_eq!(result, Ok(()), "the loop spun for {ROUNDS} rounds instead of sleeping");
    assert_eq!(at, Duration::ZERO, "the request should be answered at once");
}

/// The flood around the card, as a card the loop takes: it always has a
/// frame waiting, and always says it interrupted.
struct Flooded(Flood<QueueCard>);

impl Device for Flooded {
    type RxToken<'a>
        = <Flood<QueueCard> as Device>::RxToken<'a>
    where
        Self: 'a;
    type TxToken<'a>
        = <Flood<QueueCard> as Device>::TxToken<'a>
    where
        Self: 'a;

    fn receive(&mut self, now: SmolInstant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        self.0.receive(now)
    }

    fn transmit(&mut self, now: SmolInstant) -> Option<Self::TxToken<'_>> {
        self.0.transmit(now)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        self.0.capabilities()
    }
}

impl NetCard for Flooded {
    fn frames_waiting(&self) -> bool {
        true
    }

    fn ack_interrupt(&mut self) -> bool {
        true
    }
}

#[test]
fn a_card_that_never_goes_quiet_leaves_time_for_other_tasks() {
    // An ARP storm: every receive is a request for the stack's address,
    // for ever. Each round has work, so the loop never sleeps; it must
    // still let the other tasks run between rounds.
    const LOOP_ROUNDS: u32 = 300;
    let clock = ManualClock::new(Duration::ZERO);
    let idle = TickingIdle::new(&clock, TICK);
    let card = QueueCard { forget: true, ..QueueCard::default() };
    let storm = Flood::arp_storm(card, EthernetAddress(PEER_MAC), PEER_IP, IP);
    let stack = RefCell::new(NetStack::with_address(
        Flooded(storm),
        EthernetAddress(MAC),
        Ipv4Cidr::new(IP, 24),
        None,
        SEED,
        Instant::ZERO,
    ));
    let line = FakeLine::default();
    let (finished, ticks) = (Cell::new(false), Cell::new(0u32));
    let (stack_ref, line_ref, finished_ref, ticks_ref) = (&stack, &line, &finished, &ticks);
    let mut executor = Executor::new(&clock, &idle, &NoTrace);
    drop(executor.spawn("other", async move {
        while !finished_ref.get() {
            ticks_ref.set(ticks_ref.get() + 1);
            yield_now().await;
        }
    }));
    let handle = executor.handle();
    let mut rounds = 0;
    let mut net = executor.spawn("net", async move {
        poll::run(stack_ref, &handle, line_ref, |_stack| {
            rounds += 1;
            if rounds == LOOP_ROUNDS {
                finished_ref.set(true);
                Step::Done(rounds)
            } else {
                Step::Idle
            }
        })
        .await
    });
    let Some((rounds, _)) = drive(&mut executor, &clock, &mut net, Duration::from_secs(1)) else {
        panic!("the loop over a flooding card did not make {LOOP_ROUNDS} rounds in 1 s of fake time");
    };
    let ticks = ticks.get();
    assert!(
        ticks + 5 >= rounds,
        "the other task ran {ticks} times while the loop made {rounds} rounds over a card that always has a frame: \
         a round with work must end with a yield"
    );
    let flooded = stack.borrow().device().0.flooded();
    assert!(flooded > 0, "the flood's frames were never taken");
}

#[test]
fn joining_takes_the_lease_the_dhcp_server_gives() {
    let clock = ManualClock::new(Duration::ZERO);
    let idle = TickingIdle::new(&clock, TICK);
    let (stack, line) = (dhcp_stack(), FakeLine::default());
    let (stack_ref, line_ref) = (&stack, &line);
    let mut executor = Executor::new(&clock, &idle, &NoTrace);
    let (handle, server) = (executor.handle(), executor.handle());
    // QEMU's DHCP server, a millisecond late: answers each DISCOVER with
    // an OFFER and each REQUEST with an ACK, with an interrupt.
    drop(executor.spawn("server", async move {
        loop {
            server.sleep(TICK).await;
            let mut stack = stack_ref.borrow_mut();
            let card = stack.device_mut();
            let asked: Vec<_> = std::mem::take(&mut card.sent).iter().filter_map(|f| dhcp_message(f)).collect();
            for (kind, xid) in asked {
                let answer = match kind {
                    DhcpMessageType::Discover => DhcpMessageType::Offer,
                    DhcpMessageType::Request => DhcpMessageType::Ack,
                    _ => continue,
                };
                card.inject(dhcp_answer(answer, xid));
                line_ref.raise();
            }
            assert!(server.now() < Instant::from_since_start(Duration::from_secs(60)), "join never returned");
        }
    }));
    let joined = executor
        .block_on("join", async move { poll::join(stack_ref, &handle, line_ref, Duration::from_secs(20)).await });
    let lease = joined.unwrap_or_else(|error| panic!("the server answered at once, but join said: {error}"));
    assert_eq!(lease.address, Ipv4Cidr::new(IP, 24));
    assert_eq!((lease.router, lease.dns_servers.as_slice()), (None, &[][..]));
    assert_eq!(stack.borrow().address(), Some(Ipv4Cidr::new(IP, 24)), "the stack uses the lease");
    let took = clock.now().since_start();
    assert!(
        took < Duration::from_millis(50),
        "the server answered each message within 1 ms, with an interrupt, but join took {took:?}"
    );
}

#[test]
fn joining_gives_up_at_its_deadline_with_an_error() {
    let clock = ManualClock::new(Duration::ZERO);
    let idle = TickingIdle::new(&clock, TICK);
    let (stack, line) = (dhcp_stack(), FakeLine::default());
    let (stack_ref, line_ref) = (&stack, &line);
    let mut executor = Executor::new(&clock, &idle, &NoTrace);
    let (handle, watchdog) = (executor.handle(), executor.handle());
    drop(executor.spawn("watchdog", async move {
        watchdog.sleep(Duration::from_secs(60)).await;
        panic!("join with a timeout of 5 s had not returned after 60 s");
    }));
    let joined = executor
        .block_on("join", async move { poll::join(stack_ref, &handle, line_ref, Duration::from_secs(5)).await });
    let Err(error) = joined else { panic!("no server answered, yet join returned a lease: {joined:?}") };
    assert!(
        error.waited >= Duration::from_secs(5) && error.waited <= Duration::from_millis(5_010),
        "join should give up when its 5 s have passed, not before nor much later (the DHCP client's next \
         retry is at 10 s), but it waited {:?}",
        error.waited
    );
    assert!(dhcp_sent(&stack.borrow()).contains(&DhcpMessageType::Discover), "join never asked");
}
