#!/usr/bin/env bash
# Grades reference solutions again and again and reports how many runs gave
# each verdict, the time each run took, and how long its QEMU boots ran,
# added up. It is the benchmark behind three promises: the timing tests are
# robust (every run gives the same verdict), grading an unchanged exercise
# rebuilds nothing, and boots that can run at the same time do (the boots
# added up take longer than the run).
#
#   scripts/repeat.sh exercise-04              20 runs of exercise 04
#   scripts/repeat.sh exercise-04 50           50 runs
#   scripts/repeat.sh exercise-04 20 --load    20 runs with every core kept busy
#   scripts/repeat.sh all 10                   every exercise, 10 runs each, in
#                                              one run: round by round, so that
#                                              all see the same machine, then a
#                                              table of medians and their ratio
#                                              to the first exercise's
#   scripts/repeat.sh exercise-01,exercise-02 10   the same for a list
#
# Extra options for the grader go in FLEDGE_GRADE_ARGS, for example
# FLEDGE_GRADE_ARGS="--jobs 2" to compare against another number of jobs.
set -euo pipefail
cd "$(dirname "$0")/.."

which=${1:?usage: scripts/repeat.sh exercise-NN|LIST|all [RUNS] [--load]}
runs=${2:-20}
load=${3:-}
read -r -a extra <<<"${FLEDGE_GRADE_ARGS:-}"

cargo build --quiet --package fledge-grader --bin cargo-grade
if [ "$which" = all ]; then
    mapfile -t exercises < <(ls -d exercises/*/ | sed -n 's|^exercises/\([0-9][0-9]\)-.*/$|exercise-\1|p')
else
    IFS=, read -r -a exercises <<<"$which"
fi
# Build each kernel and its host tests once, so that the runs measure grading.
for exercise in "${exercises[@]}"; do
    cargo grade "$exercise" --solution "${extra[@]}" >/dev/null || true
done

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

declare -A verdicts=() times=() boots=()
for run in $(seq "$runs"); do
    for exercise in "${exercises[@]}"; do
        start=$(date +%s.%N)
        line=$( (cargo grade "$exercise" --solution "${extra[@]}" 2>/dev/null || true) | grep "^Score:" || echo "no scorecard")
        end=$(date +%s.%N)
        seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
        times[$exercise]+="$seconds "
        verdicts["$exercise: $line"]=$(( ${verdicts["$exercise: $line"]:-0} + 1 ))
        # The QEMU boots' time, added up from the boot headers of the saved
        # log (boots that ran at the same time each count in full), and how
        # many.
        log=$(cat target/fledge/logs/solution-"${exercise#exercise-}"-*.log 2>/dev/null || true)
        qemu=$(sed -n 's/^===== boot .* after \([0-9.]*\)s =====$/\1/p' <<<"$log" | awk '{ s += $1 } END { printf "%.2f", s }')
        count=$(grep -ac '^===== boot ' <<<"$log" || true)
        boots[$exercise]+="$qemu "
        printf 'run %2d, %s: %s  (%.2f s; %d boots, %.2f s of QEMU added up)\n' \
            "$run" "$exercise" "$line" "$seconds" "$count" "$qemu"
    done
done

# `median LIST`: the median of the numbers in LIST.
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{ t[NR] = $1 } END { printf "%.2f", t[int((NR + 1) / 2)] }'; }

echo
for line in "${!verdicts[@]}"; do
    echo "${verdicts[$line]} of $runs: $line"
done | sort
for exercise in "${exercises[@]}"; do
    tr ' ' '\n' <<<"${times[$exercise]}" | sed '/^$/d' | sort -n | awk -v ex="$exercise" '{ t[NR] = $1; sum += $1 } END {
        printf "%s: time per run: min %.2f s, median %.2f s, max %.2f s, mean %.2f s\n", ex, t[1], t[int((NR + 1) / 2)], t[NR], sum / NR }'
    echo "$exercise: QEMU boots per run, added up: median $(median "${boots[$exercise]}") s"
done
if [ ${#exercises[@]} -gt 1 ]; then
    base=$(median "${times[${exercises[0]}]}")
    echo
    echo "| exercise | median regrade (s) | ratio to ${exercises[0]} |"
    echo "|---|---|---|"
    for exercise in "${exercises[@]}"; do
        m=$(median "${times[$exercise]}")
        awk -v ex="$exercise" -v m="$m" -v b="$base" 'BEGIN { printf "| %s | %.2f | %.2f |\n", ex, m, m / b }'
    done
fi
# Every exercise gave one verdict in all its runs.
[ ${#verdicts[@]} -eq ${#exercises[@]} ]
