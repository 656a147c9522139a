// SPDX-License-Identifier: GPL-2.0-or-later
#include "runmanager.h"

#include "approvalqueue.h"
#include "logging.h"
#include "runcontroller.h"
#include "runstore.h"
#include "scriptanalyzer.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

RunManager::RunManager(QObject *parent)
    : QObject(parent)
{ }

RunManager::~RunManager()
{
    // Kill every run still going first, then wait for them together: quitting with several runs
    // active takes as long as the slowest, not the sum.
    for (RunController *controller : std::as_const(m_controllers))
        controller->killForShutdown();
    const QDeadlineTimer deadline(3000);
    for (RunController *controller : std::as_const(m_controllers))
        controller->waitForExit(int(std::max<qint64>(0, deadline.remainingTime())));
    qDeleteAll(m_controllers);
    m_controllers.clear();
    // Background saves read our runs, which die with us.
    if (m_store)
        m_store->waitForPendingSaves();
}

void RunManager::setPrivilege(const Privilege &privilege)
{
    m_privilege = privilege;
}

void RunManager::setLimits(const RunLimits &limits)
{
    m_limits = limits;
}

void RunManager::setAnalyzer(ScriptAnalyzer *analyzer)
{
    m_analyzer = analyzer;
}

void RunManager::setStore(RunStore *store)
{
    m_store = store;
}

void RunManager::setApprovals(ApprovalQueue *approvals)
{
    m_approvals = approvals;
}

QStringList RunManager::bpftraceArguments(const QString &script)
{
    // The script goes as -e: what the person approved is exactly what runs, with no file in
    // between that another process could swap before the elevated bpftrace reads it, and it
    // crosses pkexec, sudo and flatpak-spawn without a shared file system.
    QStringList arguments { u"-f"_s, u"json"_s };
    if (ScriptAnalyzer::analyzeText(script).needsUnsafe)
        arguments << u"--unsafe"_s;
    arguments << u"-e"_s << script;
    return arguments;
}

RunController *RunManager::controller(const QString &runId) const
{
    return m_controllers.value(m_byId.value(runId));
}

QString RunManager::newRunId() const
{
    QString id;
    do {
        id = u"run-"_s
            + QString::number(QRandomGenerator::global()->generate64() & 0xffffffffffffull, 16)
                  .rightJustified(12, u'0');
    } while (m_byId.contains(id));
    return id;
}

bool RunManager::validateTimeout(std::optional<int> seconds, QString *error) const
{
    if (!seconds)
        return true;
    if (*seconds < 1 || *seconds > m_limits.maxTimeoutSeconds) {
        if (error)
            *error = u"The timeout must be between 1 and %1 seconds (got %2)."_s.arg(m_limits.maxTimeoutSeconds)
                         .arg(*seconds);
        return false;
    }
    return true;
}

void RunManager::addRun(Run *run)
{
    run->setParent(this);
    m_runs.append(run);
    m_byId.insert(run->id(), run);
    connect(run, &Run::stateChanged, this, [this, run](RunState state) {
        Q_EMIT runStateChanged(run, state);
        const int active = activeRunCount();
        if (active != m_lastActiveCount) {
            m_lastActiveCount = active;
            Q_EMIT activeRunCountChanged(active);
        }
        // Denied and expired requests never had a controller; save them here too.
        if (isTerminal(state) && !m_controllers.contains(run) && m_store)
            m_store->saveInBackground(run);
    });
    Q_EMIT runAdded(run);
}

Run *RunManager::startPersonRun(const QString &script, std::optional<int> timeoutSeconds)
{
    auto *run = new Run(newRunId(), RunOrigin::Person, this);
    run->m_script = script;
    run->m_originalScript = script;
    run->m_timeoutSeconds = timeoutSeconds;
    run->m_decidedBy = u"person"_s;
    run->m_analysis = ScriptAnalyzer::analyzeText(script);
    addRun(run);
    QString error;
    if (script.trimmed().isEmpty())
        error = u"The script is empty."_s;
    else if (script.toUtf8().size() > maxScriptBytes)
        error = u"The script is larger than %1 KiB."_s.arg(maxScriptBytes / 1024);
    else
        validateTimeout(timeoutSeconds, &error);
    if (!error.isEmpty()) {
        run->setFailed(error);
        return run;
    }
    launch(run);
    return run;
}

