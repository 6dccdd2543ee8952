//! Who is who on a boot's network: the guest, as QEMU's DHCP server and
//! the card make it, and the grader's peer.

use std::net::Ipv4Addr;

use smoltcp::wire::EthernetAddress;

/// The guest's address, from QEMU's DHCP server.
pub const GUEST_ADDRESS: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);

/// The card's Ethernet address (QEMU's first default, set explicitly).
pub const GUEST_MAC: EthernetAddress = EthernetAddress([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);

/// An Ethernet address as QEMU writes it: `52:54:00:12:34:56`.
pub fn mac(address: EthernetAddress) -> String {
    address.0.map(|b| format!("{b:02x}")).join(":")
}

/// The grader's peer on the guest's network.
pub const PEER_ADDRESS: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 99);

/// The peer's Ethernet address (locally administered).
pub const PEER_MAC: EthernetAddress = EthernetAddress([0x52, 0x54, 0x00, 0x0f, 0x1e, 0x99]);
