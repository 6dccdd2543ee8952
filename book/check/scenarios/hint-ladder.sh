#!/bin/sh
# The debugging chapter's hint ladder: exercise 01's starter graded with
# `--hint` three times. `cargo book-check` starts every command with no
# rungs climbed (it saves target/fledge/hints.json and puts it back after),
# so the first two gradings reveal rungs 2 and 3 of the first failing test
# and the third, whose scorecard this prints, reveals rung 4.
set -u
cargo grade 01 --hint >/dev/null 2>&1
cargo grade 01 --hint >/dev/null 2>&1
cargo grade 01 --hint 2>/dev/null
