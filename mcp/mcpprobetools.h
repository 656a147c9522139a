// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tools that look without running anything: list_probes, describe_probe, bpf_info,
// list_helpers and validate_program (which asks bpftrace to compile a program, never to run it).
#pragma once

#include "mcp/mcptool.h"

#include <QList>
#include <QObject>

class Engine;

class McpProbeTools : public QObject
{
    Q_OBJECT
public:
    using Reply = McpTool::Reply;

    explicit McpProbeTools(Engine *engine, QObject *parent = nullptr);

    /// The definitions and handlers of this group, in tools/list order. Built anew on each
    /// call (McpTools caches them); the handlers stay valid as long as this object.
    QList<McpTool> tools();
    /// How long list_probes, bpf_info and list_helpers wait for the catalog or the capabilities
    /// to finish loading before answering that they are still loading (default 10 s).
    void setLoadWaitMs(int ms) { m_loadWaitMs = ms; }

private:
    void listProbes(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void describeProbe(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void bpfInfo(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void listHelpers(const QJsonObject &args, const McpCallContext &context, Reply reply);
    void validateProgram(const QJsonObject &args, const McpCallContext &context, Reply reply);

    Engine *m_engine;
    int m_loadWaitMs = 10000;
};
