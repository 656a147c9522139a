// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tool that shows where programs can run (list_targets), and the `target` argument the
// probe and run tools share.
#pragma once

#include "mcp/mcptool.h"

#include <QList>
#include <QObject>

class Engine;

class McpTargetTools : public QObject
{
    Q_OBJECT
public:
    using Reply = McpTool::Reply;

    explicit McpTargetTools(Engine *engine, QObject *parent = nullptr);

    /// list_targets: every target the person configured, with kind, URI, health and bpftrace
    /// version. Read only: no tool adds, removes or changes a target.
    QList<McpTool> tools();

    /// The `target` input property: a configured target's name or URI; absent = this machine.
    static QJsonObject targetProperty();
    /// The configured target's name for args["target"] (the local one when absent). Empty with
    /// *error for a target the person did not configure: clients cannot name arbitrary hosts.
    static QString resolveTarget(const Engine *engine, const QJsonObject &args, QString *error);
    /// The `targets` input property of exec_program: target or group names, each once.
    static QJsonObject targetsProperty();
    /// The configured target names for args["targets"] (groups expanded, each once, in order) or
    /// args["target"]; the local one when neither is there. Empty with *error for a name no one
    /// configured, an empty or malformed list, or both arguments at once.
    static QStringList resolveTargets(const Engine *engine, const QJsonObject &args, QString *error);

private:
    void listTargets(const QJsonObject &args, const McpCallContext &context, Reply reply);

    Engine *m_engine;
};
