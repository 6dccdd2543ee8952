//! The stack on a wire the test holds: it answers ARP and ping (smoltcp's
//! `auto-icmp-echo-reply`), and takes its address from a DHCP server the
//! test plays, as QEMU's user network does with `restrict=on` (10.0.2.15/24,
//! no router, no DNS).

mod common;

use std::collections::VecDeque;
use std::net::Ipv4Addr;

use common::{MAC, SEED};
use fledge_api::Instant;
use fledge_net::NetStack;
use fledge_net::fakes::ETHERNET_MTU;
use fledge_net::smoltcp::phy::{self, ChecksumCapabilities, Device, DeviceCapabilities, Medium};
use fledge_net::smoltcp::time::Instant as SmolInstant;
use fledge_net::smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, DhcpMessageType, DhcpPacket, DhcpRepr, EthernetAddress, EthernetFrame,
    EthernetProtocol, EthernetRepr, Icmpv4Packet, Icmpv4Repr, IpAddress, IpProtocol, Ipv4Cidr, Ipv4Packet, Ipv4Repr,
    UdpPacket, UdpRepr,
};

/// QEMU's side of its user network: the host, the DHCP server and the
/// router in one, at 10.0.2.2.
const HOST_MAC: EthernetAddress = EthernetAddress([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
const HOST_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
const GUEST_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);

/// A card whose far end is the test: frames put in `incoming` are
/// received, frames sent land in `sent`.
#[derive(Default)]
struct Wire {
    incoming: VecDeque<Vec<u8>>,
    sent: Vec<Vec<u8>>,
}

struct Rx(Vec<u8>);
struct Tx<'a>(&'a mut Vec<Vec<u8>>);

impl phy::RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = vec![0; len];
        let result = f(&mut frame);
        self.0.push(frame);
        result
    }
}

impl Device for Wire {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: SmolInstant) -> Option<(Rx, Tx<'_>)> {
        let frame = self.incoming.pop_front()?;
        Some((Rx(frame), Tx(&mut self.sent)))
    }

    fn transmit(&mut self, _: SmolInstant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.sent))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = ETHERNET_MTU;
        caps
    }
}

/// An Ethernet frame from the host carrying an IPv4 packet of `protocol`
/// whose payload `emit` writes.
fn from_host(
    dst_mac: EthernetAddress,
    dst: Ipv4Addr,
    protocol: IpProtocol,
    len: usize,
    emit: impl FnOnce(&mut [u8]),
) -> Vec<u8> {
    let ip = Ipv4Repr { src_addr: HOST_IP, dst_addr: dst, next_header: protocol, payload_len: len, hop_limit: 64 };
    let ethernet = EthernetRepr { src_addr: HOST_MAC, dst_addr: dst_mac, ethertype: EthernetProtocol::Ipv4 };
    let mut frame = vec![0; ethernet.buffer_len() + ip.buffer_len() + len];
    let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
    ethernet.emit(&mut view);
    let mut packet = Ipv4Packet::new_unchecked(view.payload_mut());
    ip.emit(&mut packet, &ChecksumCapabilities::default());
    emit(packet.payload_mut());
    frame
}

/// The IPv4 packets among `frames`, as (header, payload).
fn ipv4(frames: &[Vec<u8>]) -> Vec<(Ipv4Repr, Vec<u8>)> {
    frames
        .iter()
        .filter_map(|frame| {
            let frame = EthernetFrame::new_checked(&frame[..]).ok()?;
            let packet = Ipv4Packet::new_checked(frame.payload()).ok()?;
            let repr = Ipv4Repr::parse(&packet, &ChecksumCapabilities::default()).ok()?;
            Some((repr, packet.payload().to_vec()))
        })
        .collect()
}

#[test]
fn it_answers_arp_and_ping() {
    let address = Ipv4Cidr::new(GUEST_IP, 24);
    let mut stack = NetStack::with_address(Wire::default(), MAC, address, None, SEED, Instant::ZERO);

    // Who has 10.0.2.15? (QEMU asks before it forwards a connection.)
    let arp = ArpRepr::EthernetIpv4 {
        operation: ArpOperation::Request,
        source_hardware_addr: HOST_MAC,
        source_protocol_addr: HOST_IP,
        target_hardware_addr: EthernetAddress([0; 6]),
        target_protocol_addr: GUEST_IP,
    };
    let ethernet =
        EthernetRepr { src_addr: HOST_MAC, dst_addr: EthernetAddress::BROADCAST, ethertype: EthernetProtocol::Arp };
    let mut frame = vec![0; ethernet.buffer_len() + arp.buffer_len()];
    let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
    ethernet.emit(&mut view);
    arp.emit(&mut ArpPacket::new_unchecked(view.payload_mut()));
    stack.device_mut().incoming.push_back(frame);
    stack.poll(Instant::ZERO);
    let sent = std::mem::take(&mut stack.device_mut().sent);
    let reply = sent.iter().find_map(|frame| {
        let frame = EthernetFrame::new_checked(&frame[..]).ok()?;
        ArpRepr::parse(&ArpPacket::new_checked(frame.payload()).ok()?).ok()
    });
    assert_eq!(
        reply,
        Some(ArpRepr::EthernetIpv4 {
            operation: ArpOperation::Reply,
            source_hardware_addr: MAC,
            source_protocol_addr: GUEST_IP,
            target_hardware_addr: HOST_MAC,
            target_protocol_addr: HOST_IP,
        }),
        "{sent:02x?}"
    );

    // A ping.
    let echo = Icmpv4Repr::EchoRequest { ident: 0x1234, seq_no: 1, data: b"fledge" };
    let ping = from_host(MAC, GUEST_IP, IpProtocol::Icmp, echo.buffer_len(), |payload| {
        echo.emit(&mut Icmpv4Packet::new_unchecked(payload), &ChecksumCapabilities::default())
    });
    stack.device_mut().incoming.push_back(ping);
    stack.poll(Instant::ZERO);
    let sent = std::mem::take(&mut stack.device_mut().sent);
    let replies: Vec<_> = ipv4(&sent)
        .into_iter()
        .filter_map(|(ip, payload)| {
            let packet = Icmpv4Packet::new_checked(&payload[..]).ok()?;
            let repr = Icmpv4Repr::parse(&packet, &ChecksumCapabilities::default()).ok()?;
            let Icmpv4Repr::EchoReply { ident, seq_no, data } = repr else { return None };
            Some((ip.src_addr, ip.dst_addr, ident, seq_no, data.to_vec()))
        })
        .collect();
    assert_eq!(replies, [(GUEST_IP, HOST_IP, 0x1234, 1, b"fledge".to_vec())], "{sent:02x?}");
}

