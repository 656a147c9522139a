// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tools that run programs: exec_program, get_result, stop_execution and list_executions.
#pragma once

#include "mcp/mcptool.h"

#include <QList>
#include <QObject>

class Engine;

class McpRunTools : public QObject
{
    Q_OBJECT
public:
    using Reply = McpTool::Reply;

    explicit McpRunTools(Engine *engine, QObject *parent = nullptr);

    /// The definitions and handlers of this group, in tools/list order. Built anew on each
    /// call (McpTools caches them); the handlers stay valid as long as this object.
    QList<McpTool> tools();

private:
    void execProgram(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void getResult(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void stopExecution(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void listExecutions(const QJsonObject &args, const McpCallContext &context, Reply reply);

    Engine *m_engine;
};
