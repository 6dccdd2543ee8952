#!/usr/bin/env bash
# Sequential throughput of the virtio-blk driver (exercise 09's reference,
# kernel/pc/virtio-blk) in QEMU, beside `dd` on the host over the same
# image file: MiB/s for writes and reads of 512-byte and 64 KiB requests.
#
#   scripts/bench-block.sh          one run of each
#   scripts/bench-block.sh 3        three runs of each, and their median
#
# The kernel is `kernel/pc/virtio-blk/examples/bench.rs`. It prints a line
# before and after each run (`# bench start read 512`, `# bench end read
# 512 BYTES`), and this script timestamps those lines as they arrive on
# COM1, so the guest needs no clock of its own. Writes end with a flush
# (an fdatasync of the image on the host); `dd` gets `conv=fdatasync` to
# match. Reads on both sides come from the host's page cache, since the
# image was just written: the figures compare the two paths to the same
# cached file, not disks.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-1}

echo "==> building the benchmark kernel and its boot image"
scripts/example-image.sh fledge-virtio-blk bench target/bench/boot.img

python3 - "$runs" <<'PY'
import os, statistics, subprocess, sys, time

runs = int(sys.argv[1])
drive = "target/bench/drive.img"
MIB = 1 << 20

def qemu_once():
    with open(drive, "wb") as f:
        f.truncate(64 * MIB)
    cmd = ["qemu-system-x86_64", "-display", "none", "-no-reboot", "-monitor", "none", "-m", "128M",
           "-nic", "none", "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-drive", "format=raw,file=target/bench/boot.img",
           "-drive", f"if=none,id=bench,format=raw,file={drive}",
           "-device", "virtio-blk-pci,drive=bench,addr=0x4"]
    started, results = {}, {}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL) as qemu:
        for raw in qemu.stdout:
            now = time.monotonic()
            line = raw.decode(errors="replace").strip()
            words = line.split()
            if line.startswith("# bench start"):
                started[(words[3], int(words[4]))] = now
            elif line.startswith("# bench end"):
                key = (words[3], int(words[4]))
                results[key] = int(words[5]) / MIB / (now - started[key])
            elif line.startswith("not ok"):
                sys.exit(f"bench-block.sh: the benchmark kernel failed: {line}")
    if len(results) != 4:
        sys.exit(f"bench-block.sh: the benchmark kernel printed {len(results)} of 4 results; see its output with `cargo grade --kernel`")
    return results

def dd_once():
    results = {}
    for size, total in [(512, 4 * MIB), (64 << 10, 32 * MIB)]:
        count = str(total // size)
        start = time.monotonic()
        subprocess.run(["dd", "if=/dev/zero", f"of={drive}", f"bs={size}", f"count={count}", "conv=notrunc,fdatasync"],
                       check=True, capture_output=True)
        results[("write", size)] = total / MIB / (time.monotonic() - start)
        start = time.monotonic()
        subprocess.run(["dd", f"if={drive}", "of=/dev/null", f"bs={size}", f"count={count}"], check=True, capture_output=True)
        results[("read", size)] = total / MIB / (time.monotonic() - start)
    return results

guest = [qemu_once() for _ in range(runs)]
host = [dd_once() for _ in range(runs)]
print(f"\nsequential throughput, MiB/s (median of {runs} run{'s' if runs > 1 else ''}; 4 MiB at 512 B, 32 MiB at 64 KiB)")
print(f"{'':>18} {'QEMU virtio-blk':>16} {'host dd':>10} {'ratio':>8}")
for op in ["write", "read"]:
    for size in [512, 64 << 10]:
        g = statistics.median(r[(op, size)] for r in guest)
        h = statistics.median(r[(op, size)] for r in host)
        label = f"{op} {'512 B' if size == 512 else '64 KiB'}"
        print(f"{label:>18} {g:>16.1f} {h:>10.1f} {g / h:>8.3f}")
PY
