#!/bin/sh
# QEMU as the grader runs it, plus a log of every interrupt and CPU reset in a
# file of its own (chapters 2 to 4's wrapper, logging under target/book-check/):
# the grader's event file is then never written.
exec qemu-system-x86_64 "$@" -d int,cpu_reset -D "$FLEDGE_BOOK_CHECK/qemu-int-$$.log"
