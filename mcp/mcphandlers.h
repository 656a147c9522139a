// SPDX-License-Identifier: GPL-2.0-or-later
// What the dispatcher serves: tools, resources, prompts and completions. The production
// implementation (mcpenginehandlers.cpp) forwards to McpTools, McpResources and McpPrompts over the
// Engine; tests substitute their own to drive the protocol without bpftrace.
#pragma once

#include "mcp/mcpcallcontext.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <optional>

class McpHandlers : public QObject
{
    Q_OBJECT
public:
    using ToolReply = std::function<void(const QJsonObject &callToolResult)>;

    using QObject::QObject;
    ~McpHandlers() override;

    /// Tool definitions in a stable order.
    virtual QJsonArray toolDefinitions() const = 0;
    /// A number that changes whenever toolDefinitions() would answer something else, so the
    /// dispatcher may keep its serialized tools/list answers; nullopt (the default) when the
    /// handlers cannot tell, and every tools/list is built anew.
    virtual std::optional<quint64> toolDefinitionsRevision() const { return std::nullopt; }
    virtual bool hasTool(const QString &name) const = 0;
    /// Calls `reply` exactly once, possibly later, on this object's thread.
    virtual void callTool(
        const QString &name, const QJsonObject &arguments, const McpCallContext &context, ToolReply reply)
        = 0;

    /// Resources for the session `sessionId` (server-made, never chosen by the client): each
    /// client sees only its own runs.
    virtual QJsonArray resources(const QString &sessionId) const
    {
        Q_UNUSED(sessionId);
        return {};
    }
    virtual QJsonArray resourceTemplates() const { return {}; }
    /// nullopt when the URI names nothing the session may read (answered with -32002).
    virtual std::optional<QJsonObject> readResource(const QString &uri, const QString &sessionId) const
    {
        Q_UNUSED(uri);
        Q_UNUSED(sessionId);
        return std::nullopt;
    }
    virtual QJsonArray prompts() const { return {}; }
    /// nullopt with *error when the prompt is unknown or an argument is missing (-32602).
    virtual std::optional<QJsonObject> getPrompt(
        const QString &name, const QJsonObject &arguments, QString *error) const
    {
        Q_UNUSED(arguments);
        *error = QStringLiteral("Unknown prompt: %1").arg(name);
        return std::nullopt;
    }
    /// completion/complete values for a resource template argument, for the session `sessionId`.
    virtual QStringList completeResource(
        const QString &uriTemplate, const QString &argument, const QString &prefix, const QString &sessionId) const
    {
        Q_UNUSED(uriTemplate);
        Q_UNUSED(argument);
        Q_UNUSED(prefix);
        Q_UNUSED(sessionId);
        return {};
    }
    /// completion/complete values for a prompt argument.
    virtual QStringList completePrompt(const QString &prompt, const QString &argument, const QString &prefix) const
    {
        Q_UNUSED(prompt);
        Q_UNUSED(argument);
        Q_UNUSED(prefix);
        return {};
    }

Q_SIGNALS:
    /// The resource list changed (a run finished, so tracedesk://runs/{id} appeared).
    void resourceListChanged();
};
