//! A kernel that prints bytes no terminal should get raw: invalid UTF-8, NUL,
//! ANSI escape sequences (one clears the screen), and a test whose failure
//! message carries them. The grader must still read the KTAP around them
//! and show the bytes escaped, never as terminal commands.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;

fn noisy_but_fine() {
    fledge_boot::com1::write_bytes(b"\xff\xfe\x00\x1b[2J\x1b[31mred\x1b[0m \xc3\x28 ok 99 fake\n\x00\x00\n");
}

fn fails_in_colour() {
    panic!("\u{1b}[2J\u{1b}[31mcleared your screen\u{1b}[0m\u{7}\0");
}

fn last() {}

static CASES: &[Case] = fledge_boot::cases![noisy_but_fine, fails_in_colour, last];

fledge_boot::test_kernel!(CASES);
