// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/runcontroller.h"

#include "engine/logging.h"
#include "engine/run.h"

#include <QJsonObject>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
// bpftrace prints its maps at exit one after another; interval prints are further apart.
constexpr qint64 kExitDumpGapMs = 250;
// After its dump bpftrace detaches its probes before it exits, which can take a while.
constexpr qint64 kExitAfterDumpMs = 2000;

QString signalLine(int signal)
{
    switch (signal) {
    case SIGINT:
        return u"INT"_s;
    case SIGTERM:
        return u"TERM"_s;
    default:
        return u"KILL"_s;
    }
}
} // namespace

RunController::RunController(Run *run, const LaunchCommand &command, const RunLimits &limits, QObject *parent)
    : QObject(parent)
    , m_run(run)
    , m_command(command)
    , m_limits(limits)
{
    // Called on the reader's thread; the batch is taken here, on ours, when the timer fires.
    m_reader = std::make_unique<OutputReader>(m_limits, m_clock,
        [this] { QMetaObject::invokeMethod(this, [this] { scheduleFlush(); }, Qt::QueuedConnection); });
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(std::max(1, limits.batchIntervalMs));
    connect(&m_batchTimer, &QTimer::timeout, this, &RunController::flush);
    m_escalationTimer.setSingleShot(true);
    connect(&m_escalationTimer, &QTimer::timeout, this, &RunController::escalate);
    m_timeoutTimer.setSingleShot(true);
    connect(&m_timeoutTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcRun) << "run" << m_run->id() << "timed out";
        stop(RunState::TimedOut);
    });
    takeKeyTypes();
    // A person's run is analysed while it starts: keys printed later are split by its types.
    connect(m_run, &Run::analysisChanged, this, &RunController::takeKeyTypes);
}

void RunController::takeKeyTypes()
{
    m_keyTypes.clear();
    for (const ScriptMap &map : m_run->analysis().mapDetails)
        m_keyTypes.insert(map.name, map.keyTypes);
    m_reader->setKeyTypes(m_keyTypes);
}

RunController::~RunController()
{
    killForShutdown();
    // Reap it here, so nothing is left as a zombie and QProcess has nothing to complain about.
    // RunManager has already waited for all of its runs together; this is the last look.
    if (m_process && m_process->state() != QProcess::NotRunning && !m_process->waitForFinished(1000))
        m_process->kill(); // the user-owned pkexec/sudo itself, e.g. still asking for a password
}

void RunController::killForShutdown()
{
    if (!m_process || m_process->state() == QProcess::NotRunning || std::exchange(m_killedForShutdown, true))
        return;
    // The engine is going away with the run still active: nobody will read the maps.
    m_process->disconnect(this);
    m_reader->stop();
    if (m_command.viaHelper) {
        // A root helper ignores our signals; it takes KILL from its stdin (and EOF as "the
        // app died", in case the line does not get through).
        m_process->write("KILL\n");
        m_process->closeWriteChannel();
    } else {
        const qint64 pid = m_process->processId();
        if (pid > 0)
            ::kill(-pid_t(pid), SIGKILL);
    }
}

bool RunController::waitForExit(int timeoutMs)
{
    return !m_process || m_process->state() == QProcess::NotRunning || m_process->waitForFinished(timeoutMs);
}

qint64 RunController::processId() const
{
    return m_process ? m_process->processId() : 0;
}

void RunController::start()
{
    m_clock.start();
    m_process = new QProcess(this);
    m_process->setProgram(m_command.program);
    m_process->setArguments(m_command.arguments);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    // stdout is our own pipe, read by the OutputReader's thread in large chunks; QProcess would
    // read it on this thread, in small ones. Close-on-exec: only the child's fd 1 stays open.
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
        end(RunState::Failed,
            u"Could not create a pipe for bpftrace's output: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno))));
        return;
    }
    // Room for a burst while the reader is not scheduled (best effort: the system may refuse).
    ::fcntl(out[1], F_SETPIPE_SZ, int(OutputReader::kReadBytes));
    m_process->setStandardOutputFile(QProcess::nullDevice());
    const pid_t parent = ::getpid();
    const int outFd = out[1];
    m_process->setChildProcessModifier([parent, outFd] {
        // Own process group: a stop reaches bpftrace and anything it started (system()), and a
        // Ctrl-C in the app's terminal does not. PDEATHSIG: no bpftrace outlives the app. The
        // setuid pkexec/sudo exec clears PDEATHSIG, which is why the helper also watches stdin.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        // QProcess has set up fd 1 (to /dev/null) before calling us: our pipe replaces it.
        if (::dup2(outFd, STDOUT_FILENO) < 0)
            ::_exit(127);
    });
    connect(m_process, &QProcess::started, this, &RunController::onStarted);
    connect(m_process, &QProcess::readyReadStandardError, this, &RunController::onReadyReadStderr);
    connect(m_process, &QProcess::finished, this, &RunController::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, &RunController::onErrorOccurred);
    qCInfo(lcRun) << "starting run" << m_run->id() << m_command.program << (m_command.viaHelper ? "(helper)" : "");
    m_run->setState(RunState::Starting);
    // The helper's stdin is its control channel; bpftrace itself never reads stdin.
    m_process->start(m_command.viaHelper ? QIODevice::ReadWrite : QIODevice::ReadOnly);
    // The child has its copy (or failed to start): ours would keep the pipe from ever ending.
    ::close(out[1]);
    QString error;
    if (m_ended) {
        ::close(out[0]);
    } else if (!m_reader->start(out[0], &error)) {
        qCWarning(lcRun) << "run" << m_run->id() << error;
        sendStop(SIGKILL);
        end(RunState::Failed, error);
    }
}

