#!/bin/sh
# A wrapper with a mistake: `-D` without its file name (debugging chapter).
exec qemu-system-x86_64 "$@" -D
