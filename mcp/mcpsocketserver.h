// SPDX-License-Identifier: GPL-2.0-or-later
// The always-on local endpoint: a QLocalServer (user-only, in a 0700 directory) speaking
// newline-delimited JSON-RPC, one MCP session per connection.
#pragma once

#include <QObject>
#include <QPointer>

class QLocalServer;
class McpDispatcher;
class McpSession;

class McpSocketServer : public QObject
{
    Q_OBJECT
public:
    /// Only for StdioBridge until it calls ::defaultSocketPath() (engineconfig.h) itself.
    static QString defaultPath();
    /// Whether something accepts connections at `path` right now (a live instance).
    static bool isLive(const QString &path);

    McpSocketServer(McpDispatcher *dispatcher, qint64 maxLineBytes, int maxConnections, QObject *parent = nullptr);
    ~McpSocketServer() override;

    /// Creates the directory (0700), replaces a stale socket and listens. Fails when another
    /// instance is serving at `path`.
    bool listen(const QString &path);
    void close();
    QString errorString() const { return m_errorString; }
    QString path() const { return m_path; }
    bool isListening() const;
    int connectionCount() const;

Q_SIGNALS:
    void sessionOpened(McpSession *session);
    void sessionClosed(McpSession *session);

private:
    void onNewConnection();

    McpDispatcher *m_dispatcher;
    qint64 m_maxLineBytes;
    int m_maxConnections;
    QLocalServer *m_server = nullptr;
    QString m_path;
    QString m_errorString;
    QList<QPointer<QObject>> m_connections;
};