void RunController::onStarted()
{
    if (m_ended)
        return;
    m_run->setState(RunState::Running);
    if (m_run->timeoutSeconds())
        m_timeoutTimer.start(std::chrono::seconds(*m_run->timeoutSeconds()));
    if (m_stopPending) {
        m_stopPending = false;
        m_stopStage = 0;
        stop(m_endState);
    }
}

void RunController::stop(RunState endState)
{
    if (m_ended || m_stopStage > 0 || m_stopPending)
        return;
    m_endState = endState;
    m_stopRequestedMs = m_clock.elapsed();
    m_timeoutTimer.stop();
    m_run->setState(RunState::Stopping);
    if (!m_process || m_process->state() != QProcess::Running) {
        m_stopPending = true; // sent once started() arrives
        return;
    }
    m_stopStage = 1;
    sendStop(SIGINT);
    m_escalationTimer.start(m_limits.sigintGraceMs);
}

void RunController::escalate()
{
    if (m_ended || !m_process)
        return;
    if (m_stopStage == 1) {
        qCInfo(lcRun) << "run" << m_run->id() << "ignored SIGINT; sending SIGTERM";
        m_stopStage = 2;
        sendStop(SIGTERM);
        m_escalationTimer.start(m_limits.sigtermGraceMs);
    } else if (m_stopStage == 2) {
        qCWarning(lcRun) << "run" << m_run->id() << "ignored SIGTERM; sending SIGKILL";
        m_stopStage = 3;
        sendStop(SIGKILL);
    }
}

void RunController::sendStop(int signal)
{
    addLine(
        OutputLine::Stream::Event, u"stop: sending SIG%1 after %2 ms"_s.arg(signalLine(signal)).arg(m_clock.elapsed()));
    if (m_command.viaHelper) {
        m_process->write(signalLine(signal).toLatin1() + '\n');
        if (signal == SIGKILL) {
            // A helper that no longer reads its stdin would block SIGKILL forever; its own process
            // is ours to kill only when it is not elevated, which kill() simply reports.
            ::kill(pid_t(m_process->processId()), SIGKILL);
        }
        return;
    }
    const qint64 pid = m_process->processId();
    if (pid > 0)
        ::kill(-pid_t(pid), signal);
}

void RunController::onReadyReadStderr()
{
    const QByteArray chunk = m_process->readAllStandardError();
    handleDiagnostics(m_diagnostics.feed(chunk));
}

void RunController::handleDiagnostics(const QList<Diagnostic> &diagnostics)
{
    for (const Diagnostic &d : diagnostics) {
        QString text = Diagnostic::severityName(d.severity).toUpper() + u": "_s + d.message;
        if (d.line > 0)
            text = u"%1:%2: "_s.arg(d.line).arg(d.column) + text;
        addLine(OutputLine::Stream::Stderr, text);
        m_lastStderrLine = text;
    }
    m_run->addDiagnostics(diagnostics);
    const QStringList other = m_diagnostics.takeOtherLines();
    for (const QString &line : other) {
        addLine(OutputLine::Stream::Stderr, line);
        m_lastStderrLine = line;
    }
}

void RunController::notePrint(const QString &name, qint64 ms)
{
    if (!m_lastPrints.isEmpty() && ms - m_lastPrints.constLast().second > kExitDumpGapMs)
        m_lastPrints.clear();
    // A map printed again starts the run of distinct maps after its previous print.
    const auto previous = std::find_if(
        m_lastPrints.cbegin(), m_lastPrints.cend(), [&name](const auto &print) { return print.first == name; });
    if (previous != m_lastPrints.cend())
        m_lastPrints.erase(m_lastPrints.cbegin(), previous + 1);
    m_lastPrints.append({ name, ms });
}

