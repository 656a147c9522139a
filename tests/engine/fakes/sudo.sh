#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake sudo: insists on -n (never a password prompt), then runs the rest.
[ "$1" = "-n" ] || { echo "fake sudo: -n missing" >&2; exit 1; }
shift
[ "$1" = "--" ] && shift
[ -n "$FAKE_ELEVATION_LOG" ] && printf 'sudo %s\n' "$*" >> "$FAKE_ELEVATION_LOG"
exec "$@"
