# SPDX-License-Identifier: GPL-2.0-or-later
# Targets: URIs, the ssh/kubectl transports, the registry (issue 15).
tracedesk_add_test(tst_target SOURCES tst_target.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_targettransport SOURCES tst_targettransport.cpp LIBS tracedesk_engine LABELS engine)
tracedesk_add_test(tst_targetregistry SOURCES tst_targetregistry.cpp LIBS tracedesk_engine LABELS engine)
