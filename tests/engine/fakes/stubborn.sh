#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace that ignores SIGINT. FAKE_IGNORE_TERM=1 ignores SIGTERM too (only SIGKILL ends
# it); otherwise SIGTERM prints the maps and exits 0, like the real one.
trap '' INT
if [ -n "$FAKE_IGNORE_TERM" ]; then
    trap '' TERM
else
    trap 'echo "{\"type\": \"map\", \"data\": {\"@after_term\": 1}}"; exit 0' TERM
fi
echo '{"type": "attached_probes", "data": {"probes": 1}}'
while :; do sleep 0.05; done
