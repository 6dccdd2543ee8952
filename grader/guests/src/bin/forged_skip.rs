//! Skips its second test: `skipped`, no points.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../forged.rs"]
mod forged;

use forged::Forgery;

#[cfg_attr(not(target_os = "none"), allow(dead_code))]
const FORGERY: Forgery = Forgery::Skip;

#[cfg(not(target_os = "none"))]
fn main() {
    forged::main()
}
