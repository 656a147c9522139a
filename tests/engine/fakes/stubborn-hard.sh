#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# stubborn.sh ignoring SIGTERM too, for paths that do not pass our environment on (the helper
# gives bpftrace a fixed environment).
FAKE_IGNORE_TERM=1 exec "$(dirname "$0")/stubborn.sh" "$@"
