#!/usr/bin/env bash
# Grades one exercise's reference solution N times in a row and reports how
# many runs gave each verdict, the time each run took, and how long its QEMU
# boots ran, added up. It is the benchmark behind three promises: the timing
# tests are robust (every run gives the same verdict), grading an unchanged
# exercise rebuilds nothing, and boots that can run at the same time do (on
# several cores, the boots added up take longer than the run).
#
#   scripts/repeat.sh exercise-04            20 runs
#   scripts/repeat.sh exercise-04 50         50 runs
#   scripts/repeat.sh exercise-04 20 --load  20 runs with every core kept busy
set -euo pipefail
cd "$(dirname "$0")/.."

exercise=${1:?usage: scripts/repeat.sh exercise-NN [RUNS] [--load]}
runs=${2:-20}
load=${3:-}

cargo build --quiet --package fledge-grader --bin cargo-grade
# Build the kernel and host tests once, so that the runs measure grading.
cargo grade "$exercise" --solution >/dev/null || true

hogs=()
cleanup() { [ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null || true; }
trap cleanup EXIT
if [ "$load" = "--load" ]; then
    for _ in $(seq "$(nproc)"); do
        (while :; do :; done) &
        hogs+=($!)
    done
    echo "load: ${#hogs[@]} busy loops, one per core"
fi

declare -A verdicts=()
times=()
boots=()
for run in $(seq "$runs"); do
    start=$(date +%s.%N)
    line=$( (cargo grade "$exercise" --solution 2>/dev/null || true) | grep "^Score:" || echo "no scorecard")
    end=$(date +%s.%N)
    seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    times+=("$seconds")
    verdicts["$line"]=$(( ${verdicts["$line"]:-0} + 1 ))
    # The QEMU boots' time, added up from the boot headers of the saved log
    # (boots that ran at the same time each count in full), and how many.
    log=$(cat target/fledge/logs/solution-"${exercise#exercise-}"-*.log 2>/dev/null || true)
    qemu=$(sed -n 's/^===== boot .* after \([0-9.]*\)s =====$/\1/p' <<<"$log" | awk '{ s += $1 } END { printf "%.2f", s }')
    count=$(grep -ac '^===== boot ' <<<"$log" || true)
    boots+=("$qemu")
    printf 'run %2d: %s  (%.2f s; %d boots, %.2f s of QEMU added up)\n' "$run" "$line" "$seconds" "$count" "$qemu"
done

echo
for line in "${!verdicts[@]}"; do
    echo "${verdicts[$line]} of $runs: $line"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1; sum += $1 } END {
    printf "time per run: min %.2f s, median %.2f s, max %.2f s, mean %.2f s\n", t[1], t[int((NR + 1) / 2)], t[NR], sum / NR }'
printf '%s\n' "${boots[@]}" | sort -n | awk '{ t[NR] = $1 } END {
    printf "QEMU boots per run, added up: min %.2f s, median %.2f s, max %.2f s\n", t[1], t[int((NR + 1) / 2)], t[NR] }'
[ ${#verdicts[@]} -eq 1 ]
