#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace with output captured from bpftrace 0.23.2 -f json: prints its events, keeps
# running until SIGINT or SIGTERM, then prints its maps and exits 0 (as the real one does).
# Its arguments are written to $FAKE_ARGS_FILE when set, so tests can check the command line.
if [ -n "$FAKE_ARGS_FILE" ]; then
    for a in "$@"; do printf '%s\n' "$a"; done > "$FAKE_ARGS_FILE"
fi
maps() {
    printf '%s\n' '{"type": "map", "data": {"@syscalls": {"bash": 18, "sshd": 7}}}'
    printf '%s\n' '{"type": "hist", "data": {"@bytes": [{"min": 0, "max": 0, "count": 38}, {"min": 1, "max": 1, "count": 2}]}}'
    printf '%s\n' '{"type": "stats", "data": {"@s": {"count": 1, "average": 4, "total": 4}}}'
    exit 0
}
trap maps INT TERM
printf '%s\n' 'WARNING: Unknown error -1: couldn'"'"'t set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem' >&2
printf '%s\n' '{"type": "attached_probes", "data": {"probes": 3}}'
printf '%s\n' '{"type": "printf", "data": "hello\n"}'
printf '%s\n' '{"type": "printf", "data": "two\nlines\n"}'
printf '%s\n' '{"type": "lost_events", "data": {"events": 5}}'
printf '%s\n' '{"type": "time", "data": "23:24:01\n"}'
printf '%s\n' 'this is not json'
while :; do sleep 0.05; done
