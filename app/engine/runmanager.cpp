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
#include <QScopedValueRollback>

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
    if (RunController *controller = m_controllers.value(m_byId.value(runId)))
        return controller;
    // A fleet's host run: "run-.../target".
    for (auto it = m_controllers.cbegin(); it != m_controllers.cend(); ++it) {
        if (it.key()->id() == runId)
            return it.value();
    }
    return nullptr;
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
    if (run->isFleet())
        adoptHostRuns(run);
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
    return startPersonRun(script, timeoutSeconds, target.isEmpty() ? QStringList() : QStringList { target });
}

Run *RunManager::startPersonRun(const QString &script, std::optional<int> timeoutSeconds, const QStringList &targets)
{
    RunRequest request;
    request.script = script;
    request.timeoutSeconds = timeoutSeconds;
    request.targets = targets;
    QString targetError;
    const bool targetsKnown = resolveTargets(request, &targetError);
    auto *run = new Run(newRunId(), RunOrigin::Person, request, this);
    run->setAnalysis(ScriptAnalyzer::analyzeText(script));
    if (request.targets.size() > 1)
        run->setFleetTargets(request.targets);
    addRun(run);
    QString error = targetError;
    if (!targetsKnown || !checkScript(script, &error) || !validateTimeout(timeoutSeconds, &error)) {
        run->setFailed(error);
        return run;
    }
    launch(run);
    // Maps are what the AST adds for a run already decided: a script without any needs nothing.
    // Each target's own bpftrace judges its run (kernels and versions differ).
    if (!script.contains(u'@') || isTerminal(run->state()))
        return run;
    if (run->isFleet()) {
        for (Run *host : run->hostRuns())
            analysePersonRun(host, m_targets ? m_targets->analyzer(host->target()) : nullptr);
    } else {
        analysePersonRun(run,
            run->target().isEmpty() ? m_personAnalyzer.data()
                                    : (m_targets ? m_targets->analyzer(run->target()) : nullptr));
    }
    return run;
}

void RunManager::analysePersonRun(Run *run, ScriptAnalyzer *analyzer)
{
    if (!analyzer)
        return;
    const QString script = run->script();
    analyzer->analyze(script, run, [run, script](const ScriptAnalysis &analysis) {
        if (run->script() == script && analysis.fromAst)
            run->setAnalysis(analysis);
    });
}

bool RunManager::resolveTargets(RunRequest &request, QString *error) const
{
    if (request.targets.isEmpty())
        return true;
    if (!m_targets) {
        if (error)
            *error = u"No targets are configured: this TraceDesk runs programs on this machine only."_s;
        return false;
    }
    const QStringList names = m_targets->resolveList(request.targets, error);
    if (names.isEmpty())
        return false;
    if (names.size() == 1) {
        request.target = names.constFirst() == Target::LocalName ? QString() : names.constFirst();
        request.targets.clear();
    } else {
        request.target.clear();
        request.targets = names;
    }
    return true;
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
    QString targetError;
    if (!resolveTargets(accepted, &targetError))
        return fail(targetError);
    auto *run = new Run(newRunId(), RunOrigin::Client, accepted, this);
    run->setAnalysis(ScriptAnalyzer::analyzeText(request.script));
    if (accepted.targets.size() > 1)
        run->setFleetTargets(accepted.targets);
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
    if (run->isFleet()) {
        launchFleet(run);
        return;
    }
    QString error;
    const std::optional<LaunchCommand> command = commandFor(run, &error);
    if (!command) {
        run->setFailed(error);
        return;
    }
    startController(run, *command);
}

std::optional<LaunchCommand> RunManager::commandFor(const Run *run, QString *error) const
{
    if (run->target().isEmpty()) {
        if (m_privilege.mode() != PrivilegeMode::Direct) {
            const QString problem = m_privilege.problem();
            if (!problem.isEmpty()) {
                if (error)
                    *error = problem;
                return std::nullopt;
            }
        }
        return m_privilege.wrap(bpftraceArguments(run->script()));
    }
    // Only a target the person configured; the name was checked when the run was asked for,
    // and is checked again here in case the target was removed meanwhile.
    QString problem;
    const QString name = m_targets ? m_targets->resolve(run->target(), &problem) : QString();
    const std::optional<LaunchCommand> wrapped = name.isEmpty()
        ? std::nullopt
        : m_targets->transport(name).tryWrap(bpftraceArguments(run->script()), &problem);
    if (!wrapped && error)
        *error = problem.isEmpty() ? u"No target named '%1' is configured."_s.arg(run->target()) : problem;
    return wrapped;
}

