// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/queryprocess.h"

#include "engine/targets/targettransport.h"

#include <QCoreApplication>
#include <QPointer>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

QString QueryResult::errorLine() const
{
    const QStringList lines = QString::fromUtf8(err).split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        if (line.contains(u"ERROR"_s))
            return line.trimmed();
    }
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        if (!it->trimmed().isEmpty())
            return it->trimmed();
    }
    return {};
}

QString QueryResult::failureText() const
{
    const QString line = errorLine();
    if (!line.isEmpty())
        return line;
    return crashed ? u"killed by a signal"_s : u"exit code %1"_s.arg(exitCode);
}

QueryProcess::QueryProcess(QObject *owner, bool viaHelper, Callback done)
    : QProcess(owner)
    , m_done(std::move(done))
    , m_viaHelper(viaHelper)
{
    setProcessChannelMode(QProcess::SeparateChannels);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        stop();
    });
    connect(this, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        // Crashes and read errors end in finished() as well; only a failed start does not.
        if (error == QProcess::FailedToStart)
            report(false);
    });
    connect(this, &QProcess::finished, this, [this] { report(true); });
}

QueryProcess::~QueryProcess()
{
    if (state() == QProcess::NotRunning)
        return;
    // The owner is going away: nobody is left to tell, so end the program quietly and reap it.
    blockSignals(true);
    stop();
    if (!waitForFinished(m_viaHelper ? 3000 : 1000)) {
        kill(); // a helper still asking for a password is ours to kill
        waitForFinished(1000);
    }
}

void QueryProcess::stop()
{
    if (m_viaHelper) {
        write("KILL\n");
        closeWriteChannel();
        return;
    }
    // The whole group: a shell's children (a pipeline, a command substitution) would otherwise
    // live on once the shell is gone. ssh's ControlMaster detaches into a session of its own,
    // so a connection shared with other queries and runs is not in it.
    if (const qint64 pid = processId(); pid > 0)
        ::kill(-pid_t(pid), SIGKILL);
    kill();
}

QueryProcess *QueryProcess::run(
    QObject *owner, const LaunchCommand &command, int timeoutMs, Callback done, const QByteArray &input)
{
    auto *process = new QueryProcess(owner, command.viaHelper, std::move(done));
    process->m_podCleanup = command.podCleanup;
    // Its own process group, which stop() ends as one (not the helper's: it is root's to end).
    if (!command.viaHelper)
        process->setChildProcessModifier([] { ::setpgid(0, 0); });
    process->start(command.program, command.arguments);
    if (process->state() == QProcess::NotRunning)
        return process; // failed already; the report is on its way
    if (!command.viaHelper) {
        // Nothing to read but the input, if any: a program that looks at stdin sees EOF.
        if (!input.isNull())
            process->write(input);
        process->closeWriteChannel();
    }
    if (timeoutMs > 0)
        process->m_timer.start(timeoutMs);
    return process;
}

void QueryProcess::report(bool started)
{
    if (m_reported)
        return;
    m_reported = true;
    m_timer.stop();
    QueryResult result;
    result.started = started;
    result.timedOut = m_timedOut;
    if (started) {
        result.crashed = exitStatus() != QProcess::NormalExit;
        result.exitCode = exitCode();
        result.out = readAllStandardOutput();
        result.err = readAllStandardError();
        // A query on a Kubernetes node ran in a debug pod of its own, which outlives kubectl.
        if (!m_podCleanup.isEmpty())
            TargetTransport::cleanUpPod(LaunchCommand { {}, {}, false, m_podCleanup }, QString::fromUtf8(result.err));
    } else {
        result.startError = errorString();
    }
    // Out of QProcess's signal emission first: it still uses this object after we return, and the
    // callback may delete the owner (and with it this object).
    // The application object receives the call, as the callback may delete any other.
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [guard = QPointer<QueryProcess>(this), result = std::move(result)] {
            if (!guard)
                return; // the owner went first
            const Callback done = std::move(guard->m_done);
            guard->deleteLater();
            done(result);
        },
        Qt::QueuedConnection);
}
