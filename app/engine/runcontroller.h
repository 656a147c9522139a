// SPDX-License-Identifier: GPL-2.0-or-later
// Drives one bpftrace process for one Run: launch, parse, limit, batch, stop with escalation.
#pragma once

#include "engine/bpftraceoutput.h"
#include "engine/launchcommand.h"
#include "engine/outputreader.h"
#include "engine/run.h"
#include "engine/runlimits.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QProcess>
#include <QTimer>

#include <memory>
#include <optional>

/// Owns the QProcess of one run. Everything is asynchronous; the controller reports through the
/// Run it updates and through finished(). bpftrace's stdout is a pipe of our own that an
/// OutputReader reads and parses on its own thread; the controller takes its batches on the
/// GUI thread every batch interval. stderr (diagnostics, low volume) is read here. Stop escalation: SIGINT, then
/// SIGTERM after sigintGraceMs, then SIGKILL after sigtermGraceMs, reading stdout until the process is gone so the maps
/// bpftrace prints on SIGINT/SIGTERM are kept. Through the elevated helper the signals travel as lines ("INT", "TERM",
/// "KILL") on its stdin, because a root child ignores ours.
class RunController : public QObject
{
    Q_OBJECT
public:
    RunController(Run *run, const LaunchCommand &command, const RunLimits &limits, QObject *parent = nullptr);
    ~RunController() override;

    Run *run() const { return m_run; }
    const LaunchCommand &command() const { return m_command; }
    qint64 processId() const;

    void start();
    /// Stops with the given end state (Stopped or TimedOut). A second call does nothing.
    void stop(RunState endState);
    /// At shutdown: kill the run at once (maps are not wanted any more); waitForExit() reaps it.
    void killForShutdown();
    bool waitForExit(int timeoutMs);

Q_SIGNALS:
    /// The run reached a terminal state; emitted exactly once.
    void finished(Run *run);

private:
    void onStarted();
    void onReadyReadStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onErrorOccurred(QProcess::ProcessError error);
    void escalate();
    void sendStop(int signal);
    void handleDiagnostics(const QList<Diagnostic> &diagnostics);
    void addLine(OutputLine::Stream stream, const QString &text);
    void scheduleFlush();
    void flush();
    void end(RunState state, const QString &failureReason = QString());
    void takeKeyTypes();
    void notePrint(const QString &name, qint64 ms);

    Run *m_run;
    LaunchCommand m_command;
    RunLimits m_limits;
    QProcess *m_process = nullptr;
    bool m_killedForShutdown = false;
    BpftraceDiagnosticParser m_diagnostics;
    /// The last line bpftrace wrote on stderr, as shown: a failure's reason quotes it.
    QString m_lastStderrLine;
    QTimer m_batchTimer;
    QTimer m_escalationTimer;
    QTimer m_timeoutTimer;
    QElapsedTimer m_clock;
    int m_stopStage = 0; ///< 0 none, 1 SIGINT sent, 2 SIGTERM sent, 3 SIGKILL sent
    bool m_stopPending = false; ///< stop() came before the process started
    RunState m_endState = RunState::Stopped;
    QHash<QString, QStringList> m_keyTypes; ///< from the run's analysis, to split keys as they arrive
    /// The latest prints, each map at most once and none further apart than a burst: at the end,
    /// the one bpftrace made as it exited (its dump of every map), which is not a point in time.
    QList<std::pair<QString, qint64>> m_lastPrints;
    qint64 m_stopRequestedMs = -1;
    bool m_statsDirty = false;
    bool m_ended = false;
    // Counters handed to the run once per batch (Run::setCounters), not once per line.
    int m_attachedProbes = 0;
    qint64 m_lostEvents = 0;
    qint64 m_droppedByRate = 0;
    std::optional<int> m_exitCode;
    /// Last: it reads m_clock from its thread, so it must go (and join) first.
    std::unique_ptr<OutputReader> m_reader;
};
