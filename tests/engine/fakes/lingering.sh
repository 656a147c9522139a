#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace that leaves a child holding its stdout open after it exits (as a system() with
# "&" can): the run must end when bpftrace does, with every line it printed, the last one
# without its newline too.
printf '%s\n' '{"type": "attached_probes", "data": {"probes": 1}}'
sleep 20 2>/dev/null &
printf '%s\n' '{"type": "printf", "data": "before exit\n"}'
printf '%s' '{"type": "printf", "data": "last line without newline"}'
exit 0
