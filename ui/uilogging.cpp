// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/uilogging.h"

Q_LOGGING_CATEGORY(lcUi, "tracedesk.ui", QtInfoMsg)
