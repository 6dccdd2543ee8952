//! Reports one of three tests, then leaves with the success exit.

#![cfg_attr(target_os = "none", no_std, no_main)]

#[path = "../forged.rs"]
mod forged;

use forged::Forgery;

#[cfg_attr(not(target_os = "none"), allow(dead_code))]
const FORGERY: Forgery = Forgery::EarlyExit;

#[cfg(not(target_os = "none"))]
fn main() {
    forged::main()
}
