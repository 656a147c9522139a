// SPDX-License-Identifier: GPL-2.0-or-later
// Small value types shared by the engine, the MCP endpoint and the window.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

/// The life cycle of one run. Terminal states never change again.
enum class RunState
{
    PendingApproval, ///< an AI client asked; waiting for the person (or the headless policy)
    Starting, ///< approved, the process is being launched
    Running, ///< bpftrace attached and is producing output
    Stopping, ///< SIGINT sent (then SIGTERM, then SIGKILL); still reading so maps are not lost
    Finished, ///< bpftrace exited by itself with status 0
    Failed, ///< could not start, compile error, crash or non-zero exit
    Stopped, ///< stopped on request (person's Stop or MCP stop_execution)
    TimedOut, ///< stopped because its timeout elapsed
    Denied, ///< the person (or the policy) refused it
    Expired, ///< nobody decided before the approval timeout; counts as denied
};

/// snake_case names used in MCP results, the run store and the audit log ("pending_approval", ...).
QString runStateName(RunState state);
std::optional<RunState> runStateFromName(QStringView name);
bool isTerminal(RunState state);
/// Whether the state means a process may exist (starting, running, stopping).
bool isActive(RunState state);

enum class RunOrigin
{
    Person, ///< started from the window or the headless terminal; needs no approval
    Client, ///< requested by an MCP client; waits for approval
};
QString runOriginName(RunOrigin origin);

/// How the approval of a run was settled.
enum class Decision
{
    NotRequired, ///< the person's own run
    Pending,
    Approved,
    ApprovedEdited, ///< approved with an edited script; the client is told
    ApprovedForSession, ///< identical script (same hash) from the same client, allowed earlier for this session
    ApprovedByPolicy, ///< headless --approval-policy allow-all / allow-low-risk
    Denied,
    DeniedByPolicy,
    Expired,
};
QString decisionName(Decision decision);
std::optional<Decision> decisionFromName(QStringView name);

/// Who is asking: from the MCP initialize request's clientInfo, plus the connection it came on.
struct ClientInfo
{
    QString name;
    QString version;
    QString transport; ///< "socket", "http", "stdio" or empty for the person
    QString sessionId;

    /// The owner of every stateless (MCP 2026-07-28) request of one transport ("http", or any
    /// other for the local socket and the bridge): such clients have no session to tell apart.
    static QString statelessOwner(QStringView transport);
    /// Whether `sessionId` is such a shared owner rather than one session's own.
    static bool isStatelessOwner(QStringView sessionId);

    QJsonObject toJson() const;
    static ClientInfo fromJson(const QJsonObject &object);
    /// "Claude Code 2.1.3" or "unknown client"
    QString displayName() const;
    bool operator==(const ClientInfo &) const = default;
};

enum class RiskLevel
{
    Low,
    Medium,
    High
};
QString riskLevelName(RiskLevel level);

/// A compile error or warning from bpftrace's stderr, or a finding of the analyzer.
struct Diagnostic
{
    enum class Severity
    {
        Error,
        Warning,
        Note
    };
    Severity severity = Severity::Error;
    int line = 0; ///< 1-based; 0 when bpftrace gave no location
    int column = 0; ///< 1-based; 0 when unknown
    int endColumn = 0; ///< 1-based, inclusive; 0 when unknown
    QString message;

    QJsonObject toJson() const;
    static Diagnostic fromJson(const QJsonObject &object);
    static QString severityName(Severity severity);
    bool operator==(const Diagnostic &) const = default;
};
