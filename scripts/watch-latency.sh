#!/usr/bin/env bash
# Measures how soon `cargo grade --watch` grades again after a save: it
# starts a watcher on exercise 01's reference solution, appends a comment to
# the lib.rs of its upstream crate, kernel/pc/serial (RUNS times), and
# reports when the watcher noticed and when the new result was on screen.
# The file is put back as it was.
#
#   scripts/watch-latency.sh        3 saves
#   scripts/watch-latency.sh 10     10 saves
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-3}
file=kernel/pc/serial/src/lib.rs
out=$(mktemp)
backup=$(mktemp)
cp "$file" "$backup"
watcher=
cleanup() {
    cp "$backup" "$file"
    [ -z "$watcher" ] || kill -INT "$watcher" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$out" "$backup"
}
trap cleanup EXIT

cargo build --quiet --package fledge-grader --bin cargo-grade
target/debug/cargo-grade exercise-01 --solution --watch >"$out" 2>&1 &
watcher=$!

now() { date +%s.%N; }
# Waits until the watcher has printed its COUNT-th "Watching" line.
wait_for_watching() {
    local count=$1 deadline=$(( $(date +%s) + 300 ))
    until [ "$(grep -c '^Watching' "$out" || true)" -ge "$count" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { cat "$out"; echo "the watcher did not finish grading" >&2; exit 1; }
        sleep 0.02
    done
}

wait_for_watching 1
for run in $(seq "$runs"); do
    sleep 1
    saved=$(now)
    printf '\n// a comment from watch-latency.sh, run %s\n' "$run" >>"$file"
    until [ "$(grep -c 'changed; grading again' "$out" || true)" -ge "$run" ]; do
        sleep 0.01
    done
    noticed=$(now)
    wait_for_watching $(( run + 1 ))
    shown=$(now)
    awk -v s="$saved" -v n="$noticed" -v d="$shown" -v r="$run" \
        'BEGIN { printf "save %d: grading again after %.2f s, new result after %.2f s\n", r, n - s, d - s }'
done
