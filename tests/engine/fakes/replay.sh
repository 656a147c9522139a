#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace that replays recorded -f json output: each line of $FAKE_REPLAY is printed as it
# is, except "#sleep S", which pauses S seconds. At the end it exits 0; on SIGINT or SIGTERM it
# prints $FAKE_REPLAY_DUMP (the maps bpftrace prints as it exits) and exits 0.
dump() {
    [ -n "$FAKE_REPLAY_DUMP" ] && cat "$FAKE_REPLAY_DUMP"
    exit 0
}
trap dump INT TERM
while IFS= read -r line; do
    case "$line" in
    "#sleep "*)
        # In the background, so a signal is handled at once rather than after the sleep.
        sleep "${line#\#sleep }" &
        wait $!
        ;;
    *) printf '%s\n' "$line" ;;
    esac
done < "$FAKE_REPLAY"
