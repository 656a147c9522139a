// SPDX-License-Identifier: GPL-2.0-or-later
// The limits every run is held to: output kept and accepted, concurrency, timeouts, stop grace.
#pragma once

#include "engine/setting.h"

#include <QtGlobal>

/// Every limit is configurable (settings dialog, command line, tests); the saved ones have their
/// defaults and bounds in setting.h.
struct RunLimits
{
    int maxLinesKept
        = int(Setting::maxLinesKept.defaultValue); ///< per run, as a ring; older lines are dropped and counted
    int maxLinesPerSecond = int(Setting::maxLinesPerSecond
            .defaultValue); ///< per run; lines over the rate are dropped and counted (0: no limit)
    qint64 maxBytesPerSecond = 16 * 1024 * 1024; ///< per run (0: no limit)
    int maxConcurrentRuns
        = int(Setting::maxConcurrentRuns.defaultValue); ///< starting, running and stopping runs together
    int defaultClientTimeoutSeconds
        = int(Setting::defaultClientTimeoutSeconds.defaultValue); ///< when a client gives none
    int maxTimeoutSeconds = int(Setting::maxTimeoutSeconds.defaultValue);
    int sigintGraceMs = 2000; ///< after SIGINT, wait this long before SIGTERM
    int sigtermGraceMs = 5000; ///< after SIGTERM, wait this long before SIGKILL
    int batchIntervalMs = 50; ///< output reaches listeners at most this often
    /// A fleet run starts at most this many of its targets' bpftrace at a time (each is an ssh or
    /// kubectl connection); the next starts as soon as one is running or has ended.
    int maxFleetConnections = 8;

    bool operator==(const RunLimits &) const = default;
};
