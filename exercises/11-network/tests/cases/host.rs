//! Exercise 11's host tests: the card over a fake, the stack over the
//! card, and the poll loop on exercise 07's executor with a fake clock.
//!
//! | module | what it checks |
//! |---|---|
//! | `fake_card` | (no tests) a fake virtio network card that keeps `VirtIONet`'s rules |
//! | `device` | `VirtioNet`'s tokens, the recycling of receive buffers, its capabilities |
//! | `stack` | fledge-net's stack over two fake cards on one wire: a mebibyte echoed |
//! | `conformance` | the TCP conformance suite over the same |
//! | `poll` | the poll loop: timers, interrupts, no lost wake-up, fairness; DHCP on it |

#[path = "host/fake_card.rs"]
mod fake_card;

#[path = "host/device.rs"]
mod device;

#[path = "host/stack.rs"]
mod stack;

#[path = "host/conformance.rs"]
mod conformance;

#[path = "host/poll.rs"]
mod poll;
