//! The time-stamp counter, and how fast it runs.
//!
//! `rdtsc` reads a 64-bit counter that, on any CPU of the last fifteen
//! years (and under QEMU's emulation), ticks at a constant rate. The rate
//! is not written down anywhere a kernel can portably read, so kernels
//! measure it against a clock whose rate they know. Linux's oldest method
//! is the one here: run channel 2 of the PIT, whose input clock is
//! 1,193,182 Hz on every PC, for a known number of counts, and see how far
//! the TSC moved. Channel 2 is the one wired to the PC speaker, with its
//! gate and output visible in port 0x61, so it can be used without
//! interrupts and without touching channel 0, the system timer.

use core::arch::asm;

use x86_64::instructions::port::Port;

/// The PIT's input clock, in Hz.
pub const PIT_HZ: u64 = 1_193_182;

/// Reads the time-stamp counter.
pub fn rdtsc() -> u64 {
    let (low, high): (u32, u32);
    // SAFETY: rdtsc reads a counter into edx:eax and has no other effect.
    unsafe { asm!("rdtsc", out("eax") low, out("edx") high, options(nomem, nostack, preserves_flags)) };
    (u64::from(high) << 32) | u64::from(low)
}

/// Measures the TSC's frequency, in Hz, against PIT channel 2: the median
/// of five 20 ms measurements, so that one measurement spoiled by the
/// emulator being descheduled does not count. Takes about 100 ms.
pub fn calibrate() -> u64 {
    let mut samples = [0; 5];
    for sample in &mut samples {
        *sample = measure(20);
    }
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// One measurement over `ms` milliseconds of PIT channel 2 counting.
fn measure(ms: u64) -> u64 {
    let counts = PIT_HZ * ms / 1000;
    let mut speaker = Port::<u8>::new(0x61);
    let mut command = Port::<u8>::new(0x43);
    let mut channel2 = Port::<u8>::new(0x42);
    // SAFETY: ports 0x61, 0x43 and 0x42 are the PC speaker control and the
    // PIT's command and channel-2 registers. This turns the speaker off,
    // raises channel 2's gate and programs channel 2 alone (mode 0, count
    // once); channel 0, the system timer, is not touched.
    let start = unsafe {
        let control = speaker.read();
        speaker.write((control & !0x02) | 0x01);
        command.write(0b1011_0000); // channel 2, low then high byte, mode 0, binary
        channel2.write((counts & 0xff) as u8);
        channel2.write((counts >> 8) as u8);
        rdtsc()
    };
    // Bit 5 of port 0x61 is channel 2's output, which goes high when the
    // count reaches zero.
    // SAFETY: reading port 0x61 has no side effect.
    while unsafe { speaker.read() } & 0x20 == 0 {
        core::hint::spin_loop();
    }
    let cycles = rdtsc() - start;
    cycles * 1000 / ms
}
