//! The peer's frames: ARP answers and ICMP echo requests out, echo replies
//! in, built and read with smoltcp's checked packet views (`smoltcp::wire`),
//! the same code the guest's stack uses, so the grader writes no header by
//! hand.
//!
//! ```text
//!   peer 10.0.2.99 (PEER_MAC)                 guest 10.0.2.15 (GUEST_MAC)
//!     echo request, id 0xf1ed, seq n  ────▶
//!                                     ◀────   ARP: who has 10.0.2.99?
//!     ARP: 10.0.2.99 is PEER_MAC      ────▶
//!                                     ◀────   echo reply, id 0xf1ed, seq n, same data
//! ```
//!
//! The guest needs the peer's Ethernet address to answer, and asks for it
//! by ARP when a request first comes; smoltcp drops the reply it could not
//! send meanwhile, so the first request of a boot may go unanswered and
//! `host::ping` sends it again.

use std::net::Ipv4Addr;

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    ArpOperation, ArpPacket, ArpRepr, EthernetAddress, EthernetFrame, EthernetProtocol, EthernetRepr, Icmpv4Packet,
    Icmpv4Repr, IpProtocol, Ipv4Packet, Ipv4Repr,
};

use super::addresses::{GUEST_ADDRESS, GUEST_MAC, PEER_ADDRESS, PEER_MAC};

/// The identifier of the peer's echo requests.
pub const IDENT: u16 = 0xf1ed;

/// What a frame from the guest's network means to the peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// Someone asks for the peer's Ethernet address: here is the answer.
    ArpForPeer(Vec<u8>),
    /// The guest answered echo request `seq` with `data`.
    EchoReply { seq: u16, data: Vec<u8> },
    /// Anything else: DHCP, TCP between the guest and QEMU, others' ARP.
    Other,
}

/// Reads one frame.
pub fn hear(frame: &[u8]) -> Heard {
    let Ok(ethernet) = EthernetFrame::new_checked(frame) else { return Heard::Other };
    match ethernet.ethertype() {
        EthernetProtocol::Arp => {
            let Ok(packet) = ArpPacket::new_checked(ethernet.payload()) else { return Heard::Other };
            match ArpRepr::parse(&packet) {
                Ok(ArpRepr::EthernetIpv4 {
                    operation: ArpOperation::Request,
                    source_hardware_addr,
                    source_protocol_addr,
                    target_protocol_addr,
                    ..
                }) if target_protocol_addr == PEER_ADDRESS => {
                    Heard::ArpForPeer(arp_reply(source_hardware_addr, source_protocol_addr))
                }
                _ => Heard::Other,
            }
        }
        EthernetProtocol::Ipv4 => {
            let caps = ChecksumCapabilities::default();
            let Ok(packet) = Ipv4Packet::new_checked(ethernet.payload()) else { return Heard::Other };
            let Ok(ip) = Ipv4Repr::parse(&packet, &caps) else { return Heard::Other };
            if ip.dst_addr != PEER_ADDRESS || ip.next_header != IpProtocol::Icmp {
                return Heard::Other;
            }
            let Ok(icmp) = Icmpv4Packet::new_checked(packet.payload()) else { return Heard::Other };
            match Icmpv4Repr::parse(&icmp, &caps) {
                Ok(Icmpv4Repr::EchoReply { ident: IDENT, seq_no, data }) => {
                    Heard::EchoReply { seq: seq_no, data: data.to_vec() }
                }
                _ => Heard::Other,
            }
        }
        _ => Heard::Other,
    }
}

/// The peer's answer to an ARP request from `mac` at `ip`.
fn arp_reply(mac: EthernetAddress, ip: Ipv4Addr) -> Vec<u8> {
    let arp = ArpRepr::EthernetIpv4 {
        operation: ArpOperation::Reply,
        source_hardware_addr: PEER_MAC,
        source_protocol_addr: PEER_ADDRESS,
        target_hardware_addr: mac,
        target_protocol_addr: ip,
    };
    let ethernet = EthernetRepr { src_addr: PEER_MAC, dst_addr: mac, ethertype: EthernetProtocol::Arp };
    let mut frame = vec![0; ethernet.buffer_len() + arp.buffer_len()];
    let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
    ethernet.emit(&mut view);
    arp.emit(&mut ArpPacket::new_unchecked(view.payload_mut()));
    frame
}

