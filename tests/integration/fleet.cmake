# SPDX-License-Identifier: GPL-2.0-or-later
# Targets over real SSH to network namespaces made by the test (issue 15). Root, sshd, ip.
tracedesk_add_test(tst_fleetssh SOURCES tst_fleetssh.cpp LIBS tracedesk_engine LABELS integration fleet)
# Alone: it sets up namespaces, veths and sshds on fixed addresses, and nothing else should race it.
set_tests_properties(tst_fleetssh PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
