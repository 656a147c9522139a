// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcplogging.h"

Q_LOGGING_CATEGORY(lcMcp, "tracedesk.mcp", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMcpSocket, "tracedesk.mcp.socket", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMcpHttp, "tracedesk.mcp.http", QtInfoMsg)
