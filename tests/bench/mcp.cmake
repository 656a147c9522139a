# SPDX-License-Identifier: GPL-2.0-or-later
# MCP round trips through our endpoint (local socket and HTTP) for tools/list and get_result,
# beside a raw line echo over the same kind of QLocalSocket measured in the same run.
# Included from tests/bench/CMakeLists.txt. (The comparison with the reference TypeScript server
# runs in node: mcp-compare.mjs.)
tracedesk_add_test(bench_mcp SOURCES ${CMAKE_CURRENT_LIST_DIR}/bench_mcp.cpp LIBS tracedesk_mcp Qt6::Network LABELS bench)
