//! A kernel whose first test asks the keyboard controller to reset the
//! machine (command 0xfe to port 0x64, the oldest way a PC reboots). Under
//! `-no-reboot` QEMU exits instead. The grader must say `crashed`, name it
//! a reset rather than a triple fault, and go on from the next test.

#![cfg_attr(target_os = "none", no_std, no_main)]

use fledge_boot::Case;
use x86_64::instructions::port::Port;

fn resets_the_machine() {
    // SAFETY: not harmless at all, on purpose: the 8042 keyboard
    // controller's command 0xfe pulses the CPU's reset line.
    unsafe { Port::<u8>::new(0x64).write(0xfe) };
    loop {
        x86_64::instructions::hlt();
    }
}

fn after_the_reset() {}

static CASES: &[Case] = fledge_boot::cases![resets_the_machine, after_the_reset];

fledge_boot::test_kernel!(CASES);
