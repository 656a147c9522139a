// SPDX-License-Identifier: GPL-2.0-or-later
// Logging categories of the run side of the engine (the catalog, analyzer and store define theirs
// in their own files).
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRun)
Q_DECLARE_LOGGING_CATEGORY(lcPrivilege)
Q_DECLARE_LOGGING_CATEGORY(lcApproval)
Q_DECLARE_LOGGING_CATEGORY(lcEngine)
