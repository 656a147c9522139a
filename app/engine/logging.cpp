// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/logging.h"

Q_LOGGING_CATEGORY(lcRun, "tracedesk.engine.run", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPrivilege, "tracedesk.engine.privilege", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApproval, "tracedesk.engine.approval", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEngine, "tracedesk.engine", QtInfoMsg)
