#!/bin/sh
# The debugging chapter's gdb session, played again. `cargo grade 03
# --solution --gdb` boots the reference solution paused and prints the gdb
# command; gdb runs it in batch mode with the chapter's commands after it,
# traced (`set trace-commands on`), and ends with `kill`. Prints what the
# grader printed, then what gdb printed on standard output.
set -eu
grader_out="$FLEDGE_BOOK_CHECK/gdb-session.grader"
gdb_out="$FLEDGE_BOOK_CHECK/gdb-session.gdb"
: >"$grader_out"
cargo grade 03 --solution --gdb >"$grader_out" 2>/dev/null &
grader=$!
trap 'kill -INT $grader 2>/dev/null || true' EXIT INT TERM

tries=0
until command=$(grep -m1 '^  gdb ' "$grader_out"); do
    tries=$((tries + 1))
    if [ "$tries" -gt 6000 ]; then
        echo "gdb-session.sh: the grader printed no gdb command within 10 minutes" >&2
        exit 1
    fi
    sleep 0.1
done

# The grader's command, with the chapter's after it.
eval "$command -batch \
    -ex 'set trace-commands on' \
    -ex 'break fledge_exceptions::handlers::page_fault' \
    -ex 'continue' \
    -ex 'bt' \
    -ex 'info registers rip rsp eflags cr2' \
    -ex 'x/4i fledge_exceptions::handlers::page_fault' \
    -ex 'x/8gx \$rsp + 40' \
    -ex 'p/x *context' \
    -ex 'info symbol context.frame.instruction_pointer' \
    -ex 'next' \
    -ex 'next' \
    -ex 'p/x address' \
    -ex 'kill'" >"$gdb_out" 2>/dev/null </dev/null
wait $grader || true
trap - EXIT INT TERM
cat "$grader_out"
echo
cat "$gdb_out"
