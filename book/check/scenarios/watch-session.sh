#!/bin/sh
# The debugging chapter's `--watch` session, played again. `cargo book-check`
# applies book/patches/ch01-one-send.diff first (exercise 01 half done), and
# saves and puts back the files this changes. With `cargo grade 01 --watch`
# running, this makes three saves, each after the grading before it has
# ended: a comment added to src/lib.rs; a uart.rs whose write_bytes loops
# until every byte is sent (the upstream one); the starter put back. Then
# Ctrl-C, and what the grader printed on standard output. The files are left
# as they were found, half done, for the checker's next command.
#
# A grading has ended when the grader has recorded its score, which it does
# just before it prints its summary and waits for the next save: the script
# watches that file (target/fledge/scores.json), and gives each grading up to
# ten minutes, however slowly the grader notices a save on a busy machine.
set -eu
dir=exercises/01-serial/src
scores=target/fledge/scores.json
out="$FLEDGE_BOOK_CHECK/watch-session.out"
saved="$FLEDGE_BOOK_CHECK/watch-session"
mkdir -p "$saved"
cp "$dir/lib.rs" "$dir/uart.rs" "$dir/print.rs" "$saved/"
put_back() {
    cp "$saved/lib.rs" "$saved/uart.rs" "$saved/print.rs" "$dir/"
}
recorded() {
    stat -c %y "$scores" 2>/dev/null || echo never
}

last=$(recorded)
cargo grade 01 --watch >"$out" 2>/dev/null &
grader=$!
trap 'kill -INT $grader 2>/dev/null || true; put_back' EXIT INT TERM

# Waits until the grader has recorded a score since the last time.
graded() {
    tries=0
    while [ "$(recorded)" = "$last" ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 6000 ]; then
            echo "watch-session.sh: no grading ended within 10 minutes ($1)" >&2
            exit 1
        fi
        sleep 0.1
    done
    last=$(recorded)
    # The grader prints its summary after recording the score, then waits.
    sleep 1
}

graded "the first grading"
echo '// A comment.' >>"$dir/lib.rs"
graded "after a comment in lib.rs"
cp kernel/pc/serial/src/uart.rs "$dir/uart.rs"
graded "after the finished uart.rs"
put_back
git apply -R book/patches/ch01-one-send.diff
graded "after the starter came back"
kill -INT $grader
wait $grader || true
trap - EXIT INT TERM
put_back
cat "$out"
