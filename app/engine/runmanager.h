// SPDX-License-Identifier: GPL-2.0-or-later
// The one source of truth for runs: starts, stops and keeps every run, the person's and the AI's.
#pragma once

#include "engine/privilege.h"
#include "engine/run.h"
#include "engine/runlimits.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <optional>

class RunStore;
class ScriptAnalyzer;
class TargetRegistry;

class RunController;

/// What an MCP client session may do with a run (RunManager::clientAccess).
enum class RunAccess
{
    None, ///< not the session's: it is told the id is unknown
    Read, ///< the person's run, shared by the person's choice: list and read, never stop
    Control, ///< the session's own run: read, stop, withdraw
};

class RunManager : public QObject
{
    Q_OBJECT
public:
    explicit RunManager(QObject *parent = nullptr);
    ~RunManager() override;

    void setPrivilege(const Privilege &privilege);
    const Privilege &privilege() const { return m_privilege; }
    void setLimits(const RunLimits &limits);
    RunLimits limits() const { return m_limits; }
    void setStore(RunStore *store); ///< finished runs are saved here
    /// Analyses a person's run with bpftrace's typed AST as it starts (a client's run has that
    /// analysis from its approval), so its map keys split into typed parts and a print-and-clear
    /// series is known as delta. None by default (tests with fake bpftrace count its calls); the
    /// Engine gives its own analyzer, whose cache already holds what the editor checked of the
    /// same text, so a run of the script on show costs no second bpftrace check.
    void setPersonRunAnalyzer(ScriptAnalyzer *analyzer);
    /// Where a run with a target (RunRequest::target) is started: that target's transport wraps
    /// the bpftrace command, and a person's run there is analysed by that target's analyzer. Not
    /// owned; without it every run is local and a run naming another target fails.
    void setTargets(TargetRegistry *targets);
    /// The bpftrace arguments for a script: `-f json`, `--unsafe` only when the analysis says so, `-e`.
    static QStringList bpftraceArguments(const QString &script);
    /// The controller of an active run (tests read its process id); nullptr otherwise.
    RunController *controller(const QString &runId) const;

    /// The person's own run: starts at once, no approval. timeoutSeconds nullopt = no timeout.
    /// Returns the run, which may already be Failed (bad timeout, concurrency limit, ...).
    Run *startPersonRun(
        const QString &script, std::optional<int> timeoutSeconds = std::nullopt, const QString &target = QString());
    /// The same on the configured targets or groups named: two or more make a fleet run (one
    /// bpftrace per target, merged results), one is a plain run there. A name no one configured
    /// fails the run with a message that lists the configured ones.
    Run *startPersonRun(const QString &script, std::optional<int> timeoutSeconds, const QStringList &targets);
    /// A client's run: created in PendingApproval and announced with approvalRequested(). Returns
    /// nullptr with *error set when the request itself is invalid (checkScript(), bad timeout,
    /// a target no one configured). RunRequest::targets with two or more names makes a fleet run.
    Run *submitClientRun(const RunRequest &request, QString *error = nullptr);

    /// Person's Stop and MCP stop_execution: SIGINT, then SIGTERM, then SIGKILL. A pending run is
    /// denied instead ("Withdrawn before a decision was made."; the approval queue sees it leave).
    /// Returns false with *error when unknown or already ended.
    bool stop(const QString &runId, QString *error = nullptr);

    Run *run(const QString &runId) const;
    /// Forgets an ended run and deletes its saved copy (the window's Delete from History).
    /// Emits runRemoved() before the run is deleted (later, on the event loop). False with
    /// *error when unknown or still active.
    bool removeRun(const QString &runId, QString *error = nullptr);

    /// Clients are kept apart: a run belongs to the MCP session that asked for it (the
    /// server-made session id in its ClientInfo), and only that session reads or stops it. The
    /// person's own runs are readable by every session when the person allows it (default off)
    /// and never stoppable by one. Client runs reloaded from history belong to sessions of an
    /// earlier instance, so no session has them.
    RunAccess clientAccess(const Run *run, const QString &sessionId) const;
    /// The person's "Let AI clients read my own runs" (EngineConfig::clientsReadPersonRuns).
    void setPersonRunsReadableByClients(bool readable);
    bool personRunsReadableByClients() const { return m_personRunsReadable; }
    /// Newest first, including runs reloaded from history.
    QList<Run *> runs() const;
    int activeRunCount() const;

    /// Adds runs loaded from the store (terminal, read-only).
    void adoptHistory(const QList<Run *> &runs);

    /// Launches a pending run that was approved (connected to ApprovalQueue::approved by the
    /// Engine); anything not in PendingApproval is ignored.
    void launchApproved(Run *run);

Q_SIGNALS:
    /// A client's run waits for a decision (connected to ApprovalQueue::enqueue by the Engine).
    void approvalRequested(Run *run);
    void runAdded(Run *run);
    void runRemoved(Run *run);
    void runStateChanged(Run *run, RunState state);
    void activeRunCountChanged(int count);

private:
    QString newRunId() const;
    void addRun(Run *run);
    void launch(Run *run);
    void finishRun(Run *run);
    bool validateTimeout(std::optional<int> seconds, QString *error) const;
    /// Resolves RunRequest::targets (names or groups) in place: one left becomes `target`, two or
    /// more stay as the fleet's. False with *error for a target no one configured.
    bool resolveTargets(RunRequest &request, QString *error) const;
    /// The bpftrace command for `run` on its target; nullopt with *error when it cannot start.
    std::optional<LaunchCommand> commandFor(const Run *run, QString *error) const;
    void startController(Run *run, const LaunchCommand &command);
    void adoptHostRuns(Run *fleet);
    void launchFleet(Run *fleet);
    /// Starts the fleet's next waiting targets, up to RunLimits::maxFleetConnections at once.
    void launchWaitingHosts(Run *fleet);
    void analysePersonRun(Run *run, ScriptAnalyzer *analyzer);
    int m_lastActiveCount = 0;
    bool m_personRunsReadable = false;

    Privilege m_privilege;
    RunLimits m_limits;
    RunStore *m_store = nullptr;
    QPointer<ScriptAnalyzer> m_personAnalyzer; ///< not owned
    QPointer<TargetRegistry> m_targets; ///< not owned
    QList<Run *> m_runs; ///< oldest first
    QHash<QString, Run *> m_byId;
    QHash<Run *, RunController *> m_controllers; ///< also a fleet's host runs'
    /// Fleets whose hosts changed since the last update, and whether any host's maps did.
    QHash<Run *, bool> m_fleetUpdates;
    Run *m_launchingFleet = nullptr; ///< the fleet launchWaitingHosts() is starting hosts of
};
