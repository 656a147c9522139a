// SPDX-License-Identifier: GPL-2.0-or-later
// SIGINT/SIGTERM/SIGHUP delivered as a Qt signal on the event loop (self-pipe), so shutdown runs
// as ordinary code: stop runs, keep their maps, remove the socket.
#pragma once

#include <QObject>

class QSocketNotifier;

class UnixSignalWatcher : public QObject
{
    Q_OBJECT
public:
    /// One per process. Installs handlers for `signals` (e.g. {SIGINT, SIGTERM}).
    explicit UnixSignalWatcher(std::initializer_list<int> signals, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void signalReceived(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
    QList<int> m_signals;
};
