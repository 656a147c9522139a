// SPDX-License-Identifier: GPL-2.0-or-later
// MCP resources: the example library (tracedesk://examples/{name}) and finished runs
// (tracedesk://runs/{id}).
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

class Engine;

/// Runs are per client like in the run tools: `sessionId` (the MCP session asking) sees its
/// own finished runs and, when the person shares them, the person's (RunManager::clientAccess);
/// any other run is answered as if it did not exist.
class McpResources
{
public:
    explicit McpResources(Engine *engine);
    /// resources/list entries: tracedesk://examples/{name} and tracedesk://runs/{id}.
    QJsonArray list(const QString &sessionId) const;
    /// resources/templates/list entries.
    QJsonArray templates() const;
    /// resources/read result ({"contents": [...]}); nullopt when the URI names nothing the
    /// session may read (-32002).
    std::optional<QJsonObject> read(const QString &uri, const QString &sessionId) const;
    /// completion/complete values for a template argument: at most 100, best first.
    QStringList complete(
        const QString &uriTemplate, const QString &argument, const QString &prefix, const QString &sessionId) const;

private:
    Engine *m_engine;
};
