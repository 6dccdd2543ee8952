//! `VirtioNet` over a fake card: the tokens, the recycling of receive
//! buffers, the capabilities, and frames the card cannot take.

use super::fake_card::{FakeCard, LONGEST};
use smoltcp::phy::{Checksum, Device, Medium, RxToken, TxToken};
use smoltcp::time::Instant;
use smoltcp::wire::EthernetAddress;
use virtio_net::pci::QUEUE_SIZE;
use virtio_net::{MTU, Stats, VirtioNet};

const MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const NOW: Instant = Instant::ZERO;

/// A frame of `len` bytes that says which it is.
fn frame(n: u32, len: usize) -> Vec<u8> {
    (0..len).map(|i| (n as usize * 31 + i) as u8).collect()
}

/// Takes one frame through smoltcp's receive token, if there is one.
fn receive(net: &mut VirtioNet<FakeCard>) -> Option<Vec<u8>> {
    let (rx, _tx) = net.receive(NOW)?;
    Some(rx.consume(|bytes| bytes.to_vec()))
}

#[test]
fn capabilities_are_an_ethernet_cards_without_offloads() {
    let net = VirtioNet::new(FakeCard::new(MAC));
    let caps = net.capabilities();
    assert_eq!(caps.medium, Medium::Ethernet);
    assert_eq!(caps.max_transmission_unit, MTU);
    assert_eq!(MTU, 1500 + 14, "the MTU of an Ethernet device counts the 14-byte header");
    for (name, checksum) in [
        ("IPv4", caps.checksum.ipv4),
        ("TCP", caps.checksum.tcp),
        ("UDP", caps.checksum.udp),
        ("ICMPv4", caps.checksum.icmpv4),
    ] {
        assert!(matches!(checksum, Checksum::Both), "{name} checksums must be computed and checked in software");
    }
    assert_eq!(net.mac(), EthernetAddress(MAC));
}

#[test]
fn each_receive_token_is_one_frame_in_order() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    assert!(net.receive(NOW).is_none(), "nothing on the wire: no token");
    assert!(!net.can_recv());
    for n in 0..5 {
        net.card_mut().inject(&frame(n, 60 + n as usize));
    }
    assert!(net.can_recv());
    for n in 0..5 {
        assert_eq!(receive(&mut net), Some(frame(n, 60 + n as usize)), "frame {n}");
    }
    assert!(net.receive(NOW).is_none());
    assert!(!net.can_recv());
    assert_eq!(net.stats().received, 5);
}

#[test]
fn receive_buffers_are_recycled_after_each_frame() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    let frames = 3 * QUEUE_SIZE as u32 + 1;
    for n in 0..frames {
        net.card_mut().inject(&frame(n, 100));
    }
    for n in 0..frames {
        match receive(&mut net) {
            Some(got) => assert_eq!(got, frame(n, 100), "frame {n}"),
            None => panic!(
                "frame {n} of {frames} never came: {} buffers are out of the receive queue, so the card \
                 has nowhere to put it (is every receive buffer recycled?)",
                net.card_mut().out()
            ),
        }
        assert_eq!(net.card_mut().out(), 0, "after frame {n}, its buffer is back in the queue");
    }
    let stats = net.stats();
    assert_eq!((stats.received, stats.recycled, stats.recycle_errors), (frames as u64, frames as u64, 0));
}

#[test]
fn a_receive_token_dropped_unread_gives_its_buffer_back() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    for n in 0..2 * QUEUE_SIZE as u32 {
        net.card_mut().inject(&frame(n, 64));
    }
    for n in 0..2 * QUEUE_SIZE as u32 {
        // smoltcp drops the pair without reading when it decides not to.
        let pair = net.receive(NOW);
        assert!(pair.is_some(), "frame {n}: the dropped tokens kept the buffers");
    }
    assert_eq!(net.card_mut().out(), 0);
    assert_eq!(net.card_mut().wrong_tokens, 0);
}

