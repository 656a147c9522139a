// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tool registry: the table tools/list shows, and dispatch of tools/call to the tool
// groups (McpProbeTools, McpRunTools).
#include "mcp/mcptools.h"

#include "engine/engine.h"
#include "engine/runmanager.h"
#include "mcp/mcplogging.h"
#include "mcp/mcpprobetools.h"
#include "mcp/mcpruntools.h"
#include "mcp/mcpschema.h"
#include "mcp/mcptargettools.h"

#include <algorithm>

using namespace Qt::StringLiterals;

McpTools::McpTools(Engine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_probeTools(new McpProbeTools(engine, this))
    , m_runTools(new McpRunTools(engine, this))
    , m_targetTools(new McpTargetTools(engine, this))
{ }

void McpTools::setLoadWaitMs(int ms)
{
    m_probeTools->setLoadWaitMs(ms);
}

const QList<McpTool> &McpTools::tools() const
{
    const RunLimits limits = m_engine->runs()->limits();
    const std::pair<int, int> advertised { limits.defaultClientTimeoutSeconds, limits.maxTimeoutSeconds };
    if (m_cachedLimits == advertised)
        return m_tools;
    m_cachedLimits = advertised;
    m_tools = m_probeTools->tools() + m_runTools->tools() + m_targetTools->tools();
    m_definitions = QJsonArray();
    for (const McpTool &tool : std::as_const(m_tools))
        m_definitions.append(tool.definition);
    ++m_revision;
    return m_tools;
}

QJsonArray McpTools::definitions() const
{
    tools();
    return m_definitions;
}

quint64 McpTools::revision() const
{
    tools();
    return m_revision;
}

bool McpTools::hasTool(const QString &name) const
{
    const QList<McpTool> &list = tools();
    return std::any_of(list.begin(), list.end(), [&name](const McpTool &t) { return t.name == name; });
}

void McpTools::call(const QString &name, const QJsonObject &arguments, const McpCallContext &context, Reply reply)
{
    for (const McpTool &tool : tools()) {
        if (tool.name != name)
            continue;
        const QString problem = McpSchema::checkArguments(tool.inputSchema(), arguments);
        if (!problem.isEmpty()) {
            qCDebug(lcMcpTools) << name << "bad arguments:" << problem;
            reply(McpTool::error(u"Invalid arguments for %1: %2."_s.arg(name, problem)));
            return;
        }
        // The table may be rebuilt while the handler runs (it can call back much later): keep a copy.
        const McpTool::Handler handler = tool.handler;
        handler(arguments, context, std::move(reply));
        return;
    }
    reply(McpTool::error(u"Unknown tool '%1'."_s.arg(name)));
}
