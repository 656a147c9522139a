// SPDX-License-Identifier: GPL-2.0-or-later
// `tracedesk` with a window: the engine, the MCP endpoint and the main window, built in that
// order once no other instance answers on the socket, and torn down in reverse.
#pragma once

#include "app/commandline.h"
#include "app/singleinstance.h"
#include "engine/engine.h"
#include "mcp/mcpserver.h"

#include <QObject>

#include <memory>

class MainWindow;
class UnixSignalWatcher;

/// The window's counterpart of HeadlessInstance. Approvals are always asked in the window
/// (ApprovalPolicy::Ask), whatever the configuration says. Needs a QApplication.
class DesktopInstance : public QObject
{
    Q_OBJECT
public:
    DesktopInstance(const CommandLineOptions &options, const EngineConfig &engineConfig,
        const McpServerConfig &serverConfig, QObject *parent = nullptr);
    /// Clears the endpoint's activation handler, then destroys window, endpoint and engine.
    ~DesktopInstance() override;

    /// Asynchronous. First asks an instance already on the socket to raise its window; if that
    /// worked, or something there cannot be reached sensibly, finished() follows with the exit
    /// code and nothing is built. Otherwise builds the engine, the endpoint (a failure to listen
    /// is printed and shown in the endpoint panel, the window still opens) and the window, shows
    /// it and emits started(). From the call on, SIGINT, SIGTERM and SIGHUP emit finished(0).
    void start();

    /// The timeout for asking the running instance (InstanceActivator's default otherwise).
    void setActivationTimeoutMs(int ms) { m_activator.setTimeoutMs(ms); }

    /// Null before started().
    Engine *engine() const { return m_engine.get(); }
    McpServer *server() const { return m_server.get(); }
    MainWindow *window() const { return m_window.get(); }

Q_SIGNALS:
    void started();
    void finished(int exitCode);

private:
    void onActivationFinished(InstanceActivator::Outcome outcome, const QString &message);
    void build();

    CommandLineOptions m_options;
    EngineConfig m_engineConfig;
    McpServerConfig m_serverConfig;
    InstanceActivator m_activator;
    // Declared in the order they are built: each refers only to those above it.
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<McpServer> m_server;
    std::unique_ptr<MainWindow> m_window;
    UnixSignalWatcher *m_signals = nullptr;
};
