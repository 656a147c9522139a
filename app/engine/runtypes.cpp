// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/runtypes.h"

#include <array>
#include <utility>

using namespace Qt::StringLiterals;

namespace {
constexpr std::array<std::pair<RunState, QLatin1StringView>, 10> s_stateNames { {
    { RunState::PendingApproval, "pending_approval"_L1 },
    { RunState::Starting, "starting"_L1 },
    { RunState::Running, "running"_L1 },
    { RunState::Stopping, "stopping"_L1 },
    { RunState::Finished, "finished"_L1 },
    { RunState::Failed, "failed"_L1 },
    { RunState::Stopped, "stopped"_L1 },
    { RunState::TimedOut, "timed_out"_L1 },
    { RunState::Denied, "denied"_L1 },
    { RunState::Expired, "expired"_L1 },
} };

constexpr std::array<std::pair<Decision, QLatin1StringView>, 9> s_decisionNames { {
    { Decision::NotRequired, "not_required"_L1 },
    { Decision::Pending, "pending"_L1 },
    { Decision::Approved, "approved"_L1 },
    { Decision::ApprovedEdited, "approved_edited"_L1 },
    { Decision::ApprovedForSession, "approved_for_session"_L1 },
    { Decision::ApprovedByPolicy, "approved_by_policy"_L1 },
    { Decision::Denied, "denied"_L1 },
    { Decision::DeniedByPolicy, "denied_by_policy"_L1 },
    { Decision::Expired, "expired"_L1 },
} };
} // namespace

QString runStateName(RunState state)
{
    for (const auto &[value, name] : s_stateNames) {
        if (value == state)
            return QString(name);
    }
    return QString();
}

std::optional<RunState> runStateFromName(QStringView name)
{
    for (const auto &[value, text] : s_stateNames) {
        if (name == text)
            return value;
    }
    return std::nullopt;
}

bool isTerminal(RunState state)
{
    switch (state) {
    case RunState::Finished:
    case RunState::Failed:
    case RunState::Stopped:
    case RunState::TimedOut:
    case RunState::Denied:
    case RunState::Expired:
        return true;
    case RunState::PendingApproval:
    case RunState::Starting:
    case RunState::Running:
    case RunState::Stopping:
        break;
    }
    return false;
}

bool isActive(RunState state)
{
    return state == RunState::Starting || state == RunState::Running || state == RunState::Stopping;
}

QString runOriginName(RunOrigin origin)
{
    return origin == RunOrigin::Person ? u"person"_s : u"client"_s;
}

QString decisionName(Decision decision)
{
    for (const auto &[value, name] : s_decisionNames) {
        if (value == decision)
            return QString(name);
    }
    return QString();
}

std::optional<Decision> decisionFromName(QStringView name)
{
    for (const auto &[value, text] : s_decisionNames) {
        if (name == text)
            return value;
    }
    return std::nullopt;
}

QJsonObject ClientInfo::toJson() const
{
    QJsonObject object { { u"name"_s, name }, { u"version"_s, version } };
    if (!transport.isEmpty())
        object.insert(u"transport"_s, transport);
    if (!sessionId.isEmpty())
        object.insert(u"sessionId"_s, sessionId);
    return object;
}

ClientInfo ClientInfo::fromJson(const QJsonObject &object)
{
    ClientInfo info;
    info.name = object.value(u"name"_s).toString();
    info.version = object.value(u"version"_s).toString();
    info.transport = object.value(u"transport"_s).toString();
    info.sessionId = object.value(u"sessionId"_s).toString();
    return info;
}

QString ClientInfo::statelessOwner(QStringView transport)
{
    return u"stateless-"_s + (transport == u"http" ? u"http"_s : u"local"_s);
}

bool ClientInfo::isStatelessOwner(QStringView sessionId)
{
    return sessionId.startsWith(u"stateless-");
}

QString ClientInfo::displayName() const
{
    if (name.isEmpty())
        return u"unknown client"_s;
    if (version.isEmpty())
        return name;
    return name + u' ' + version;
}

QString riskLevelName(RiskLevel level)
{
    switch (level) {
    case RiskLevel::Low:
        return u"low"_s;
    case RiskLevel::Medium:
        return u"medium"_s;
    case RiskLevel::High:
        return u"high"_s;
    }
    return QString();
}

QString Diagnostic::severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return u"error"_s;
    case Severity::Warning:
        return u"warning"_s;
    case Severity::Note:
        return u"note"_s;
    }
    return QString();
}

QJsonObject Diagnostic::toJson() const
{
    QJsonObject object { { u"severity"_s, severityName(severity) }, { u"message"_s, message } };
    if (line > 0)
        object.insert(u"line"_s, line);
    if (column > 0)
        object.insert(u"column"_s, column);
    if (endColumn > 0)
        object.insert(u"endColumn"_s, endColumn);
    return object;
}

Diagnostic Diagnostic::fromJson(const QJsonObject &object)
{
    Diagnostic d;
    const QString severity = object.value(u"severity"_s).toString();
    if (severity == "warning"_L1)
        d.severity = Severity::Warning;
    else if (severity == "note"_L1)
        d.severity = Severity::Note;
    else
        d.severity = Severity::Error;
    d.line = object.value(u"line"_s).toInt();
    d.column = object.value(u"column"_s).toInt();
    d.endColumn = object.value(u"endColumn"_s).toInt();
    d.message = object.value(u"message"_s).toString();
    return d;
}
