#!/usr/bin/env bash
# Installs what Fledge needs, and only what is missing:
#
#   1. the Rust toolchain pinned in rust-toolchain.toml (nightly, with
#      rust-src, llvm-tools, rustfmt, clippy and the x86_64-unknown-none
#      target), through rustup;
#   2. QEMU's PC emulator, qemu-system-x86_64;
#   3. mdbook 0.5.4, to build the book.
#
# Running it again does nothing and says so. The dev container and CI run
# this same script.
set -euo pipefail
cd "$(dirname "$0")/.."

MDBOOK_VERSION=0.5.4
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
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq qemu-system-x86
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

# 3. mdbook -------------------------------------------------------------
if [ "$(mdbook --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]; then
    say "Installing mdbook $MDBOOK_VERSION (cargo install; about 2 minutes)"
    cargo install mdbook --version "$MDBOOK_VERSION" --locked --quiet
    changed=1
fi

if [ "$changed" -eq 0 ]; then
    say "Everything Fledge needs is already installed: nothing to do."
else
    say "Set-up done. Next: cargo grade exercise-01 (the first run builds the bootloader: about 2 minutes)."
fi
