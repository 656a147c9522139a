// SPDX-License-Identifier: GPL-2.0-or-later
// The production handlers: tools, resources and prompts over the Engine. Kept apart from
// mcpserver.cpp so that code serving other handlers (tests, benchmarks) does not link the engine.
#include "engine/engine.h"
#include "mcp/mcphandlers.h"
#include "mcp/mcpprompts.h"
#include "mcp/mcpresources.h"
#include "mcp/mcpserver.h"
#include "mcp/mcptools.h"

namespace {

class McpEngineHandlers : public McpHandlers
{
public:
    explicit McpEngineHandlers(Engine *engine)
        : m_tools(new McpTools(engine, this))
        , m_resources(engine)
        , m_prompts(engine)
    {
        // Finished runs become resources (tracedesk://runs/{id}): tell the clients.
        connect(engine->runs(), &RunManager::runStateChanged, this, [this](Run *, RunState state) {
            if (isTerminal(state))
                Q_EMIT resourceListChanged();
        });
    }

    QJsonArray toolDefinitions() const override { return m_tools->definitions(); }
    std::optional<quint64> toolDefinitionsRevision() const override { return m_tools->revision(); }
    bool hasTool(const QString &name) const override { return m_tools->hasTool(name); }
    void callTool(
        const QString &name, const QJsonObject &arguments, const McpCallContext &context, ToolReply reply) override
    {
        m_tools->call(name, arguments, context, std::move(reply));
    }
    QJsonArray resources(const QString &sessionId) const override { return m_resources.list(sessionId); }
    QJsonArray resourceTemplates() const override { return m_resources.templates(); }
    std::optional<QJsonObject> readResource(const QString &uri, const QString &sessionId) const override
    {
        return m_resources.read(uri, sessionId);
    }
    QJsonArray prompts() const override { return m_prompts.list(); }
    std::optional<QJsonObject> getPrompt(
        const QString &name, const QJsonObject &arguments, QString *error) const override
    {
        return m_prompts.get(name, arguments, error);
    }
    QStringList completeResource(const QString &uriTemplate, const QString &argument, const QString &prefix,
        const QString &sessionId) const override
    {
        return m_resources.complete(uriTemplate, argument, prefix, sessionId);
    }
    QStringList completePrompt(const QString &prompt, const QString &argument, const QString &prefix) const override
    {
        return m_prompts.complete(prompt, argument, prefix);
    }

private:
    McpTools *m_tools;
    McpResources m_resources;
    McpPrompts m_prompts;
};

} // namespace

McpServer::McpServer(Engine *engine, const McpServerConfig &config, QObject *parent)
    : McpServer(std::make_unique<McpEngineHandlers>(engine), config, parent)
{ }
