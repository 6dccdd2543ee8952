#!/usr/bin/env bash
# The HTTP request parser and server (kernel/http), fuzzed: a seeded
# mutation fuzzer that needs nothing installed (kernel/http/examples/fuzz.rs).
#
#   scripts/fuzz-http.sh              10,000,000 executions
#   scripts/fuzz-http.sh 1000000      fewer
#   scripts/fuzz-http.sh 1000000 7    another seed
#
# Prints the executions run, executions per second, and how many inputs
# gave each distinct outcome. An input that makes the parser panic,
# disagree with itself when fed in pieces, or leaves the server's
# connection open is written to target/fuzz-http/, and the script fails.
set -euo pipefail
cd "$(dirname "$0")/.."
executions=${1:-10000000}
seed=${2:-}

cargo build --quiet --release -p fledge-http --example fuzz
target/release/examples/fuzz "$executions" $seed
