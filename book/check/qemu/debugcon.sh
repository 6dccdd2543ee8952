#!/bin/sh
# QEMU as the grader runs it, plus the firmware's debug output (port 0x402) in a
# file (chapter 5's wrapper, writing under target/book-check/).
exec qemu-system-x86_64 "$@" -debugcon "file:$FLEDGE_BOOK_CHECK/seabios-$$.log" -global isa-debugcon.iobase=0x402
