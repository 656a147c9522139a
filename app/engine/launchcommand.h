// SPDX-License-Identifier: GPL-2.0-or-later
// A program and its argument list, ready for QProcess: never a shell string.
#pragma once

#include <QString>
#include <QStringList>

/// The exact program and argument list to start. Never a shell string.
struct LaunchCommand
{
    QString program;
    QStringList arguments;
    /// True when the process is the elevated tracedesk-helper: stop requests go as lines on its
    /// stdin ("INT", "TERM", "KILL") instead of signals, which a root child would ignore.
    bool viaHelper = false;
    bool operator==(const LaunchCommand &) const = default;
};
