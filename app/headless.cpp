// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/headless.h"

#include "app/terminalapprover.h"
#include "app/unixsignals.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHeadless, "tracedesk.app.headless", QtInfoMsg)

HeadlessInstance::HeadlessInstance(const CommandLineOptions &options, const EngineConfig &engineConfig,
    const McpServerConfig &serverConfig, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    EngineConfig config = engineConfig;
    config.approvalPolicy = headlessApprovalPolicy(options, isatty(STDIN_FILENO) == 1);
    m_engine = std::make_unique<Engine>(config);
    m_server = std::make_unique<McpServer>(m_engine.get(), serverConfig);
    m_shutdownTimer.setSingleShot(true);
    connect(&m_shutdownTimer, &QTimer::timeout, this, &HeadlessInstance::finishShutdown);
}

HeadlessInstance::~HeadlessInstance()
{
    // The server refers to the engine: it goes first.
    m_server.reset();
    m_engine.reset();
}

void HeadlessInstance::print(const QString &line)
{
    const QByteArray bytes = (line + u'\n').toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

bool HeadlessInstance::start(QString *error)
{
    if (!m_server->start()) {
        *error = m_server->errorString();
        return false;
    }
    m_engine->start();

    m_signals = new UnixSignalWatcher({ SIGINT, SIGTERM, SIGHUP }, this);
    connect(m_signals, &UnixSignalWatcher::signalReceived, this, [this](int signalNumber) {
        qCInfo(lcHeadless) << "signal" << signalNumber << "- shutting down";
        shutdown();
    });

    const ApprovalPolicy policy = m_engine->approvals()->policy();
    print(u"TraceDesk %1 headless (MCP only, no window)"_s.arg(QLatin1StringView(TRACEDESK_VERSION_STRING)));
    QString privilegeLine = u"privilege: "_s + m_engine->privilege().description();
    if (!m_engine->privilege().problem().isEmpty())
        privilegeLine += u" - problem: "_s + m_engine->privilege().problem();
    print(privilegeLine);
    switch (policy) {
    case ApprovalPolicy::Ask:
        print(u"approval policy: ask at this terminal (requests expire after %1 s)"_s.arg(
            m_engine->approvals()->expirySeconds()));
        break;
    case ApprovalPolicy::Deny:
        print(u"approval policy: deny (every client request is refused; start with --approval-policy or at a "
              "terminal to decide)"_s);
        break;
    case ApprovalPolicy::AllowLowRisk:
        print(u"approval policy: allow-low-risk (low-risk requests run without asking, the rest are denied)"_s);
        break;
    case ApprovalPolicy::AllowAll:
        print(u"approval policy: allow-all (every client request runs without asking)"_s);
        break;
    }
    print(u"socket: "_s + m_server->socketPath());
    if (m_server->httpListening()) {
        QString http = u"http: "_s + m_server->httpUrl();
        if (m_server->token().isEmpty())
            http += u" (no authentication: --http-insecure-no-auth)"_s;
        else if (m_options.printToken)
            http += u" (header: Authorization: Bearer %1)"_s.arg(m_server->token());
        else
            http += u" (bearer token in %1; --print-token shows it)"_s.arg(m_server->config().tokenPath);
        print(http);
    } else {
        print(u"http: off"_s);
    }
    print(u"stop with Ctrl+C (SIGINT) or SIGTERM"_s);

    if (policy == ApprovalPolicy::Ask) {
        m_approver = new TerminalApprover(m_engine->approvals(), STDIN_FILENO, STDOUT_FILENO, this);
        connect(m_approver, &TerminalApprover::inputClosed, this, [this] {
            // Nobody is left to decide: requests from now on are refused rather than left hanging.
            m_engine->approvals()->setPolicy(ApprovalPolicy::Deny);
            print(u"terminal closed: following the deny policy from now on"_s);
        });
        m_approver->start();
    }
    return true;
}

void HeadlessInstance::shutdown()
{
    if (m_finished)
        return;
    if (m_stopping) {
        // A second Ctrl+C: do not wait any longer for bpftrace to print its maps.
        finishShutdown();
        return;
    }
    m_stopping = true;
    print(u"shutting down: stopping runs (their maps are kept), closing the endpoint"_s);
    // No new clients while the runs wind down; closing also removes the socket file.
    m_server.reset();
    RunManager *runs = m_engine->runs();
    const QList<Run *> all = runs->runs();
    for (Run *run : all) {
        if (isActive(run->state()) || run->state() == RunState::PendingApproval)
            runs->stop(run->id());
    }
    if (runs->activeRunCount() == 0) {
        finishShutdown();
        return;
    }
    connect(runs, &RunManager::activeRunCountChanged, this, [this](int count) {
        if (count == 0)
            finishShutdown();
    });
    // SIGINT grace + SIGTERM grace + a margin: after that RunController has already killed.
    const RunLimits limits = runs->limits();
    m_shutdownTimer.start(limits.sigintGraceMs + limits.sigtermGraceMs + 2000);
}

void HeadlessInstance::finishShutdown()
{
    if (m_finished)
        return;
    m_finished = true;
    m_shutdownTimer.stop();
    Q_EMIT finished(0);
}
