//! Host tests for exercise 08: `cargo test -p exercise-08-pci-virtio --test host`.

#[path = "cases/host.rs"]
mod cases;
