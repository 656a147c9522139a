#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fake bpftrace that fails to compile, with stderr exactly as bpftrace 0.23.2 writes it.
cat >&2 <<'END'
WARNING: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem
stdin:2:3-6: ERROR: Unknown function: foo
  foo();
  ~~~
END
exit 1