/// The DHCP messages the stack sent, as (type, transaction id).
fn dhcp_sent(stack: &mut NetStack<Wire>) -> Vec<(DhcpMessageType, u32)> {
    let sent = std::mem::take(&mut stack.device_mut().sent);
    ipv4(&sent)
        .into_iter()
        .filter_map(|(ip, payload)| {
            let udp = UdpPacket::new_checked(&payload[..]).ok()?;
            let src = IpAddress::Ipv4(ip.src_addr);
            let dst = IpAddress::Ipv4(ip.dst_addr);
            UdpRepr::parse(&udp, &src, &dst, &ChecksumCapabilities::default()).ok()?;
            let dhcp = DhcpPacket::new_checked(udp.payload()).ok()?;
            let repr = DhcpRepr::parse(&dhcp).ok()?;
            Some((repr.message_type, repr.transaction_id))
        })
        .collect()
}

/// The server's answer of `kind` to transaction `xid`, as QEMU's user
/// network with `restrict=on` gives it: 10.0.2.15/24, no router, no DNS.
fn dhcp_answer(kind: DhcpMessageType, xid: u32) -> Vec<u8> {
    let dhcp = DhcpRepr {
        message_type: kind,
        transaction_id: xid,
        secs: 0,
        client_hardware_address: MAC,
        client_ip: Ipv4Addr::UNSPECIFIED,
        your_ip: GUEST_IP,
        server_ip: HOST_IP,
        router: None,
        subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
        relay_agent_ip: Ipv4Addr::UNSPECIFIED,
        broadcast: false,
        requested_ip: None,
        client_identifier: None,
        server_identifier: Some(HOST_IP),
        parameter_request_list: None,
        dns_servers: None,
        max_size: None,
        lease_duration: Some(86_400),
        renew_duration: None,
        rebind_duration: None,
        additional_options: &[],
    };
    let udp = UdpRepr { src_port: 67, dst_port: 68 };
    let len = 8 + dhcp.buffer_len();
    from_host(EthernetAddress::BROADCAST, Ipv4Addr::BROADCAST, IpProtocol::Udp, len, |payload| {
        let src = IpAddress::Ipv4(HOST_IP);
        let dst = IpAddress::Ipv4(Ipv4Addr::BROADCAST);
        let caps = ChecksumCapabilities::default();
        udp.emit(
            &mut UdpPacket::new_unchecked(payload),
            &src,
            &dst,
            dhcp.buffer_len(),
            |bytes| dhcp.emit(&mut DhcpPacket::new_unchecked(bytes)).unwrap(),
            &caps,
        );
    })
}

#[test]
fn dhcp_gives_the_address_qemu_gives() {
    let mut stack = NetStack::with_dhcp(Wire::default(), MAC, SEED, Instant::ZERO);
    assert_eq!((stack.address(), stack.lease()), (None, None));
    stack.poll(Instant::ZERO);
    let [(DhcpMessageType::Discover, xid)] = dhcp_sent(&mut stack)[..] else { panic!("no DISCOVER") };
    stack.device_mut().incoming.push_back(dhcp_answer(DhcpMessageType::Offer, xid));
    stack.poll(Instant::ZERO);
    let [(DhcpMessageType::Request, xid)] = dhcp_sent(&mut stack)[..] else { panic!("no REQUEST") };
    assert_eq!(stack.address(), None, "offered, not yet given");
    stack.device_mut().incoming.push_back(dhcp_answer(DhcpMessageType::Ack, xid));
    assert!(stack.poll(Instant::ZERO), "the lease is news");
    assert_eq!(stack.address(), Some(Ipv4Cidr::new(GUEST_IP, 24)));
    let lease = stack.lease().expect("a lease");
    assert_eq!((lease.router, lease.dns_servers.as_slice(), lease.server), (None, &[][..], HOST_IP));
}
