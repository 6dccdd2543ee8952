#!/usr/bin/env bash
# The website of exercise 12, measured: the same HTTP server crate
# (kernel/http) as a unikernel in QEMU and as a Linux process, under one
# load generator, side by side; and the unikernel's size, and the least
# memory it serves with.
#
#   scripts/bench-site.sh                 10 s of load each, 16 connections
#   scripts/bench-site.sh 30 64           30 s each, 64 connections
#
# - Load: wrk (Debian's package; scripts/setup.sh installs it), two
#   threads, keep-alive, `GET /`, with its latency distribution. The
#   unikernel is the reference solution's kernel served by `cargo grade 12
#   --solution --serve` (QEMU, TCG, its user network with a forwarded port);
#   the process is `fledge-site` (release build) over the host's sockets.
# - Size: the kernel ELF as the grader puts it on the boot disk (stripped
#   of debug information), and the whole boot disk image.
# - Memory: `cargo grade 12 --solution` with QEMU's `-m` lowered step by
#   step (through FLEDGE_QEMU, a wrapper that rewrites `-m`), down to the
#   last size that still scores full marks.
#
# Nothing leaves the machine: every address is 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-16}
out=target/bench-site
mkdir -p "$out"
command -v wrk >/dev/null || { echo "bench-site.sh: wrk is missing: run scripts/setup.sh" >&2; exit 2; }

pid=
# Stops the server in the background: SIGINT for the grader (its Ctrl-C
# stops QEMU), SIGTERM for fledge-site (a background job of a script
# ignores SIGINT, and fledge-site has no handler of its own).
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -"${1:-INT}" "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    pid=
}
trap stop EXIT

# Waits up to $3 seconds for a line matching $2 in the file $1, and
# prints the URL in it.
wait_url() {
    for _ in $(seq $(($3 * 10))); do
        if url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$1" 2>/dev/null | head -1) && grep -q "$2" "$1"; then
            echo "$url"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    tail -20 "$1" >&2
    echo "bench-site.sh: no \`$2\` line in $1" >&2
    exit 1
}

# wrk against $1; the figures in $2.
load() {
    wrk --threads 2 --connections "$conns" --duration "${secs}s" --timeout 5s --latency "$1" | tee "$2"
}

# The figure of wrk's output $1: requests/s, or a percentile's latency.
rps() { awk '/^Requests\/sec/ { print $2 }' "$1"; }
pct() { awk -v p="$2" '$1 == p { print $2 }' "$1"; }

echo "==> the Linux process: fledge-site over the host's sockets"
cargo build --quiet --release -p fledge-site
rm -f "$out/process.img"
target/release/fledge-site --store "$out/process.img" >"$out/process.log" 2>&1 &
pid=$!
url=$(wait_url "$out/process.log" "serving" 30)
load "$url" "$out/process.txt"
stop TERM

echo "==> the unikernel: cargo grade 12 --solution --serve (QEMU, TCG)"
cargo grade 12 --solution --serve >"$out/unikernel.log" 2>&1 &
pid=$!
url=$(wait_url "$out/unikernel.log" "==> serving" 600)
load "$url" "$out/unikernel.txt"
stop

serve_dir=target/fledge/solution-12-website-serve
elf=$serve_dir/kernel.elf
disk=$serve_dir/disk.img

echo "==> the least memory the unikernel scores full marks with"
wrapper="$out/qemu-m.sh"
cat >"$wrapper" <<'SH'
#!/usr/bin/env bash
# qemu-system-x86_64 with `-m` replaced by $FLEDGE_BENCH_M.
args=()
while [ $# -gt 0 ]; do
    if [ "$1" = "-m" ]; then args+=(-m "$FLEDGE_BENCH_M"); shift 2; else args+=("$1"); shift; fi
done
exec qemu-system-x86_64 "${args[@]}"
SH
chmod +x "$wrapper"
least=none
for mem in 128M 64M 48M 32M 24M 16M 12M 8M; do
    if FLEDGE_QEMU="$PWD/$wrapper" FLEDGE_BENCH_M=$mem cargo grade 12 --solution >"$out/mem-$mem.txt" 2>&1; then
        echo "  -m $mem: full marks"
        least=$mem
    else
        echo "  -m $mem: $(grep -o 'Score: [0-9]*/[0-9]*' "$out/mem-$mem.txt" || echo 'did not finish')"
        break
    fi
done

echo
echo "Exercise 12's website: $secs s of \`GET /\` at a time, $conns connections, wrk with two threads"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(qemu-system-x86_64 --version | head -1)"
printf '%22s %18s %18s\n' "" "unikernel (QEMU)" "Linux process"
printf '%22s %18s %18s\n' "requests/s" "$(rps "$out/unikernel.txt")" "$(rps "$out/process.txt")"
printf '%22s %18s %18s\n' "latency p50" "$(pct "$out/unikernel.txt" 50%)" "$(pct "$out/process.txt" 50%)"
printf '%22s %18s %18s\n' "latency p99" "$(pct "$out/unikernel.txt" 99%)" "$(pct "$out/process.txt" 99%)"
echo "kernel ELF on the boot disk: $(stat -c %s "$elf") bytes ($elf)"
echo "boot disk image:             $(stat -c %s "$disk") bytes"
echo "least -m with full marks:    $least"
