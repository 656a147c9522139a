// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "engine/launchcommand.h"

#include <functional>

/// How a short query ended: the program's output, or why there is none.
struct QueryResult
{
    bool started = false; ///< false: the program could not be started (see startError)
    QString startError;
    bool timedOut = false; ///< killed for taking longer than its time limit
    bool crashed = false; ///< ended by a signal (including our own kill on time-out)
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    /// Started, ran to its end by itself and exited 0.
    bool ok() const { return started && !crashed && exitCode == 0; }
    /// The last stderr line that says ERROR, else the last non-empty one: what a person needs to see.
    QString errorLine() const;
    /// errorLine(), or the exit code or signal when stderr said nothing.
    QString failureText() const;
};

/// A short child process whose whole output matters only at its end: `bpftrace --version`,
/// `-l`, `-lv PROBE`, a compile check. The engine runs several of these at once, each owned by
/// the object that asked.
///
/// The callback runs exactly once, always from the event loop (never inside run() or inside
/// QProcess's own signal emission, so it may delete the owner), and never after the owner is
/// gone: the process is the owner's child, and destroying it stops and reaps a still-running
/// program without a word (QProcess would warn, and the callback would see a half-dead owner).
class QueryProcess final : public QProcess
{
    Q_OBJECT

public:
    using Callback = std::function<void(const QueryResult &)>;

    /// Starts COMMAND as a child of OWNER. INPUT, if any, is written to the program's stdin, which
    /// is then closed; not so for the elevated helper, whose stdin carries stop requests and whose
    /// EOF means "stop". TIMEOUT_MS <= 0 means no time limit. A program run
    /// through the helper is stopped with its "KILL" line, which a root process heeds, not a signal.
    static QueryProcess *run(QObject *owner, const LaunchCommand &command, int timeoutMs, Callback done,
        const QByteArray &input = QByteArray());

    ~QueryProcess() override;

private:
    QueryProcess(QObject *owner, bool viaHelper, Callback done);
    void stop();
    void report(bool started);

    Callback m_done;
    QTimer m_timer;
    bool m_viaHelper;
    QStringList m_podCleanup; ///< LaunchCommand::podCleanup
    bool m_timedOut = false;
    bool m_reported = false;
};
