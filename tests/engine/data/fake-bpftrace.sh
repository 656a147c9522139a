#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A stand-in bpftrace for the catalog, capabilities and analyzer tests. Behaviour comes from the
# environment: FAKE_BPFTRACE_LOG (each call's arguments are appended), FAKE_BPFTRACE_LISTING (file
# printed by -l), FAKE_BPFTRACE_MODE (ok, fail, crash, astcrash, slow), FAKE_BPFTRACE_DATA (fixture dir),
# FAKE_BPFTRACE_AST (file printed on stdout for -d ast; unset: no AST, like a bpftrace without it).
[ -n "$FAKE_BPFTRACE_LOG" ] && echo "$*" >> "$FAKE_BPFTRACE_LOG"
mode=${FAKE_BPFTRACE_MODE:-ok}
[ "$mode" = crash ] && kill -SEGV $$
# astcrash: like bpftrace 0.23.2 on some programs, crash after printing the semantic AST
[ "$mode" = astcrash ] && [ "$1" = -d ] && cat "$FAKE_BPFTRACE_AST" && kill -SEGV $$
[ "$mode" = slow ] && sleep 30
echo "WARNING: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace." >&2
case "$1" in
--version)
    echo "bpftrace v${FAKE_BPFTRACE_VERSION:-0.23.2}"
    ;;
--info)
    cat "$FAKE_BPFTRACE_DATA/bpftrace-info-0.23.2.txt"
    ;;
-l)
    if [ "$mode" = fail ]; then
        echo "ERROR: Could not read symbols from /sys/kernel/tracing/available_events: Permission denied" >&2
        exit 1
    fi
    if [ "$2" = -e ]; then
        printf 'tracepoint:syscalls:sys_enter_read\ntracepoint:syscalls:sys_enter_readv\n'
    else
        cat "$FAKE_BPFTRACE_LISTING"
    fi
    ;;
-lv)
    case "$2" in
    tracepoint:syscalls:sys_enter_open*) cat "$FAKE_BPFTRACE_DATA/bpftrace-lv-sys_enter_open.txt" ;;
    *) echo "ERROR: No probes found matching $2" >&2; exit 1 ;;
    esac
    ;;
-d | --emit-elf)
    # [-d ast] --emit-elf FILE [--unsafe] (-e PROGRAM | -): the program on the command line or stdin
    if [ "$1" = -d ]; then
        shift 2
        [ -n "$FAKE_BPFTRACE_AST" ] && cat "$FAKE_BPFTRACE_AST"
    fi
    shift 2
    program=
    while [ $# -gt 0 ]; do
        case "$1" in
        -e) program=$2; shift ;;
        -) program=$(cat) ;;
        esac
        shift
    done
    case "$program" in
    *nosuch*)
        echo "stdin:2:3-9: ERROR: Unknown identifier: 'nosuch'" >&2
        exit 1
        ;;
    esac
    ;;
*)
    echo "ERROR: unexpected arguments: $*" >&2
    exit 2
    ;;
esac
exit 0