void RunManager::startController(Run *run, const LaunchCommand &command)
{
    auto *controller = new RunController(run, command, m_limits, this);
    m_controllers.insert(run, controller);
    connect(controller, &RunController::finished, this, &RunManager::finishRun);
    controller->start();
}

void RunManager::adoptHostRuns(Run *fleet)
{
    // A host's change reaches the fleet once per turn of the event loop, however many hosts
    // changed: merging is cheap, but not per printed line of five hosts.
    // The value says whether a host's maps changed since: only then are they merged again.
    auto scheduleUpdate = [this, fleet](bool mapsChanged) {
        const auto pending = m_fleetUpdates.find(fleet);
        if (pending != m_fleetUpdates.end()) {
            *pending = *pending || mapsChanged;
            return;
        }
        m_fleetUpdates.insert(fleet, mapsChanged);
        QMetaObject::invokeMethod(
            this,
            [this, key = fleet, fleet = QPointer<Run>(fleet)] {
                const bool remerge = m_fleetUpdates.take(key);
                if (fleet)
                    fleet->updateFromHosts(remerge);
            },
            Qt::QueuedConnection);
    };
    for (Run *host : fleet->hostRuns()) {
        connect(host, &Run::stateChanged, this, [this, fleet, scheduleUpdate](RunState state) {
            scheduleUpdate(false);
            // A host that is done frees its place for the next waiting one.
            if (isTerminal(state))
                launchWaitingHosts(fleet);
        });
        connect(host, &Run::statsChanged, this, [this, fleet, scheduleUpdate] {
            scheduleUpdate(false);
            // So does one whose bpftrace has attached: its connection is made.
            launchWaitingHosts(fleet);
        });
        connect(host, &Run::mapsChanged, this, [scheduleUpdate] { scheduleUpdate(true); });
        connect(host, &Run::analysisChanged, fleet, &Run::analysisChanged);
        // Every host's output in the fleet's, each line marked with its host.
        const QString prefix = host->targetName() + u" | "_s;
        connect(host, &Run::outputAppended, this, [this, fleet, host, prefix](qint64 first, int count) {
            QList<OutputLine> lines = host->lines(first, count);
            for (OutputLine &line : lines)
                line.text.prepend(prefix);
            fleet->appendLines(std::move(lines), m_limits.maxLinesKept);
        });
    }
}

void RunManager::launchFleet(Run *fleet)
{
    fleet->setState(RunState::Starting);
    launchWaitingHosts(fleet);
}

void RunManager::launchWaitingHosts(Run *fleet)
{
    // A host that fails as it starts lands back here through its state change: the loop below
    // sees it ended and goes on, so the nested call has nothing to do.
    if (isTerminal(fleet->state()) || fleet->state() == RunState::Stopping || m_launchingFleet == fleet)
        return;
    const QScopedValueRollback guard(m_launchingFleet, fleet);
    // Connecting: started, and bpftrace has not attached yet (over ssh the process starts at
    // once; the connection and the attach are what take time and what the limit is for).
    auto connecting = [fleet] {
        int count = 0;
        for (const Run *host : fleet->hostRuns())
            count += isActive(host->state()) && host->attachedProbes() == 0 ? 1 : 0;
        return count;
    };
    for (Run *host : fleet->hostRuns()) {
        if (host->state() != RunState::PendingApproval)
            continue;
        if (connecting() >= std::max(1, m_limits.maxFleetConnections))
            break;
        QString error;
        const std::optional<LaunchCommand> command = commandFor(host, &error);
        if (command)
            startController(host, *command);
        else
            host->setFailed(error);
    }
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
    // A host run is saved with its fleet, once the fleet has ended.
    if (run->fleet())
        return;
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
    if (run->isFleet()) {
        if (!isActive(run->state())) {
            if (error)
                *error = u"Run %1 has already ended (%2)."_s.arg(runId, runStateName(run->state()));
            return false;
        }
        // Every host stops at once and prints its maps; one still waiting to start never will.
        run->setState(RunState::Stopping);
        for (Run *host : run->hostRuns()) {
            if (RunController *controller = m_controllers.value(host); controller && isActive(host->state()))
                controller->stop(RunState::Stopped);
            else if (host->state() == RunState::PendingApproval)
                host->setEnded(RunState::Stopped, std::nullopt);
        }
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
