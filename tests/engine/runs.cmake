# SPDX-License-Identifier: GPL-2.0-or-later
# The run side of the engine: parsers, runs, the run manager, privilege, approvals, the helper.
# Fake bpftrace programs for the fault cases live in fakes/.
tracedesk_add_test(tst_bpftracejsonparser SOURCES tst_bpftracejsonparser.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_bpftracediagnosticparser SOURCES tst_bpftracediagnosticparser.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_scriptcheck SOURCES tst_scriptcheck.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_settingsstore SOURCES tst_settingsstore.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_run SOURCES tst_run.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_histogram SOURCES tst_histogram.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_mapresult SOURCES tst_mapresult.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_runresults SOURCES tst_runresults.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_stacktree SOURCES tst_stacktree.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_translations SOURCES tst_translations.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_runmanager SOURCES tst_runmanager.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_privilege SOURCES tst_privilege.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_approvalqueue SOURCES tst_approvalqueue.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_enginehelper SOURCES tst_enginehelper.cpp LIBS tracedesk_engine LABELS engine)
add_dependencies(tst_enginehelper tracedesk-helper)
add_dependencies(tst_runmanager tracedesk-helper)
