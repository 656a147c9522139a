// SPDX-License-Identifier: GPL-2.0-or-later
// Logging categories of the MCP endpoint, one per area.
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcMcp)
Q_DECLARE_LOGGING_CATEGORY(lcMcpSocket)
Q_DECLARE_LOGGING_CATEGORY(lcMcpHttp)
Q_DECLARE_LOGGING_CATEGORY(lcMcpTools)
