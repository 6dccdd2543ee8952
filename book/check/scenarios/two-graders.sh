#!/bin/sh
# The debugging chapter's two graders at once: one grades guest-hang (which
# holds the folder's lock until its deadline); once the lock is taken, a second
# grading of the same kernel starts, and waits. Prints what the second said on
# standard error about waiting.
set -eu
guest=target/x86_64-unknown-none/kernel/guest-hang
lock=target/fledge/kernel-guest-hang/grader.lock
cargo grade --kernel "$guest" --timeout 10 >/dev/null 2>&1 &
first=$!
trap 'kill -INT $first 2>/dev/null || true' EXIT INT TERM
tries=0
# Until the first grader holds the lock (flock -n fails then).
while [ ! -e "$lock" ] || flock -n "$lock" true; do
    tries=$((tries + 1))
    if [ "$tries" -gt 1200 ]; then
        echo "two-graders.sh: the first grader never took the lock" >&2
        exit 1
    fi
    sleep 0.1
done
cargo grade --kernel "$guest" --timeout 10 2>&1 >/dev/null | grep waiting
wait $first || true
trap - EXIT INT TERM
