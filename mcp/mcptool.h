// SPDX-License-Identifier: GPL-2.0-or-later
// One MCP tool: its tools/list definition, its handler, and the CallToolResult shapes.
#pragma once

#include "mcp/mcpcallcontext.h"

#include <QJsonObject>
#include <QString>

#include <functional>

struct McpTool
{
    using Reply = std::function<void(const QJsonObject &callToolResult)>;
    /// Answers one call with arguments already checked against the input schema. Calls `reply`
    /// exactly once, possibly later, on the thread of the object that defined the tool.
    using Handler = std::function<void(const QJsonObject &arguments, const McpCallContext &context, Reply reply)>;

    /// `hints` are the annotations without the title, which is added from `title`.
    McpTool(const QString &name, const QString &title, const QString &description, const QJsonObject &inputSchema,
        const QJsonObject &outputSchema, const QJsonObject &hints, Handler handler);

    /// The inputSchema of the definition: what tools/list advertises is what validates a call.
    QJsonObject inputSchema() const;

    /// A successful CallToolResult: structuredContent, and the same JSON as text for clients
    /// that only read content blocks.
    static QJsonObject result(const QJsonObject &structured);
    /// A failed CallToolResult (isError) whose text tells the client what to fix.
    static QJsonObject error(const QString &message);

    QString name;
    /// As tools/list shows it: name, title, description, inputSchema, outputSchema, annotations.
    QJsonObject definition;
    Handler handler;
};
