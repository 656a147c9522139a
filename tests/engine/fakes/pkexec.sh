#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake pkexec: no polkit, just runs its arguments (the helper path, then bpftrace and its args).
[ -n "$FAKE_ELEVATION_LOG" ] && printf 'pkexec %s\n' "$*" >> "$FAKE_ELEVATION_LOG"
exec "$@"
