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

/// Measures the TSC's frequency, in Hz, against PIT channel 2: the median of
/// three measurements of about 40 ms each.
pub fn calibrate() -> u64 {
    let mut samples = [measure(), measure(), measure()];
    samples.sort_unstable();
    samples[1]
}

/// PIT counts to measure over: about 40 ms.
const SPAN: u16 = 48_000;

/// One measurement: two (TSC, PIT count) readings about [`SPAN`] counts
/// apart.
///
/// The emulator (or a hypervisor, or an SMI on real hardware) may stop the
/// CPU for a while at any moment. If that happens between reading the TSC
/// and reading the PIT, the pair is wrong by the length of the stop. So
/// each reading is bracketed by two TSC reads and taken several times, and
/// the tightest bracket wins: a stop shows up as a wide one. (Linux's
/// `quick_pit_calibrate` checks its PIT reads the same way.)
fn measure() -> u64 {
    let mut speaker = Port::<u8>::new(0x61);
    let mut command = Port::<u8>::new(0x43);
    let mut channel2 = Port::<u8>::new(0x42);
    // SAFETY: ports 0x61, 0x43 and 0x42 are the PC speaker control and the
    // PIT's command and channel-2 registers. This turns the speaker off,
    // raises channel 2's gate and starts channel 2 alone counting down from
    // 0xffff (mode 0); channel 0, the system timer, is not touched.
    unsafe {
        let control = speaker.read();
        speaker.write((control & !0x02) | 0x01);
        command.write(0b1011_0000); // channel 2, low then high byte, mode 0, binary
        channel2.write(0xff);
        channel2.write(0xff);
    }
    let (tsc_start, count_start) = reading();
    loop {
        let count = read_count();
        if count_start.wrapping_sub(count) >= SPAN {
            break;
        }
        core::hint::spin_loop();
    }
    let (tsc_end, count_end) = reading();
    let counts = u64::from(count_start.wrapping_sub(count_end));
    (tsc_end - tsc_start) * PIT_HZ / counts.max(1)
}

/// The best of eight (TSC, PIT count) pairs: the one whose PIT read took
/// the fewest TSC cycles. The TSC value is the middle of its bracket.
fn reading() -> (u64, u16) {
    let mut best = (u64::MAX, 0, 0);
    for _ in 0..8 {
        let before = rdtsc();
        let count = read_count();
        let after = rdtsc();
        if after - before < best.0 {
            best = (after - before, before + (after - before) / 2, count);
        }
    }
    (best.1, best.2)
}

/// Channel 2's current count.
fn read_count() -> u16 {
    let mut command = Port::<u8>::new(0x43);
    let mut channel2 = Port::<u8>::new(0x42);
    // SAFETY: the counter-latch command for channel 2 freezes a copy of its
    // count for the two reads that follow; it does not disturb counting.
    unsafe {
        command.write(0b1000_0000);
        u16::from_le_bytes([channel2.read(), channel2.read()])
    }
}
