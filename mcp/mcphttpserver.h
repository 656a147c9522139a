// SPDX-License-Identifier: GPL-2.0-or-later
// MCP's Streamable HTTP transport (2025-11-25) on our own QTcpServers (127.0.0.1 and ::1),
// with McpHttpConnection doing the HTTP: POST carries one message (JSON or SSE answer, 202 for
// notifications), GET opens SSE streams for server-initiated messages or, with Last-Event-ID,
// resumes a broken one (McpSseStream), DELETE ends a session.
// Checks Host and Origin (DNS rebinding), the bearer token, MCP-Protocol-Version and
// Mcp-Session-Id. A 2026-07-28 request (McpDispatcher decides the era) has no session: its
// MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-* headers must mirror its body. A connection counts as a
// client's only once its first request passed those checks; before that it has a few seconds and a small cap of its
// own.
#pragma once

#include "mcp/mcphttpconnection.h"
#include "mcp/mcpssestream.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

class QTcpServer;
class QTimer;
class McpDispatcher;
class McpSession;

class McpHttpServer : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 0;
        bool requireToken = true;
        QString token;
        McpHttpConnection::Limits limits;
        int maxConnections = 64; ///< authenticated connections (McpHttpConnection::isAuthenticated)
        /// Connections that have not yet sent an accepted request, counted apart: at the cap, the
        /// oldest silent one makes room, so silent sockets can never lock an authorised client
        /// out. Each has Limits::authTimeoutMs to present the token.
        int maxUnauthenticatedConnections = 64;
        int sessionTimeoutSeconds = 30 * 60; ///< an idle session (no request, stream or call) ends
        int maxSessions = 256;
        McpSseStream::Limits streamLimits;
    };

    explicit McpHttpServer(McpDispatcher *dispatcher, QObject *parent = nullptr);
    ~McpHttpServer() override;

    /// Binds the address (for loopback: 127.0.0.1 and, on the same port, ::1). Refuses to run
    /// without a token on an address that is not loopback.
    bool listen(const Options &options);
    void close();
    bool isListening() const;
    QString errorString() const { return m_errorString; }
    quint16 port() const { return m_port; }
    QString url() const;
    void setToken(const QString &token);
    int connectionCount() const;
    /// Open connections that have (true) or have not yet (false) sent an accepted request.
    int connectionCount(bool authenticated) const;
    QList<McpSession *> sessions() const;

Q_SIGNALS:
    void sessionOpened(McpSession *session);
    void sessionClosed(McpSession *session);

private:
    void onNewConnection(QTcpServer *server);
    std::optional<McpHttpResponse> checkHeaders(const McpHttpRequest &request) const;
    void handleRequest(McpHttpConnection *connection, const McpHttpRequest &request);
    void handlePost(McpHttpConnection *connection, const McpHttpRequest &request);
    /// A 2026-07-28 request: no session; the headers must mirror the body (SEP-2243).
    void handleStatelessPost(McpHttpConnection *connection, const McpHttpRequest &request, const QJsonObject &object,
        bool acceptsJson, bool acceptsSse);
    void handleGet(McpHttpConnection *connection, const McpHttpRequest &request);
    void handleDelete(McpHttpConnection *connection, const McpHttpRequest &request);
    /// The session named by Mcp-Session-Id, or nullptr after answering 400/404 (with ID, the
    /// request's, when the body had a usable one).
    McpSession *requireSession(McpHttpConnection *connection, const McpHttpRequest &request, const QJsonValue &id = {});
    McpSession *createSession();
    /// A new SSE stream of SESSION: KIND 'p' answers a POST, 'g' carries a GET's pushes.
    McpSseStream *createStream(McpSession *session, QChar kind);
    bool hostAllowed(const QByteArray &host) const;
    bool originAllowed(const QByteArray &origin) const;
    void sweepSessions();
    /// When every place is taken: closes the session idle the longest, if one is idle.
    void evictIdlestSession();
    /// When every client place is taken: closes the connection idle the longest (2 s at least).
    void closeIdlestConnection();

    McpDispatcher *m_dispatcher;
    Options m_options;
    QList<QTcpServer *> m_servers;
    quint16 m_port = 0;
    QString m_errorString;
    QList<QPointer<McpHttpConnection>> m_connections;
    QHash<QString, McpSession *> m_sessions;
    QPointer<McpSession> m_statelessSession; ///< what stateless requests are logged and streamed under
    QTimer *m_sweepTimer;
    quint64 m_lastStreamNumber = 0;
};
