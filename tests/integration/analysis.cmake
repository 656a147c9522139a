# SPDX-License-Identifier: GPL-2.0-or-later
# The analysis against the real bpftrace: the corpus of shipped tools and our examples, and the
# captures that allow-low-risk must never run (needs root; skips otherwise).
tracedesk_add_test(tst_analysiscorpus SOURCES tst_analysiscorpus.cpp LIBS tracedesk_engine LABELS integration)
set_tests_properties(tst_analysiscorpus PROPERTIES TIMEOUT 1800)
tracedesk_add_test(tst_approvalcaptures SOURCES tst_approvalcaptures.cpp LIBS tracedesk_engine LABELS integration)
