// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tool registry: the table tools/list shows, and dispatch of tools/call to the tool
// groups (McpProbeTools, McpRunTools). The names are the contract (issue 4).
#pragma once

#include "mcp/mcpcallcontext.h"
#include "mcp/mcptool.h"

#include <QJsonArray>
#include <QList>
#include <QObject>

#include <optional>
#include <utility>

class Engine;
class McpProbeTools;
class McpRunTools;
class McpTargetTools;

class McpTools : public QObject
{
    Q_OBJECT
public:
    using Reply = McpTool::Reply;

    explicit McpTools(Engine *engine, QObject *parent = nullptr);

    /// Tool definitions for tools/list: name, title, description, inputSchema, outputSchema,
    /// annotations. In a stable order.
    QJsonArray definitions() const;
    /// Changes whenever definitions() does (the run limits the descriptions quote changed), so
    /// what was serialized from them can be kept until then.
    quint64 revision() const;
    bool hasTool(const QString &name) const;

    /// Runs a tool. Arguments are checked against the inputSchema that definitions() advertises;
    /// bad ones answer a CallToolResult with isError and a message that says what to fix (not a
    /// protocol error). `reply` is called exactly once, possibly later (get_result long-polls),
    /// on the GUI thread. The caller checks hasTool() first.
    void call(const QString &name, const QJsonObject &arguments, const McpCallContext &context, Reply reply);

    /// How long list_probes, bpf_info and list_helpers wait for the catalog or the capabilities
    /// to finish loading before answering that they are still loading (default 10 s).
    void setLoadWaitMs(int ms);

private:
    /// The tool table, rebuilt only when the run limits it advertises change (tools/list and
    /// every call read it, so it must be cheap).
    const QList<McpTool> &tools() const;

    Engine *m_engine;
    McpProbeTools *m_probeTools;
    McpRunTools *m_runTools;
    McpTargetTools *m_targetTools;
    /// The default and maximum client timeouts the cached table was built for.
    mutable std::optional<std::pair<int, int>> m_cachedLimits;
    mutable QList<McpTool> m_tools;
    mutable QJsonArray m_definitions;
    mutable quint64 m_revision = 0;
};
