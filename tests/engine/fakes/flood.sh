#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace that floods stdout with FAKE_LINES printf lines as fast as it can, then prints a
# map and exits 0.
printf '%s\n' '{"type": "attached_probes", "data": {"probes": 1}}'
yes '{"type": "printf", "data": "flood line\n"}' | head -n "${FAKE_LINES:-200000}"
printf '%s\n' '{"type": "map", "data": {"@count": 42}}'