Run *RunManager::submitClientRun(const RunRequest &request, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return nullptr;
    };
    if (request.script.trimmed().isEmpty())
        return fail(u"The program is empty."_s);
    if (request.script.toUtf8().size() > maxScriptBytes)
        return fail(u"The program is larger than %1 KiB."_s.arg(maxScriptBytes / 1024));
    const std::optional<int> timeout = request.timeoutSeconds.value_or(m_limits.defaultClientTimeoutSeconds);
    QString timeoutError;
    if (!validateTimeout(timeout, &timeoutError))
        return fail(timeoutError);

    auto *run = new Run(newRunId(), RunOrigin::Client, this);
    run->m_script = request.script;
    run->m_originalScript = request.script;
    run->m_reason = request.reason;
    run->m_client = request.client;
    run->m_timeoutSeconds = timeout;
    run->m_analysis = ScriptAnalyzer::analyzeText(request.script);
    addRun(run);
    if (m_approvals)
        m_approvals->enqueue(run);
    return run;
}

void RunManager::launchApproved(Run *run)
{
    if (!run || run->state() != RunState::PendingApproval)
        return;
    launch(run);
}

void RunManager::launch(Run *run)
{
    if (activeRunCount() >= m_limits.maxConcurrentRuns) {
        run->setFailed(u"Too many runs: %1 of %1 allowed are active. Stop one or raise the limit."_s.arg(
            m_limits.maxConcurrentRuns));
        return;
    }
    if (m_privilege.mode() != PrivilegeMode::Direct) {
        const QString problem = m_privilege.problem();
        if (!problem.isEmpty()) {
            run->setFailed(problem);
            return;
        }
    }
    const LaunchCommand command = m_privilege.wrap(bpftraceArguments(run->script()));
    auto *controller = new RunController(run, command, m_limits, this);
    m_controllers.insert(run, controller);
    connect(controller, &RunController::finished, this, &RunManager::finishRun);
    controller->start();
}

void RunManager::finishRun(Run *run)
{
    RunController *controller = m_controllers.take(run);
    if (controller)
        controller->deleteLater();
    // Serialising a 100,000-line run takes a while: never on the window's thread.
    if (m_store)
        m_store->saveInBackground(run);
    const int active = activeRunCount();
    if (active != m_lastActiveCount) {
        m_lastActiveCount = active;
        Q_EMIT activeRunCountChanged(active);
    }
}

bool RunManager::stop(const QString &runId, QString *error)
{
    Run *run = m_byId.value(runId);
    if (!run) {
        if (error)
            *error = u"No run with id %1."_s.arg(runId);
        return false;
    }
    if (run->state() == RunState::PendingApproval) {
        if (m_approvals)
            return m_approvals->deny(runId, u"Withdrawn before a decision was made."_s, error);
        run->m_decision = Decision::Denied;
        run->m_decidedAt = QDateTime::currentDateTimeUtc();
        run->setState(RunState::Denied);
        return true;
    }
    RunController *controller = m_controllers.value(run);
    if (!controller || !isActive(run->state())) {
        if (error)
            *error = u"Run %1 has already ended (%2)."_s.arg(runId, runStateName(run->state()));
        return false;
    }
    controller->stop(RunState::Stopped);
    return true;
}

Run *RunManager::run(const QString &runId) const
{
    return m_byId.value(runId);
}

QList<Run *> RunManager::runs() const
{
    QList<Run *> newestFirst(m_runs.crbegin(), m_runs.crend());
    return newestFirst;
}

int RunManager::activeRunCount() const
{
    int count = 0;
    for (const Run *run : m_runs)
        count += isActive(run->state()) ? 1 : 0;
    return count;
}

void RunManager::adoptHistory(const QList<Run *> &runs)
{
    // History is older than anything started in this session: it goes in front.
    QList<Run *> adopted;
    for (Run *run : runs) {
        if (!run || m_byId.contains(run->id()))
            continue;
        run->setParent(this);
        m_byId.insert(run->id(), run);
        adopted.append(run);
    }
    m_runs = adopted + m_runs;
    for (Run *run : std::as_const(adopted))
        Q_EMIT runAdded(run);
}
