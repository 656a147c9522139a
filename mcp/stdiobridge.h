// SPDX-License-Identifier: GPL-2.0-or-later
// `tracedesk --mcp-stdio`: what Claude Desktop, Claude Code and other stdio MCP clients launch.
// It relays bytes between its stdin/stdout and the running instance's local socket.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QLocalSocket>
#include <QObject>
#include <QStringList>
#include <QTimer>

class QSocketNotifier;

/// Relays newline-delimited JSON-RPC byte for byte between two file descriptors (normally 0 and
/// 1) and the instance's QLocalServer. Nothing but the instance's bytes reaches the output; every
/// message of its own goes to finished()'s text (the caller prints it on stderr).
///
/// When no instance listens it starts one (program + arguments, detached, in its own session,
/// stdin and stdout on /dev/null) and retries the socket until the start timeout. Both directions
/// are non-blocking with bounded buffers: a slow reader on one side stops reading from the other.
class StdioBridge : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString socketPath; ///< empty: defaultSocketPath()
        QString program; ///< started when nothing listens; empty: fail instead
        QStringList arguments;
        QString instanceLogPath; ///< the started instance's stderr; empty: next to the socket
        int startTimeoutMs = 10000;
        int inputFd = 0;
        int outputFd = 1;
        qint64 maxBufferedBytes = 1024 * 1024; ///< per direction before the other side is paused
    };

    explicit StdioBridge(const Options &options, QObject *parent = nullptr);
    ~StdioBridge() override;

    /// Connects (starting an instance when needed) and relays until one side ends.
    void start();

    /// $XDG_RUNTIME_DIR/tracedesk/mcp.sock, or $XDG_RUNTIME_DIR/app/<app-id>/mcp.sock inside
    /// Flatpak (where host clients find it too).
    static QString defaultSocketPath();

    QString socketPath() const { return m_socketPath; }

    /// An unfinished line being looked into for ids (internal).
    struct LineState
    {
        QByteArray text; ///< the whole line so far, or only its start once it is oversize
        bool oversize = false;
    };
    bool startedInstance() const { return m_startedInstance; }

Q_SIGNALS:
    /// The socket is connected; relaying has begun.
    void connected();
    /// The bridge is done: exitCode 0 after EOF on the input, once everything was forwarded and
    /// every request sent before it has its answer on the output (or was cancelled); non-zero with
    /// a message when the instance could not be reached or closed the connection first.
    void finished(int exitCode, const QString &message);

private:
    void tryConnect();
    void onSocketError(QLocalSocket::LocalSocketError error);
    void startInstance();
    void beginRelay();
    void readInput();
    void readSocket();
    void flushOutput();
    void updateNotifiers();
    void takeFromSocket(qint64 maxBytes);
    void trackClientBytes(QByteArrayView data);
    void finishIfDone();
    /// Done after EOF on the input: exit 0 (with MESSAGE, if any) and close the connection.
    void finishAndDisconnect(const QString &message);
    void checkReader();
    void finish(int exitCode, const QString &message);
    QString instanceLogTail() const;

    Options m_options;
    QString m_socketPath;
    QLocalSocket *m_socket = nullptr;
    QSocketNotifier *m_inputNotifier = nullptr;
    QSocketNotifier *m_outputNotifier = nullptr;
    QByteArray m_outputBuffer; ///< from the socket, not yet written to the output fd
    LineState m_inputLine; ///< the client's unfinished line, for request tracking
    LineState m_socketLine; ///< the instance's unfinished line, for response tracking
    QHash<QString, int> m_outstanding; ///< ids (JsonRpc::idKey) of requests not yet answered
    QTimer m_readerCheck; ///< after EOF on the input: is anybody still reading our output?
    QTimer m_retryTimer;
    QElapsedTimer m_startClock;
    bool m_startedInstance = false;
    bool m_relaying = false;
    bool m_inputEof = false;
    bool m_finished = false;
    bool m_outputNonBlocking = false;
    bool m_inputNonBlocking = false;
};
