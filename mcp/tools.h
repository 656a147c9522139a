// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tools: the names are the contract (issue 4).
#pragma once

#include "mcpcontext.h"

#include <QJsonArray>
#include <QObject>

class Engine;

class McpTools : public QObject
{
    Q_OBJECT
public:
    using Reply = std::function<void(const QJsonObject &callToolResult)>;

    explicit McpTools(Engine *engine, QObject *parent = nullptr);

    /// Tool definitions for tools/list: name, title, description, inputSchema, outputSchema,
    /// annotations. In a stable order.
    QJsonArray definitions() const;
    bool hasTool(const QString &name) const;

    /// Runs a tool. Bad arguments answer a CallToolResult with isError and a message that says
    /// what to fix (not a protocol error). `reply` is called exactly once, possibly later
    /// (get_result long-polls), on the GUI thread. The caller checks hasTool() first.
    void call(const QString &name, const QJsonObject &arguments, const McpCallContext &context, Reply reply);

private:
    Engine *m_engine;
};
