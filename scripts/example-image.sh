#!/usr/bin/env bash
# Builds an example kernel of a kernel/ crate and makes its boot image,
# for the scripts that boot it in QEMU themselves, with devices the
# grader's `--kernel` does not attach (bench-block.sh, try-net.sh).
#
#   scripts/example-image.sh PACKAGE EXAMPLE DEST    the image, copied to DEST
set -euo pipefail
cd "$(dirname "$0")/.."
package=${1:?usage: scripts/example-image.sh PACKAGE EXAMPLE DEST}
example=${2:?usage: scripts/example-image.sh PACKAGE EXAMPLE DEST}
dest=${3:?usage: scripts/example-image.sh PACKAGE EXAMPLE DEST}

cargo build --quiet --profile kernel --target x86_64-unknown-none -p "$package" --example "$example"
elf=target/x86_64-unknown-none/kernel/examples/$example
# `--kernel` makes the boot image (and boots it once, without the devices
# the example needs, which fails: the image is what is wanted).
cargo grade --kernel "$elf" --timeout 30 >/dev/null 2>&1 || true
image=target/fledge/kernel-$example/boot-1/disk.img
if [ ! -f "$image" ]; then
    echo "example-image.sh: no boot image at $image after \`cargo grade --kernel $elf\`;" >&2
    echo "run that command to see why." >&2
    exit 2
fi
mkdir -p "$(dirname "$dest")"
cp "$image" "$dest"
