#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace that prints one line and exits with $FAKE_EXIT (default 0) at once.
printf '%s\n' '{"type": "printf", "data": "done\n"}'
printf '%s\n' 'something on stderr' >&2
exit "${FAKE_EXIT:-0}"
