// SPDX-License-Identifier: GPL-2.0-or-later
// One MCP tool: its tools/list definition, its handler, and the CallToolResult shapes.
#include "mcp/mcptool.h"

#include "mcp/mcpschema.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

McpTool::McpTool(const QString &name, const QString &title, const QString &description, const QJsonObject &inputSchema,
    const QJsonObject &outputSchema, const QJsonObject &hints, Handler handler)
    : name(name)
    , handler(std::move(handler))
{
    QJsonObject ann = hints;
    ann.insert(u"title"_s, title);
    // SDK clients compile every outputSchema on every tools/list: each repeated part is written
    // once, and the content id lets a client that has compiled it before reuse that. The input
    // schema stays as written: it is small, and some clients pass it to models that do not
    // follow $ref.
    const QJsonObject advertised
        = McpSchema::withContentId(McpSchema::shareDefinitions(outputSchema), name + u".output"_s);
    definition = QJsonObject { { u"name"_s, name }, { u"title"_s, title }, { u"description"_s, description },
        { u"inputSchema"_s, inputSchema }, { u"outputSchema"_s, advertised }, { u"annotations"_s, ann } };
}

QJsonObject McpTool::inputSchema() const
{
    return definition.value(u"inputSchema"_s).toObject();
}

QJsonObject McpTool::error(const QString &message)
{
    return QJsonObject {
        { u"content"_s, QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, message } } } },
        { u"isError"_s, true },
    };
}

QJsonObject McpTool::result(const QJsonObject &structured)
{
    const QString text = QString::fromUtf8(QJsonDocument(structured).toJson(QJsonDocument::Compact));
    return QJsonObject {
        { u"content"_s, QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } },
        { u"structuredContent"_s, structured },
    };
}
