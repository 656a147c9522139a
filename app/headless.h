// SPDX-License-Identifier: GPL-2.0-or-later
// `tracedesk --headless`: the engine and the MCP endpoint with no window. Approvals come from the
// terminal (when stdin is one) or from the --approval-policy.
#pragma once

#include "app/commandline.h"
#include "engine/engine.h"
#include "mcp/mcpserver.h"

#include <QObject>
#include <QTimer>

#include <memory>

class TerminalApprover;
class UnixSignalWatcher;

class HeadlessInstance : public QObject
{
    Q_OBJECT
public:
    HeadlessInstance(const CommandLineOptions &options, const EngineConfig &engineConfig,
        const McpServerConfig &serverConfig, QObject *parent = nullptr);
    ~HeadlessInstance() override;

    /// Starts the engine and the endpoint and prints the start-up lines. False with a message for
    /// stderr when the endpoint cannot start (another instance on the socket, port taken, ...).
    bool start(QString *error);

    /// Stops every active run (SIGINT, so maps arrive), denies pending requests, closes the
    /// endpoint (removing the socket) and emits finished() once the runs ended or a bounded
    /// wait ran out. A second call while stopping gives up waiting.
    void shutdown();

    Engine *engine() const { return m_engine.get(); }
    McpServer *server() const { return m_server.get(); }

Q_SIGNALS:
    void finished(int exitCode);

private:
    void print(const QString &line);
    void finishShutdown();

    CommandLineOptions m_options;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<McpServer> m_server;
    TerminalApprover *m_approver = nullptr;
    UnixSignalWatcher *m_signals = nullptr;
    QTimer m_shutdownTimer;
    bool m_stopping = false;
    bool m_finished = false;
};
