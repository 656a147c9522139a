// SPDX-License-Identifier: GPL-2.0-or-later
// A second `tracedesk` started by a person raises the running window instead of starting a
// second endpoint: it asks over the MCP socket with the "tracedesk/activate" method.
#pragma once

#include <QByteArray>
#include <QLocalSocket>
#include <QObject>
#include <QTimer>

class InstanceActivator : public QObject
{
    Q_OBJECT
public:
    enum class Outcome
    {
        NoInstance, ///< nothing listens: this process becomes the instance
        Activated, ///< the running instance raised its window: exit 0
        Headless, ///< the running instance has no window: exit 1 with the message
        Failed, ///< something listens but did not answer sensibly: exit 1 with the message
    };
    Q_ENUM(Outcome)

    explicit InstanceActivator(const QString &socketPath, QObject *parent = nullptr);

    void setTimeoutMs(int ms) { m_timer.setInterval(ms); }
    /// Asynchronous; emits finished() exactly once.
    void start();

Q_SIGNALS:
    void finished(InstanceActivator::Outcome outcome, const QString &message);

private:
    void onReadyRead();
    void done(Outcome outcome, const QString &message);

    QString m_socketPath;
    QLocalSocket m_socket;
    QByteArray m_buffer;
    QTimer m_timer;
    bool m_done = false;
};
