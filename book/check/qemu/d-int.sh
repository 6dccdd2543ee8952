#!/bin/sh
# QEMU as the grader runs it, plus every interrupt and exception, logged in
# the grader's own event file of each boot (the debugging chapter's wrapper).
exec qemu-system-x86_64 "$@" -d int,cpu_reset
