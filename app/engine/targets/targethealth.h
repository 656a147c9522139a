// SPDX-License-Identifier: GPL-2.0-or-later
// Whether a target can run bpftrace right now: reachable, which bpftrace, with root or not.
#pragma once

#include "engine/targets/target.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

struct QueryResult;

struct TargetHealth
{
    enum class State
    {
        Unknown, ///< not checked yet
        Checking,
        Ready, ///< reachable, bpftrace found, root (by login or sudo -n)
        Degraded, ///< reachable, but bpftrace is missing or there is no way to root
        Unreachable, ///< ssh/kubectl failed: connection refused, host key, authentication, timeout
    };
    State state = State::Unknown;
    bool reachable = false;
    QString bpftraceVersion; ///< "0.23.2"; empty when unknown or missing
    bool bpftraceFound = false;
    bool timedOut = false; ///< reached, but the check ran out of time before bpftrace answered
    int uid = -1; ///< on the target; -1 unknown
    bool sudoWorks = false; ///< `sudo -n true` succeeded (only asked when not root)
    bool privileged = false; ///< bpftrace would run as root under the target's RemotePrivilege
    QString error; ///< why not Ready, for people and clients
    QDateTime checkedAt;

    static QString stateName(State state); ///< "unknown", "checking", "ready", "degraded", "unreachable"
    /// Reads what TargetTransport::healthCommand() printed, for a target with `privilege`.
    static TargetHealth parse(const QueryResult &result, RemotePrivilege privilege);
    /// One line: "ready, bpftrace 0.23.2, root by login", "unreachable: ssh: connect to ... refused".
    QString summary() const;
    QJsonObject toJson() const;
};
