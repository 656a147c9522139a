// SPDX-License-Identifier: GPL-2.0-or-later
// MCP resources: the example library (tracedesk://examples/{name}) and finished runs
// (tracedesk://runs/{id}).
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

class Engine;

class McpResources
{
public:
    explicit McpResources(Engine *engine);
    /// resources/list entries: tracedesk://examples/{name} and tracedesk://runs/{id}.
    QJsonArray list() const;
    /// resources/templates/list entries.
    QJsonArray templates() const;
    /// resources/read result ({"contents": [...]}); nullopt when the URI names nothing (-32002).
    std::optional<QJsonObject> read(const QString &uri) const;
    /// completion/complete values for a template argument: at most 100, best first.
    QStringList complete(const QString &uriTemplate, const QString &argument, const QString &prefix) const;

private:
    Engine *m_engine;
};
