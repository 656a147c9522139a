// SPDX-License-Identifier: GPL-2.0-or-later
// The window's object graph; see desktopinstance.h.
#include "app/desktopinstance.h"

#include "app/unixsignals.h"
#include "mcp/mcpsocketserver.h"
#include "ui/mainwindow.h"

#include <QTimer>

#include <csignal>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {
void printError(const QString &line)
{
    const QByteArray bytes = (u"tracedesk: "_s + line + u'\n').toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}
} // namespace

DesktopInstance::DesktopInstance(const CommandLineOptions &options, const EngineConfig &engineConfig,
    const McpServerConfig &serverConfig, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_engineConfig(engineConfig)
    , m_serverConfig(serverConfig)
    , m_activator(serverConfig.socketPath)
{
    // The person at the window decides; the policies are for when nobody is there.
    m_engineConfig.approvalPolicy = ApprovalPolicy::Ask;
    connect(&m_activator, &InstanceActivator::finished, this, &DesktopInstance::onActivationFinished);
}

DesktopInstance::~DesktopInstance()
{
    // The handler points at the window, and the window and the endpoint at the engine.
    if (m_server)
        m_server->setActivationHandler({});
    m_window.reset();
    m_server.reset();
    m_engine.reset();
}

void DesktopInstance::start()
{
    if (m_options.approvalPolicy)
        printError(u"--approval-policy applies to --headless only; the window asks you"_s);
    m_signals = new UnixSignalWatcher({ SIGINT, SIGTERM, SIGHUP }, this);
    // A logout or `systemctl stop` must not wait for a question: the unsaved text goes to the
    // recovery file, offered back at the next start, and the app ends at once.
    connect(m_signals, &UnixSignalWatcher::signalReceived, this, [this] {
        if (m_window)
            m_window->writeRecoveryNow();
        Q_EMIT finished(0);
    });
    m_activator.start();
}

void DesktopInstance::onActivationFinished(InstanceActivator::Outcome outcome, const QString &message)
{
    switch (outcome) {
    case InstanceActivator::Outcome::Activated:
        printError(u"raised the window of the running instance"_s);
        Q_EMIT finished(0);
        return;
    case InstanceActivator::Outcome::Headless:
    case InstanceActivator::Outcome::Failed:
        printError(message);
        Q_EMIT finished(1);
        return;
    case InstanceActivator::Outcome::NoInstance:
        break;
    }
    build();
}

void DesktopInstance::build()
{
    m_engine = std::make_unique<Engine>(m_engineConfig);
    m_server = std::make_unique<McpServer>(m_engine.get(), m_serverConfig);
    // The window still works for the person; its endpoint panel shows the problem.
    if (!m_server->start())
        printError(u"the MCP endpoint did not start: "_s + m_server->errorString());
    m_engine->start();
    m_window = std::make_unique<MainWindow>(m_engine.get(), m_server.get());
    m_server->setActivationHandler([window = m_window.get()] { window->raiseAndActivate(); });
    m_window->show();
    Q_EMIT started();
}
