#!/usr/bin/env bash
# The virtio-net driver (exercise 11's reference, kernel/pc/virtio-net) on
# QEMU's user network, talked to from the host: DHCP, then 1 MiB through a
# TCP echo service in the guest.
#
#   scripts/try-net.sh              1 MiB through the echo
#   scripts/try-net.sh 8            8 MiB
#
# The kernel is `kernel/pc/virtio-net/examples/dhcp.rs`. It prints
# `# dhcp ADDRESS/PREFIX` when QEMU's DHCP server has given it a lease and
# `# listening 80` when its echo service listens. QEMU forwards a free port
# of the host's 127.0.0.1 to the guest's port 80; this script waits for
# `# listening 80` (a host connect() to a forwarded port succeeds even when
# nothing listens in the guest), sends the bytes from one thread, reads the
# echo in another, compares, stops QEMU and prints where QEMU's recording
# of the traffic (a pcap: `tcpdump -r`, or Wireshark) is.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1}

echo "==> building the DHCP kernel and its boot image"
scripts/example-image.sh fledge-virtio-net dhcp target/net/boot.img

python3 - "$mib" <<'PY'
import os, socket, subprocess, sys, threading, time

MIB = 1 << 20
size = int(sys.argv[1]) * MIB
serial_log = "target/net/serial.log"
pcap = os.path.abspath("target/net/net.pcap")

# A free port of the host's loopback for QEMU to forward (the kernel holds
# nothing there yet, so a bind-and-release is a fair guess).
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]

# The grader's arguments (grader/src/qemu.rs, `command`), with the card,
# its user network and the recording in place of `-nic none`.
cmd = ["qemu-system-x86_64", "-drive", "format=raw,file=target/net/boot.img",
       "-display", "none", "-no-reboot", "-monitor", "none", "-m", "128M",
       "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-accel", "tcg",
       "-netdev", f"user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:80",
       "-device", "virtio-net-pci,netdev=n0,romfile=,addr=0x4",
       "-object", f"filter-dump,id=f0,netdev=n0,file={pcap}"]
print("==> " + " ".join(cmd))
if os.path.exists(pcap):
    os.remove(pcap)
started = time.monotonic()
qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
lines, seen = [], {}
listening = threading.Event()

def read_serial():
    with open(serial_log, "w") as log:
        for raw in qemu.stdout:
            line = raw.decode(errors="replace").rstrip()
            log.write(line + "\n")
            log.flush()
            lines.append(line)
            for marker in ("# mac", "# dhcp", "# listening 80", "# echoed"):
                if line.startswith(marker) and marker not in seen:
                    seen[marker] = time.monotonic() - started
            if line.startswith("# listening 80"):
                listening.set()
    listening.set()

reader = threading.Thread(target=read_serial, daemon=True)
reader.start()

def fail(why):
    qemu.kill()
    qemu.wait()
    print("\n".join(lines[-20:]))
    sys.exit(f"try-net.sh: {why} (serial log: {serial_log})")

try:
    if not listening.wait(60) or "# listening 80" not in seen:
        fail("the kernel never said `# listening 80`")
    for line in lines:
        if line.startswith("# dhcp") or line.startswith("# mac"):
            print(f"    guest: {line}")
    print(f"    after QEMU started: the card up (`# mac`) at {seen.get('# mac', float('nan')):.2f} s, "
          f"`# dhcp` at {seen.get('# dhcp', float('nan')):.2f} s, `# listening 80` at {seen['# listening 80']:.2f} s")

    data = os.urandom(size)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.settimeout(30)
    back = bytearray()
    def send():
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
    sender = threading.Thread(target=send, daemon=True)
    start = time.monotonic()
    sender.start()
    try:
        while True:
            piece = sock.recv(1 << 16)
            if not piece:
                break
            back += piece
    except socket.timeout:
        fail(f"the echo stalled after {len(back)} of {size} bytes")
    elapsed = time.monotonic() - start
    sender.join(10)
    sock.close()
    if bytes(back) != data:
        first = next((i for i, (a, b) in enumerate(zip(back, data)) if a != b), min(len(back), len(data)))
        fail(f"the echo differs: {len(back)} bytes back of {size}, first difference at byte {first}")
    print(f"    echo: {size} bytes sent and {len(back)} back, identical, in {elapsed:.2f} s "
          f"({size / MIB / elapsed:.2f} MiB/s each way)")
    # The guest prints its count once the connection has closed on its side.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(l.startswith("# echoed") for l in lines):
        time.sleep(0.05)
    for line in lines:
        if line.startswith("# echoed") or line.startswith("# echo ended"):
            print(f"    guest: {line}")
finally:
    if qemu.poll() is None:
        qemu.kill()
    qemu.wait()

def summary(path):
    """Frames in the pcap by kind: what DHCP, ARP and TCP each took."""
    import struct
    kinds = {}
    with open(path, "rb") as f:
        f.read(24)  # the file header
        while len(header := f.read(16)) == 16:
            _, _, caplen, _ = struct.unpack("<IIII", header)
            frame = f.read(caplen)
            kind = "other"
            ethertype = frame[12:14]
            if ethertype == b"\x08\x06":
                kind = "ARP"
            elif ethertype == b"\x08\x00" and len(frame) >= 34:
                proto, ihl = frame[23], (frame[14] & 15) * 4
                ports = struct.unpack(">HH", frame[14 + ihl:18 + ihl]) if len(frame) >= 18 + ihl else (0, 0)
                kind = {1: "ICMP", 6: "TCP"}.get(proto, "IPv4")
                if proto == 17:
                    kind = "DHCP" if 67 in ports or 68 in ports else "UDP"
            kinds[kind] = kinds.get(kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]))

if os.path.exists(pcap):
    print(f"    the recording: {summary(pcap)} frames")
print(f"==> QEMU stopped; the traffic is in {pcap} (tcpdump -r {pcap})")
PY
