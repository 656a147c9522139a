// SPDX-License-Identifier: GPL-2.0-or-later
// Logging categories of the MCP endpoint, one per area.
#include "mcp/mcplogging.h"

Q_LOGGING_CATEGORY(lcMcp, "tracedesk.mcp", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMcpSocket, "tracedesk.mcp.socket", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMcpHttp, "tracedesk.mcp.http", QtInfoMsg)
// Debug messages included, as the tools always had them.
Q_LOGGING_CATEGORY(lcMcpTools, "tracedesk.mcp.tools")
