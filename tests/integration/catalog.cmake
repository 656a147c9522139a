# SPDX-License-Identifier: GPL-2.0-or-later
# The catalog side against the real bpftrace (needs root; skips otherwise).
tracedesk_add_test(tst_catalogbpftrace SOURCES tst_catalogbpftrace.cpp LIBS tracedesk_engine LABELS integration)
