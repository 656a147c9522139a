# SPDX-License-Identifier: GPL-2.0-or-later
# The catalog/analysis side of the engine: probe catalog, capabilities, script analyzer, run store,
# audit log, example library. data/ holds captured bpftrace output and a fake bpftrace.
tracedesk_add_test(tst_probecatalog SOURCES tst_probecatalog.cpp syntheticprobes.h LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_scriptanalyzer SOURCES tst_scriptanalyzer.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_bpftraceast SOURCES tst_bpftraceast.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_capabilities SOURCES tst_capabilities.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_runstore SOURCES tst_runstore.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_auditlog SOURCES tst_auditlog.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_examplelibrary SOURCES tst_examplelibrary.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_queryprocess SOURCES tst_queryprocess.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_analysissummary SOURCES tst_analysissummary.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_inerttext SOURCES tst_inerttext.cpp LIBS tracedesk_engine LABELS engine)
