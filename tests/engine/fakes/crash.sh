#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace that attaches, prints a line, then dies of SIGSEGV.
printf '%s\n' '{"type": "attached_probes", "data": {"probes": 2}}'
printf '%s\n' '{"type": "printf", "data": "about to crash\n"}'
kill -SEGV $$