#[test]
fn the_two_tokens_of_a_pair_work_in_either_order_and_nested() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    net.card_mut().inject(&frame(1, 80));
    net.card_mut().inject(&frame(2, 80));
    // The answer sent first, then the frame read.
    let (rx, tx) = net.receive(NOW).expect("frame 1");
    tx.consume(60, |buf| buf.fill(0xaa));
    assert_eq!(rx.consume(|bytes| bytes.to_vec()), frame(1, 80));
    // The answer sent from inside the reading, as smoltcp may.
    let (rx, tx) = net.receive(NOW).expect("frame 2");
    rx.consume(|bytes| tx.consume(bytes.len(), |buf| buf.copy_from_slice(bytes)));
    assert_eq!(net.card_mut().sent, vec![vec![0xaa; 60], frame(2, 80)]);
    assert_eq!(net.card_mut().out(), 0);
}

#[test]
fn each_transmit_token_sends_one_frame_of_the_length_asked() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    for len in [14, 60, 1000, MTU] {
        let tx = net.transmit(NOW).expect("room to send");
        let said = tx.consume(len, |buf| {
            assert_eq!(buf.len(), len);
            buf.fill(len as u8);
            len * 2
        });
        assert_eq!(said, len * 2, "consume returns what the closure returned");
    }
    let sent = &net.card_mut().sent;
    assert_eq!(sent.iter().map(Vec::len).collect::<Vec<_>>(), [14, 60, 1000, MTU]);
    assert!(sent.iter().all(|f| f.iter().all(|&b| b == f.len() as u8)));
    // A token that is dropped sends nothing.
    let _token = net.transmit(NOW).expect("room to send");
    assert_eq!(net.card_mut().sent.len(), 4);
    assert_eq!(net.stats().sent, 4);
}

#[test]
fn a_frame_longer_than_the_mtu_is_not_sent() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    let tx = net.transmit(NOW).expect("room to send");
    tx.consume(MTU + 1, |buf| buf.fill(1));
    assert!(net.card_mut().sent.is_empty());
    assert_eq!(net.stats(), Stats { oversized: 1, ..Stats::default() });
}

#[test]
fn no_tokens_while_the_transmit_queue_is_full() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    net.card_mut().inject(&frame(7, 64));
    net.card_mut().tx_full = true;
    assert!(net.transmit(NOW).is_none());
    assert!(net.receive(NOW).is_none(), "a receive token comes with a transmit token");
    net.card_mut().tx_full = false;
    assert_eq!(receive(&mut net), Some(frame(7, 64)), "the frame waited in the card");
}

#[test]
fn a_frame_longer_than_a_buffer_is_dropped_by_the_card_and_the_next_one_comes() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    net.card_mut().inject(&frame(1, LONGEST + 1));
    net.card_mut().inject(&frame(2, 1600));
    net.card_mut().inject(&frame(3, LONGEST));
    assert_eq!(receive(&mut net), Some(frame(2, 1600)), "longer than the MTU, but it fits: passed on");
    assert_eq!(receive(&mut net), Some(frame(3, LONGEST)));
    assert_eq!(receive(&mut net), None);
    assert_eq!(net.card_mut().too_big, 1);
    assert_eq!(net.card_mut().out(), 0);
}

#[test]
fn a_failed_send_is_counted_and_the_card_goes_on() {
    let mut net = VirtioNet::new(FakeCard::new(MAC));
    net.card_mut().fail_sends = 1;
    for n in 0..2 {
        let tx = net.transmit(NOW).expect("room to send");
        tx.consume(60, |buf| buf.fill(n));
    }
    assert_eq!(net.card_mut().sent, vec![vec![1; 60]], "the first was lost, the second sent");
    assert_eq!(net.stats(), Stats { sent: 1, send_errors: 1, ..Stats::default() });
}
