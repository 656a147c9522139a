// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/engine.h"

#include "engine/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace {
QString defaultHelperPath()
{
    // A build tree or a relocated install keeps the helper next to the executable; otherwise the
    // configured libexec directory.
    const QString appDir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    if (!appDir.isEmpty()) {
        const QString beside = appDir + u"/tracedesk-helper"_s;
        if (QFileInfo(beside).isExecutable())
            return beside;
    }
#ifdef TRACEDESK_LIBEXECDIR
    return QStringLiteral(TRACEDESK_LIBEXECDIR) + u"/tracedesk-helper"_s;
#else
    return u"/usr/libexec/tracedesk-helper"_s;
#endif
}

// $XDG_STATE_HOME/tracedesk and $XDG_CACHE_HOME/tracedesk, whatever the organisation and
// application names are (the app-specific locations would nest them: tracedesk/tracedesk).
QString appLocation(QStandardPaths::StandardLocation genericLocation, const QString &fallbackSubdir)
{
    QString dir = QStandardPaths::writableLocation(genericLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + fallbackSubdir;
    return dir + u"/tracedesk"_s;
}

EngineConfig resolved(EngineConfig config)
{
    if (config.helperPath.isEmpty())
        config.helperPath = defaultHelperPath();
    if (config.stateDirectory.isEmpty())
        config.stateDirectory = appLocation(QStandardPaths::GenericStateLocation, u"/.local/state"_s);
    if (config.cacheDirectory.isEmpty())
        config.cacheDirectory = appLocation(QStandardPaths::GenericCacheLocation, u"/.cache"_s);
    return config;
}
} // namespace

Engine::Engine(const EngineConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(resolved(config))
    , m_privilege(m_config.privilege, Privilege::Environment::detect(m_config.bpftracePath, m_config.helperPath))
    , m_store(std::make_unique<RunStore>(m_config.stateDirectory + u"/runs"_s, m_config.historyMaxBytes))
    , m_audit(std::make_unique<AuditLog>(m_config.stateDirectory + u"/audit.jsonl"_s))
    , m_analyzer(new ScriptAnalyzer(this))
    , m_runs(new RunManager(this))
    , m_approvals(new ApprovalQueue(m_audit.get(), this))
    , m_catalog(new ProbeCatalog(this))
    , m_capabilities(new Capabilities(this))
    , m_targets(new TargetRegistry(this))
{
    qCInfo(lcEngine) << "privilege:" << m_privilege.description();
    const QString problem = m_privilege.problem();
    if (!problem.isEmpty())
        qCWarning(lcEngine) << problem;

    m_analyzer->setBpftraceCommand(m_privilege.wrapQuery({}));
    m_runs->setPrivilege(m_privilege);
    m_runs->setPersonRunAnalyzer(m_analyzer);
    m_runs->setLimits(m_config.limits);
    m_runs->setStore(m_store.get());
    m_runs->setPersonRunsReadableByClients(m_config.clientsReadPersonRuns);
    m_approvals->setAnalyzer(m_analyzer);
    connectApprovals(m_runs, m_approvals);
    m_approvals->setExpirySeconds(m_config.approvalTimeoutSeconds);
    m_approvals->setPolicy(m_config.approvalPolicy);
    m_catalog->setPrivilege(m_privilege);
    m_catalog->setCacheDirectory(m_config.cacheDirectory);
    m_capabilities->setPrivilege(m_privilege);

    m_targets->setLocal(m_privilege, m_catalog, m_capabilities, m_analyzer);
    m_targets->setOptions(m_config.targetOptions);
    m_targets->setCacheDirectory(m_config.cacheDirectory);
    for (const Target &target : std::as_const(m_config.targets)) {
        QString error;
        if (!m_targets->addTarget(target, &error))
            qCWarning(lcEngine) << "target:" << error;
    }
    for (auto it = m_config.targetGroups.cbegin(); it != m_config.targetGroups.cend(); ++it) {
        QString error;
        if (!m_targets->setGroup(it.key(), it.value(), &error))
            qCWarning(lcEngine) << "target group" << it.key() << error;
    }
    m_runs->setTargets(m_targets);
    m_approvals->setTargets(m_targets);
}

Engine::~Engine()
{
    // Runs end (their processes killed) before the store and audit log they write to go away.
    delete m_approvals;
    m_approvals = nullptr;
    delete m_runs;
    m_runs = nullptr;
}

void Engine::connectApprovals(RunManager *runs, ApprovalQueue *approvals)
{
    connect(runs, &RunManager::approvalRequested, approvals, &ApprovalQueue::enqueue);
    connect(approvals, &ApprovalQueue::approved, runs, &RunManager::launchApproved);
}

void Engine::start()
{
    if (m_config.loadHistory) {
        QList<Run *> history;
        const QList<QJsonObject> stored = m_store->loadAll();
        for (const QJsonObject &object : stored) {
            if (Run *run = Run::fromJson(object))
                history.append(run);
        }
        if (!m_store->errorString().isEmpty())
            qCWarning(lcEngine) << "history:" << m_store->errorString();
        m_runs->adoptHistory(history);
        qCInfo(lcEngine) << "reloaded" << history.size() << "runs from" << m_store->directory();
    }
    m_catalog->load();
    m_capabilities->refresh();
    // Each remote target's health once at start: the window and list_targets show it at once.
    for (const QString &name : m_targets->names()) {
        if (name != Target::LocalName)
            m_targets->checkHealth(name);
    }
}

void Engine::setLimits(const RunLimits &limits)
{
    m_config.limits = limits;
    m_runs->setLimits(limits);
}

void Engine::applySettings(const EngineConfig &config)
{
    setLimits(config.limits);
    setApprovalTimeoutSeconds(config.approvalTimeoutSeconds);
    m_config.clientsReadPersonRuns = config.clientsReadPersonRuns;
    m_runs->setPersonRunsReadableByClients(config.clientsReadPersonRuns);
}

void Engine::setApprovalTimeoutSeconds(int seconds)
{
    m_config.approvalTimeoutSeconds = seconds;
    m_approvals->setExpirySeconds(seconds);
}