void RunController::addLine(OutputLine::Stream stream, const QString &text)
{
    // Under the reader's rate window, after the stdout lines it has accepted so far.
    m_reader->addLine(stream, text);
    scheduleFlush();
}

void RunController::scheduleFlush()
{
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void RunController::flush()
{
    m_batchTimer.stop();
    OutputReader::Batch batch = m_reader->take();
    for (const auto &[name, ms] : std::as_const(batch.prints))
        notePrint(name, ms);
    if (batch.attachedProbes) {
        m_attachedProbes = *batch.attachedProbes;
        m_statsDirty = true;
    }
    if (batch.lostEvents != 0 || batch.droppedByRate != 0) {
        m_lostEvents += batch.lostEvents;
        m_droppedByRate += batch.droppedByRate;
        m_statsDirty = true;
    }
    // Maps and counters first: whoever wakes on outputAppended (a get_result long-poll) reads
    // the run whole, so it must already be up to date.
    m_run->updateMaps(batch.maps);
    if (m_statsDirty) {
        m_statsDirty = false;
        m_run->setCounters(m_attachedProbes, m_lostEvents, m_droppedByRate);
    }
    m_run->appendBatch(std::move(batch.output), m_limits.maxLinesKept);
}

void RunController::onErrorOccurred(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || m_ended)
        return; // crashes and the rest arrive through finished()
    end(RunState::Failed, u"Could not start %1: %2"_s.arg(m_command.program, m_process->errorString()));
}

void RunController::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_ended)
        return;
    // Whatever is still in the pipes holds the maps printed on SIGINT: read it all first.
    m_reader->finish();
    onReadyReadStderr();
    handleDiagnostics(m_diagnostics.finish());

    if (status == QProcess::NormalExit)
        m_exitCode = exitCode;

    if (m_stopStage > 0 || m_stopPending) {
        end(m_endState);
        return;
    }
    if (status == QProcess::NormalExit && exitCode == 0) {
        end(RunState::Finished);
        return;
    }
    // The last batch first: it may hold the attach count and the stderr line the reason uses.
    flush();
    QString reason;
    const QList<Diagnostic> diagnostics = m_run->diagnostics();
    const auto firstError = std::find_if(diagnostics.begin(), diagnostics.end(),
        [](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; });
    if (firstError != diagnostics.end()) {
        reason = firstError->line > 0
            ? u"bpftrace error at line %1: %2"_s.arg(firstError->line).arg(firstError->message)
            : u"bpftrace error: %1"_s.arg(firstError->message);
    } else if (status == QProcess::CrashExit) {
        reason = u"bpftrace crashed (ended by a signal)"_s;
    } else if (m_command.viaHelper && (exitCode == 126 || exitCode == 127)) {
        reason = u"Authorisation failed or was dismissed (%1 exited with status %2)"_s.arg(m_command.program)
                     .arg(exitCode);
    } else if (exitCode == 255 && m_command.overSsh) {
        // ssh's own failure, not bpftrace's: after bpftrace attached, the connection went away.
        reason = m_run->attachedProbes() > 0
            ? u"The connection to the target was lost during the run (ssh exited with status 255)"_s
            : u"Could not run bpftrace on the target (ssh exited with status 255)"_s;
    } else {
        reason = u"bpftrace exited with status %1"_s.arg(exitCode);
    }
    // The last stderr line often says why (sudo: "a password is required"); keep it in the reason.
    // Kept as it was read, not looked up in the ring: the reader thread may place stdout's last
    // lines after it, and a capped ring may have dropped it.
    if (firstError == diagnostics.end() && !m_lastStderrLine.isEmpty())
        reason += u": "_s + m_lastStderrLine;
    end(RunState::Failed, reason);
}

void RunController::end(RunState state, const QString &failureReason)
{
    if (m_ended)
        return;
    m_ended = true;
    m_escalationTimer.stop();
    m_timeoutTimer.stop();
    m_reader->finish();
    flush();
    // The maps bpftrace printed as it exited: after our stop signal, or in the last moments
    // before it exited by itself (exit()). They are the end state, not one more snapshot; a map
    // that only that dump printed has no series.
    const qint64 endMs = m_clock.elapsed();
    if (!m_lastPrints.isEmpty()) {
        const qint64 lastMs = m_lastPrints.constLast().second;
        const bool exitDump = m_stopRequestedMs >= 0 ? m_lastPrints.constFirst().second >= m_stopRequestedMs
                                                     : endMs - lastMs <= kExitAfterDumpMs;
        if (exitDump)
            m_run->dropExitDump(m_lastPrints);
    }
    qCInfo(lcRun) << "run" << m_run->id() << "ended:" << runStateName(state) << failureReason;
    m_run->setEnded(state, m_exitCode, failureReason);
    Q_EMIT finished(m_run);
}
