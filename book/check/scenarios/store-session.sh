#!/bin/sh
# Chapter 10's session with the host tool: a store image made, read with
# GNU tar, cut off by a power cut in the middle of a commit
# (`commit --cut-after 3`), read again, and recovered by the next commit.
# Every commit has a fixed `--time`, so the output is the same on every
# run. Prints each command after `$ `, as a terminal shows it, then what
# it printed; `fledge-store` is the tool (kernel/store-tool), built first.
# The image is made in $FLEDGE_BOOK_CHECK (target/book-check/).
set -eu
root=$(pwd)
cargo build --quiet -p fledge-store-tool
target=${CARGO_TARGET_DIR:-$root/target}
work="${FLEDGE_BOOK_CHECK:-$root/target/book-check}/store-session"
rm -rf "$work"
mkdir -p "$work/bin"
ln -s "$target/debug/fledge-store" "$work/bin/fledge-store"
PATH="$work/bin:$PATH"
# tar lists times in the local time zone; the commits' are UTC.
TZ=UTC
export TZ
cd "$work"

# Runs a command as the chapter shows it: its standard output, then its
# standard error (where tar's warnings and the tool's notes go), whatever
# its exit status.
step() {
    printf '$ %s\n' "$1"
    eval "$1" >out.txt 2>err.txt || true
    cat out.txt err.txt
}

step 'fledge-store init disk.img --blocks 64'
step 'fledge-store commit disk.img --author ada -m "first page" --time 1764547200 "index.html=<h1>Hi"'
step 'fledge-store commit disk.img --author ada -m "add about" --time 1764550800 "about.html=<p>Me"'
step 'tar tvf disk.img'
step "tar xOf disk.img '000002 add about'"
step 'fledge-store commit disk.img --author bob -m typo --time 1764554400 "index.html=<h1>Hi!" --cut-after 3'
step 'tar tvf disk.img'
step 'fledge-store log disk.img'
step 'fledge-store commit disk.img --author bob -m "typo, again" --time 1764558000 "index.html=<h1>Hi!"'
step 'tar tvf disk.img'
