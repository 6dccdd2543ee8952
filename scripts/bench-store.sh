#!/usr/bin/env bash
# Exercise 10's store (kernel/store), tried and timed: power cuts on the
# host, SIGKILLs of QEMU, and commits per second in both places.
#
#   scripts/bench-store.sh            48 workloads of power cuts, 10 gradings of 20 kills
#   scripts/bench-store.sh 96 20      96 workloads, 20 gradings (400 kills)
#
# 1. Power cuts: the graded host test `power_cuts_lose_no_acknowledged_commit`
#    with more workloads than grading runs (each about 460 cut points), the
#    host's `tar tvf` run on every distinct image.
# 2. Commits per second on the host, over a file (each flush an
#    fdatasync) and a RAM disk, with the disk requests each commit makes
#    (kernel/store/examples/bench.rs).
# 3. SIGKILLs: `cargo grade 10 --solution --kills 20`, again and again. Each
#    grading kills 20 boots at random moments while they commit, on one
#    image, and fails if any boot opens without a commit acknowledged before
#    a kill. The graded boot's `# N commits in M ms` line gives commits per
#    second in QEMU (TCG).
set -euo pipefail
cd "$(dirname "$0")/.."
workloads=${1:-48}
gradings=${2:-10}

echo "==> power cuts: $workloads workloads, tar tvf on every distinct image"
FLEDGE_POWER_CUT_WORKLOADS=$workloads FLEDGE_POWER_CUT_TAR=all \
    cargo test --quiet --release -p solution-10-store --test host power_cuts -- --nocapture 2>&1 |
    grep -E '^power cuts:|test result'

echo "==> commits per second on the host"
cargo run --quiet --release -p fledge-store --example bench 3000

echo "==> SIGKILLs in QEMU: $gradings gradings of 20 kills"
kills=0
early=0
failed=0
rates=()
log=target/fledge/logs/solution-10-store.log
for i in $(seq 1 "$gradings"); do
    out=$(cargo grade 10 --solution --kills 20 2>&1) || true
    note=$(grep -o 'survives_power_loss: .*' <<<"$out" || true)
    score=$(grep -o 'Score: .*' <<<"$out" || true)
    if ! grep -q 'verdict: passed' <<<"$score"; then
        failed=$((failed + 1))
        echo "grading $i: $score"
        grep -A3 'FAIL' <<<"$out" || true
    fi
    n=$(grep -oE '^survives_power_loss: [0-9]+ SIGKILLs' <<<"$note" | grep -oE '[0-9]+' || echo 0)
    e=$(grep -oE '\(([0-9]+) of the boots ended' <<<"$note" | grep -oE '[0-9]+' || echo 0)
    kills=$((kills + n))
    early=$((early + e))
    rate=$(grep -oE '^# [0-9]+ commits in [0-9]+ ms' "$log" | tail -1 | awk '{ if ($5 > 0) printf "%.0f", $2 * 1000 / $5 }')
    rates+=("${rate:-0}")
    echo "grading $i: $n kills, $e boots ended before their kill, graded boot ${rate:-?} commits/s"
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "==> $kills SIGKILLs over $gradings gradings, $early boots ended before their kill;" \
    "$failed gradings lost an acknowledged commit or failed otherwise;" \
    "QEMU (TCG) median $median commits/s"
[ "$failed" -eq 0 ]
