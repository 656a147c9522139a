// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/runmanager.h"

#include "engine/logging.h"
#include "engine/runcontroller.h"
#include "engine/runstore.h"
#include "engine/scriptanalyzer.h"
#include "engine/scriptcheck.h"
#include "engine/targets/targetregistry.h"

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

void RunManager::setStore(RunStore *store)
{
    m_store = store;
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
    // An analysis may land after the run ended (bpftrace's check is asynchronous): the saved
    // copy follows, from a fresh snapshot.
    connect(run, &Run::analysisChanged, this, [this, run] {
        if (isTerminal(run->state()) && !m_controllers.contains(run) && m_store)
            m_store->saveInBackground(run);
    });
    Q_EMIT runAdded(run);
}

void RunManager::setPersonRunAnalyzer(ScriptAnalyzer *analyzer)
{
    m_personAnalyzer = analyzer;
}

void RunManager::setTargets(TargetRegistry *targets)
{
    m_targets = targets;
}

Run *RunManager::startPersonRun(const QString &script, std::optional<int> timeoutSeconds, const QString &target)
{
    RunRequest request;
    request.script = script;
    request.timeoutSeconds = timeoutSeconds;
    request.target = target;
    auto *run = new Run(newRunId(), RunOrigin::Person, request, this);
    run->setAnalysis(ScriptAnalyzer::analyzeText(script));
    addRun(run);
    QString error;
    if (!checkScript(script, &error) || !validateTimeout(timeoutSeconds, &error)) {
        run->setFailed(error);
        return run;
    }
    launch(run);
    // Maps are what the AST adds for a run already decided: a script without any needs nothing.
    ScriptAnalyzer *analyzer = run->target().isEmpty() ? m_personAnalyzer.data()
                                                       : (m_targets ? m_targets->analyzer(run->target()) : nullptr);
    if (analyzer && script.contains(u'@') && !isTerminal(run->state())) {
        analyzer->analyze(script, run, [run, script](const ScriptAnalysis &analysis) {
            if (run->script() == script && analysis.fromAst)
                run->setAnalysis(analysis);
        });
    }
    return run;
}

Run *RunManager::submitClientRun(const RunRequest &request, QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return nullptr;
    };
    QString scriptError;
    if (!checkScript(request.script, &scriptError))
        return fail(scriptError);
    const std::optional<int> timeout = request.timeoutSeconds.value_or(m_limits.defaultClientTimeoutSeconds);
    QString timeoutError;
    if (!validateTimeout(timeout, &timeoutError))
        return fail(timeoutError);

    RunRequest accepted = request;
    accepted.timeoutSeconds = timeout;
    auto *run = new Run(newRunId(), RunOrigin::Client, accepted, this);
    run->setAnalysis(ScriptAnalyzer::analyzeText(request.script));
    addRun(run);
    Q_EMIT approvalRequested(run);
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
    LaunchCommand command;
    if (run->target().isEmpty()) {
        command = m_privilege.wrap(bpftraceArguments(run->script()));
    } else {
        // Only a target the person configured; the name was checked when the run was asked for,
        // and is checked again here in case the target was removed meanwhile.
        QString error;
        const QString name = m_targets ? m_targets->resolve(run->target(), &error) : QString();
        const std::optional<LaunchCommand> wrapped = name.isEmpty()
            ? std::nullopt
            : m_targets->transport(name).tryWrap(bpftraceArguments(run->script()), &error);
        if (!wrapped) {
            run->setFailed(error.isEmpty() ? u"No target named '%1' is configured."_s.arg(run->target()) : error);
            return;
        }
        command = *wrapped;
    }
    auto *controller = new RunController(run, command, m_limits, this);
    m_controllers.insert(run, controller);
    connect(controller, &RunController::finished, this, &RunManager::finishRun);
    controller->start();
}

void RunManager::finishRun(Run *run)
{
    RunController *controller = m_controllers.take(run);
    if (controller) {
        // A Kubernetes target leaves its debug pod behind; kubectl named it on stderr early on.
        if (!controller->command().podCleanup.isEmpty()) {
            QString stderrText;
            for (const OutputLine &line : run->lines(0, 20)) {
                if (line.stream == OutputLine::Stream::Stderr)
                    stderrText += line.text + u'\n';
            }
            TargetTransport::cleanUpPod(controller->command(), stderrText);
        }
        controller->deleteLater();
    }
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
        run->setDecision(Decision::Denied, u"person"_s, u"Withdrawn before a decision was made."_s);
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

RunAccess RunManager::clientAccess(const Run *run, const QString &sessionId) const
{
    if (!run || sessionId.isEmpty())
        return RunAccess::None;
    if (run->origin() == RunOrigin::Person)
        return m_personRunsReadable ? RunAccess::Read : RunAccess::None;
    return run->client().sessionId == sessionId ? RunAccess::Control : RunAccess::None;
}

void RunManager::setPersonRunsReadableByClients(bool readable)
{
    m_personRunsReadable = readable;
}

QList<Run *> RunManager::runs() const
{
    QList<Run *> newestFirst(m_runs.crbegin(), m_runs.crend());
    return newestFirst;
}

bool RunManager::removeRun(const QString &runId, QString *error)
{
    Run *run = m_byId.value(runId);
    if (!run) {
        if (error)
            *error = u"No run with id %1."_s.arg(runId);
        return false;
    }
    if (!isTerminal(run->state()) || m_controllers.contains(run)) {
        if (error)
            *error = u"Run %1 has not ended; stop it first."_s.arg(runId);
        return false;
    }
    if (m_store) {
        // A save still on its way would bring the file back after the removal.
        m_store->waitForPendingSaves();
        m_store->remove(runId);
    }
    m_byId.remove(runId);
    m_runs.removeAll(run);
    Q_EMIT runRemoved(run);
    run->deleteLater();
    return true;
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
