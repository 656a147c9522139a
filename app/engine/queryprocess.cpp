// SPDX-License-Identifier: GPL-2.0-or-later
#include "queryprocess.h"

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

QueryProcess::QueryProcess(QObject *owner, Callback done)
    : QProcess(owner)
    , m_done(std::move(done))
{
    setProcessChannelMode(QProcess::SeparateChannels);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_timedOut = true;
        kill();
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
    kill();
    waitForFinished(1000);
}

QueryProcess *QueryProcess::run(QObject *owner, const QString &program, const QStringList &arguments, int timeoutMs,
    Callback done, const QByteArray &input)
{
    auto *process = new QueryProcess(owner, std::move(done));
    process->QProcess::start(program, arguments);
    if (!input.isNull()) {
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
    } else {
        result.startError = errorString();
    }
    deleteLater();
    // Moved out first: the callback may well start the next query, or drop the last reference
    // to whatever it captured.
    const Callback done = std::move(m_done);
    done(result);
}
