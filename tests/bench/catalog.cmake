# SPDX-License-Identifier: GPL-2.0-or-later
# Probe catalog at 150,000 probes: parse and filter times beside baselines, printed as ratios.
tracedesk_add_test(bench_catalog SOURCES bench_catalog.cpp ../engine/syntheticprobes.h LIBS tracedesk_engine LABELS bench)
# Desktop size, only under `ctest -C bench` (what `tools/dev bench` runs).
add_test(NAME bench_catalog_150k COMMAND bench_catalog CONFIGURATIONS bench)
set_tests_properties(bench_catalog_150k PROPERTIES LABELS bench
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LANG=C.UTF-8;QT_LOGGING_RULES=*.debug=false;TRACEDESK_BENCH_PROBES=150000")
