# SPDX-License-Identifier: GPL-2.0-or-later
# The MCP tools, resources and prompts, driven directly (no transport) over a test Engine.
# Included from tests/mcp/CMakeLists.txt.
tracedesk_add_test(tst_mcptools SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_mcptools.cpp ${CMAKE_CURRENT_LIST_DIR}/mcptesthelpers.h
    LIBS tracedesk_mcp LABELS mcp)
tracedesk_add_test(tst_mcpresources SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_mcpresources.cpp ${CMAKE_CURRENT_LIST_DIR}/mcptesthelpers.h
    LIBS tracedesk_mcp LABELS mcp)
tracedesk_add_test(tst_mcpprompts SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_mcpprompts.cpp ${CMAKE_CURRENT_LIST_DIR}/mcptesthelpers.h
    LIBS tracedesk_mcp LABELS mcp)
# Each test binary starts its own engine with its own temporary directories; they can run in parallel.
