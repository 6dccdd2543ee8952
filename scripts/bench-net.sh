#!/usr/bin/env bash
# TCP echo, timed: the guest's echo service (exercise 11's reference card,
# kernel/pc/virtio-net, under smoltcp) through QEMU's forwarded port,
# beside the same service over the host's own sockets. MiB/s each way, and
# connections per second.
#
#   scripts/bench-net.sh              5 runs: 8 MiB each way, then 200 connections
#   scripts/bench-net.sh 3 2 50       3 runs: 2 MiB each way, then 50 connections
#
# The guest is `kernel/pc/virtio-net/examples/dhcp.rs`, booted as
# try-net.sh boots it (QEMU's user network with restrict=on, a free port
# of 127.0.0.1 forwarded to the guest's port 80), without the pcap. The
# host side is `kernel/hosted/examples/echo.rs serve`: the same echo loop,
# written against the `Tcp` trait, over `HostTcp` on 127.0.0.1. Both are
# timed by `echo.rs measure`, the same client: each run sends the bytes
# from one thread, reads the echo in another and checks it, then makes the
# connections one after the other (connect, a line there and back, shut
# down, read to the end, close). Nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
mib=${2:-8}
connections=${3:-200}
out=target/bench-net
mkdir -p "$out"

echo "==> building the echo kernel and its boot image"
scripts/example-image.sh fledge-virtio-net dhcp "$out/boot.img"
echo "==> building the hosted echo and the client (fledge-hosted's example echo)"
cargo build --quiet --release -p fledge-hosted --example echo
echo=target/release/examples/echo

pid=
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    pid=
}
trap stop EXIT

# Waits up to 60 s for a line starting with $2 in the file $1, while the
# process $pid lives.
wait_for() {
    for _ in $(seq 600); do
        grep -q "^$2" "$1" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    tail -20 "$1" >&2
    echo "bench-net.sh: no \`$2\` line in $1" >&2
    exit 1
}

echo "==> the guest: smoltcp over virtio-net in QEMU (TCG), through a forwarded port"
port=$($echo free-port)
# A line left from the last run must not count as this one's.
rm -f "$out/serial.log"
qemu-system-x86_64 -drive "format=raw,file=$out/boot.img" \
    -display none -no-reboot -monitor none -m 128M -serial "file:$out/serial.log" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -accel tcg \
    -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:80" \
    -device virtio-net-pci,netdev=n0,romfile=,addr=0x4 </dev/null 2>"$out/qemu.log" &
pid=$!
wait_for "$out/serial.log" "# listening 80"
$echo measure "$port" "$runs" "$mib" "$connections" | tee "$out/guest.txt"
stop

echo "==> the host: the same echo over HostTcp on 127.0.0.1"
port=$($echo free-port)
$echo serve "$port" >"$out/host-serve.log" &
pid=$!
wait_for "$out/host-serve.log" "# listening $port"
$echo measure "$port" "$runs" "$mib" "$connections" | tee "$out/host.txt"
stop

guest=($(grep '^median' "$out/guest.txt" | awk '{ print $2, $4 }'))
host=($(grep '^median' "$out/host.txt" | awk '{ print $2, $4 }'))
echo
echo "TCP echo, median of $runs runs ($mib MiB each way; $connections connections one after the other)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(qemu-system-x86_64 --version | head -1)"
printf '%20s %18s %14s %10s\n' "" "QEMU virtio-net" "host sockets" "ratio"
printf '%20s %18s %14s %10s\n' "MiB/s each way" "${guest[0]}" "${host[0]}" \
    "$(awk -v g="${guest[0]}" -v h="${host[0]}" 'BEGIN { printf "%.4f", g / h }')"
printf '%20s %18s %14s %10s\n' "connections/s" "${guest[1]}" "${host[1]}" \
    "$(awk -v g="${guest[1]}" -v h="${host[1]}" 'BEGIN { printf "%.4f", g / h }')"