/// An echo request from the peer to the guest: sequence number `seq`,
/// carrying `data`.
pub fn echo_request(seq: u16, data: &[u8]) -> Vec<u8> {
    let caps = ChecksumCapabilities::default();
    let icmp = Icmpv4Repr::EchoRequest { ident: IDENT, seq_no: seq, data };
    let ip = Ipv4Repr {
        src_addr: PEER_ADDRESS,
        dst_addr: GUEST_ADDRESS,
        next_header: IpProtocol::Icmp,
        payload_len: icmp.buffer_len(),
        hop_limit: 64,
    };
    let ethernet = EthernetRepr { src_addr: PEER_MAC, dst_addr: GUEST_MAC, ethertype: EthernetProtocol::Ipv4 };
    let mut frame = vec![0; ethernet.buffer_len() + ip.buffer_len() + icmp.buffer_len()];
    let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
    ethernet.emit(&mut view);
    let mut packet = Ipv4Packet::new_unchecked(view.payload_mut());
    ip.emit(&mut packet, &caps);
    icmp.emit(&mut Icmpv4Packet::new_unchecked(packet.payload_mut()), &caps);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guest's side, as smoltcp would build it: an echo reply to the peer.
    fn echo_reply(seq: u16, data: &[u8]) -> Vec<u8> {
        let caps = ChecksumCapabilities::default();
        let icmp = Icmpv4Repr::EchoReply { ident: IDENT, seq_no: seq, data };
        let ip = Ipv4Repr {
            src_addr: GUEST_ADDRESS,
            dst_addr: PEER_ADDRESS,
            next_header: IpProtocol::Icmp,
            payload_len: icmp.buffer_len(),
            hop_limit: 64,
        };
        let ethernet = EthernetRepr { src_addr: GUEST_MAC, dst_addr: PEER_MAC, ethertype: EthernetProtocol::Ipv4 };
        let mut frame = vec![0; ethernet.buffer_len() + ip.buffer_len() + icmp.buffer_len()];
        let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
        ethernet.emit(&mut view);
        let mut packet = Ipv4Packet::new_unchecked(view.payload_mut());
        ip.emit(&mut packet, &caps);
        icmp.emit(&mut Icmpv4Packet::new_unchecked(packet.payload_mut()), &caps);
        frame
    }

    #[test]
    fn a_full_sized_request_is_a_full_sized_frame() {
        let frame = echo_request(3, &[7; 1472]);
        assert_eq!(frame.len(), 1514, "14 + 20 + 8 + 1472");
        let ethernet = EthernetFrame::new_checked(&frame[..]).unwrap();
        assert_eq!(ethernet.dst_addr(), GUEST_MAC);
        let packet = Ipv4Packet::new_checked(ethernet.payload()).unwrap();
        assert!(packet.verify_checksum());
        assert_eq!(packet.dst_addr(), GUEST_ADDRESS);
        let icmp = Icmpv4Packet::new_checked(packet.payload()).unwrap();
        assert!(icmp.verify_checksum());
        assert_eq!(icmp.echo_seq_no(), 3);
    }

    #[test]
    fn replies_are_heard_and_others_are_not() {
        assert_eq!(hear(&echo_reply(9, b"abc")), Heard::EchoReply { seq: 9, data: b"abc".to_vec() });
        let mut damaged = echo_reply(9, b"abc");
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(hear(&damaged), Heard::Other, "a bad checksum is not a reply");
        assert_eq!(hear(&echo_request(1, b"x")), Heard::Other, "the peer's own request");
        assert_eq!(hear(&[0; 10]), Heard::Other, "too short for Ethernet");
    }

    #[test]
    fn the_peer_answers_arp_for_its_own_address_only() {
        let ask = |target: Ipv4Addr| {
            let arp = ArpRepr::EthernetIpv4 {
                operation: ArpOperation::Request,
                source_hardware_addr: GUEST_MAC,
                source_protocol_addr: GUEST_ADDRESS,
                target_hardware_addr: EthernetAddress([0; 6]),
                target_protocol_addr: target,
            };
            let ethernet = EthernetRepr {
                src_addr: GUEST_MAC,
                dst_addr: EthernetAddress::BROADCAST,
                ethertype: EthernetProtocol::Arp,
            };
            let mut frame = vec![0; ethernet.buffer_len() + arp.buffer_len()];
            let mut view = EthernetFrame::new_unchecked(&mut frame[..]);
            ethernet.emit(&mut view);
            arp.emit(&mut ArpPacket::new_unchecked(view.payload_mut()));
            frame
        };
        let Heard::ArpForPeer(answer) = hear(&ask(PEER_ADDRESS)) else { panic!("no answer") };
        let ethernet = EthernetFrame::new_checked(&answer[..]).unwrap();
        let reply = ArpRepr::parse(&ArpPacket::new_checked(ethernet.payload()).unwrap()).unwrap();
        let ArpRepr::EthernetIpv4 { operation, source_hardware_addr, target_protocol_addr, .. } = reply else {
            unreachable!()
        };
        assert_eq!(
            (operation, source_hardware_addr, target_protocol_addr),
            (ArpOperation::Reply, PEER_MAC, GUEST_ADDRESS)
        );
        assert_eq!(hear(&ask(Ipv4Addr::new(10, 0, 2, 2))), Heard::Other, "QEMU's address is QEMU's to answer");
    }
}
