#!/usr/bin/env bash
# Fledge's whole test suite, as CI runs it:
#
#   1. the project's promises about its own source (no #![feature], the
#      formatting, clippy with the workspace's lints: SAFETY comments), and
#      actionlint on the GitHub Actions workflows;
#   2. every host test in the workspace (`cargo test --workspace`), which
#      includes the grader's tests against misbehaving guest kernels;
#   3. the self-check: every exercise's starter fails the tests over its
#      holes, and every reference solution scores full marks, graded in QEMU;
#   4. the book's quotes: every scorecard, log, trace and compiler message it
#      quotes is what the commands print today (`cargo book-check`, which runs
#      them), and every line number it names points where it says;
#   5. the book builds with no warnings.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }

step "Source checks"
if grep -rlnE --include='*.rs' '^[[:space:]]*#!\[feature' kernel exercises solutions grader; then
    echo "#![feature] found above: Fledge's crates stay on stable Rust features." >&2
    exit 1
fi
echo "no #![feature] in kernel/, exercises/, solutions/, grader/"
cargo fmt --check
echo "cargo fmt --check: the code is formatted"
# Clippy holds every `unsafe` block to a `// SAFETY:` comment and every
# `unsafe fn` to a `# Safety` section (the workspace's lint table).
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "cargo clippy: no warnings"
# scripts/setup.sh installs actionlint in a virtualenv of Fledge's own.
actionlint="$HOME/.cache/fledge/venv/bin/actionlint"
if [ ! -x "$actionlint" ]; then
    echo "actionlint is missing: run scripts/setup.sh" >&2
    exit 1
fi
"$actionlint" .github/workflows/*.yml
echo "actionlint: the workflows in .github/workflows/ are clean"

step "Host tests: cargo test --workspace"
cargo test --workspace

step "Self-check: starters fail, solutions pass (cargo grade --self-check)"
cargo grade --self-check

step "The book's quotes, against real runs (cargo book-check)"
if ! cargo book-check; then
    echo "A quote in the book no longer matches what Fledge prints (above). If the change is" >&2
    echo "meant, rewrite the quotes from a fresh run with \`cargo book-check --bless\`, then" >&2
    echo "read the prose around each block it changed." >&2
    exit 1
fi

step "The book: mdbook build book"
log=$(mktemp)
mdbook build book 2>&1 | tee "$log"
if grep -qE 'WARN|ERROR' "$log"; then
    echo "mdbook printed warnings or errors (above): the book must build cleanly." >&2
    exit 1
fi
rm -f "$log"
step "All checks passed."
