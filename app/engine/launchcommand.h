// SPDX-License-Identifier: GPL-2.0-or-later
// A program and its argument list, ready for QProcess: never a shell string.
#pragma once

#include <QString>
#include <QStringList>

#include <functional>

/// The exact program and argument list to start. Never a shell string.
struct LaunchCommand
{
    QString program;
    QStringList arguments;
    /// True when the process is the elevated tracedesk-helper: stop requests go as lines on its
    /// stdin ("INT", "TERM", "KILL") instead of signals, which a root child would ignore.
    bool viaHelper = false;
    /// `kubectl debug` leaves its pod behind: the program and leading arguments (kubectl
    /// [--context C]) of the command that deletes the pod it named on stderr once this command
    /// has ended (TargetTransport::cleanUpPod). Empty for everything else.
    QStringList podCleanup = {};
    /// ssh to a target (TargetTransport): exit status 255 is ssh's own failure (connection,
    /// authentication), not the remote command's.
    bool overSsh = false;
    bool operator==(const LaunchCommand &) const = default;
};

/// Makes the command for `bpftrace ARGS` wherever bpftrace runs: locally through the privilege
/// mode, on another target through ssh or kubectl (engine/targets/targettransport.h).
using LaunchBuilder = std::function<LaunchCommand(const QStringList &bpftraceArguments)>;
