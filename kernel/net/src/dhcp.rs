//! An address from the network: DHCP's lease, applied to the interface.
//!
//! A machine that joins a network does not know its address. DHCP
//! (RFC 2131) asks for one with four broadcasts, and smoltcp's `dhcpv4`
//! socket does the asking:
//!
//! ```text
//!   machine (0.0.0.0)                 DHCP server (QEMU: 10.0.2.2)
//!      DISCOVER  ------------------>   "anyone with an address for me?"
//!                <------------------   OFFER    10.0.2.15/24 for a while
//!      REQUEST   ------------------>   "I take 10.0.2.15"
//!                <------------------   ACK      it is yours: a lease
//! ```
//!
//! The socket says what it learned as an event, and `apply` makes the
//! interface use it: the address and its prefix, and the router (the
//! default route) if the server named one. A lease runs out unless
//! renewed; the socket renews it on its own, and says `Deconfigured` if it
//! is lost, which takes the address away again.
//!
//! With QEMU's user network and `restrict=on` the server names no router
//! and no DNS server: the machine reaches the host's forwarded ports and
//! 10.0.2.2, and nothing beyond.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use smoltcp::iface::Interface;
use smoltcp::socket::dhcpv4;
use smoltcp::wire::{IpCidr, Ipv4Cidr};

/// What a DHCP server gave this machine, as [`NetStack::lease`]
/// shows it.
///
/// [`NetStack::lease`]: crate::NetStack::lease
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The address and the prefix length of its network (10.0.2.15/24
    /// under QEMU).
    pub address: Ipv4Cidr,
    /// The router that reaches other networks, if the server named one:
    /// the interface's default route. `None` under QEMU with
    /// `restrict=on`.
    pub router: Option<Ipv4Addr>,
    /// The DNS servers the server named, in its order; none under QEMU
    /// with `restrict=on`.
    pub dns_servers: Vec<Ipv4Addr>,
    /// The DHCP server that gave the lease.
    pub server: Ipv4Addr,
}

/// Makes `iface` use what `event` says: the lease's address and router,
/// or none after the lease was lost. Returns the lease, or `None` for
/// `Deconfigured`.
pub(crate) fn apply(iface: &mut Interface, event: dhcpv4::Event<'_>) -> Option<Lease> {
    let lease = match event {
        dhcpv4::Event::Configured(config) => Some(Lease {
            address: config.address,
            router: config.router,
            dns_servers: config.dns_servers.iter().copied().collect(),
            server: config.server.address,
        }),
        dhcpv4::Event::Deconfigured => None,
    };
    iface.update_ip_addrs(|addrs| {
        addrs.clear();
        if let Some(lease) = &lease {
            // The list was just emptied, and holds at least one address.
            let _ = addrs.push(IpCidr::Ipv4(lease.address));
        }
    });
    let routes = iface.routes_mut();
    routes.remove_default_ipv4_route();
    if let Some(router) = lease.as_ref().and_then(|lease| lease.router) {
        // The table was just emptied of its default route: there is room.
        let _ = routes.add_default_ipv4_route(router);
    }
    lease
}
