# SPDX-License-Identifier: GPL-2.0-or-later
# The reference TypeScript SDK client runs a whole investigation (investigation.mjs) against
# `tracedesk --headless --approval-policy allow-all`, over HTTP with the bearer token and through
# the stdio bridge, and checks that under --approval-policy deny a run is reported as denied.
# Included from tests/conformance/CMakeLists.txt, whose tracedesk_add_peer_test() starts and
# stops the server in throw-away XDG directories.
if(NOT COMMAND tracedesk_add_peer_test)
    return()
endif()
set(_investigation ${CMAKE_CURRENT_LIST_DIR}/investigation.mjs)
# Each investigation gives up (--timeout-ms) before withserver.mjs does (TIMEOUT - 20 s), which
# gives up before CTest kills it: the first to notice reports what was still missing.

tracedesk_add_peer_test(investigation_http
    SERVER_ARGS --http-port 0 --approval-policy allow-all
    TIMEOUT 300
    LABELS integration
    COMMAND ${TRACEDESK_NODE} ${_investigation} --http {URL} --token {TOKEN} --timeout-ms 250000)
tracedesk_add_peer_test(investigation_stdio
    SERVER_ARGS --no-http --approval-policy allow-all
    TIMEOUT 300
    LABELS integration
    COMMAND ${TRACEDESK_NODE} ${_investigation} --stdio $<TARGET_FILE:tracedesk> --bridge-arg --socket
        --bridge-arg {SOCKET} --timeout-ms 250000)
tracedesk_add_peer_test(investigation_denied_http
    SERVER_ARGS --http-port 0 --approval-policy deny
    TIMEOUT 120
    LABELS integration
    COMMAND ${TRACEDESK_NODE} ${_investigation} --http {URL} --token {TOKEN} --expect-denied --timeout-ms 80000)
tracedesk_add_peer_test(investigation_denied_stdio
    SERVER_ARGS --no-http --approval-policy deny
    TIMEOUT 120
    LABELS integration
    COMMAND ${TRACEDESK_NODE} ${_investigation} --stdio $<TARGET_FILE:tracedesk> --bridge-arg --socket
        --bridge-arg {SOCKET} --expect-denied --timeout-ms 80000)
