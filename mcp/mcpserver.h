// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP endpoint: one dispatcher behind the local socket, localhost HTTP and (through the
// socket) the stdio bridge. Everything it does goes through the Engine.
#pragma once

#include "engine/engineconfig.h"

#include <QDateTime>
#include <QHostAddress>
#include <QObject>

#include <functional>
#include <memory>

class Engine;
class McpHandlers;

struct McpServerConfig
{
    QString socketPath = defaultSocketPath(); ///< never empty (see defaultSocketPath() in engineconfig.h)
    bool httpEnabled = true;
    QHostAddress httpAddress = QHostAddress::LocalHost; ///< 127.0.0.1; ::1 is bound as well when loopback
    quint16 httpPort = quint16(Setting::httpPort.defaultValue); ///< 0: any free port
    bool httpRequireToken = true; ///< false only with --http-insecure-no-auth, refused off loopback
    QString tokenPath; ///< default: XDG config /tracedesk/http-token (0600)
    qint64 maxBodyBytes = 4 * 1024 * 1024;
    qint64 maxHeaderBytes = 64 * 1024;
    qint64 maxLineBytes = 4 * 1024 * 1024; ///< newline-delimited transports
    int maxConnections = 64; ///< per transport; on HTTP, connections that sent an authorised request
    /// HTTP: a connection must send a request with the token within this time of connecting...
    int authTimeoutSeconds = 5;
    /// ...and at most this many may be waiting to, apart from maxConnections (the oldest makes room).
    int maxUnauthenticatedConnections = 64;
    int idleTimeoutSeconds = 300; ///< HTTP: a kept-alive connection with no request is closed
    int requestTimeoutSeconds = 30; ///< HTTP: a request must arrive whole within this time (slowloris)
    int httpSessionTimeoutSeconds = 30 * 60; ///< HTTP: a session without any activity ends
    /// HTTP: sessions kept at once; when all are taken the one idle the longest makes room.
    int httpMaxSessions = 256;
};

/// A connected client, for the endpoint panel and the status bar.
struct McpClientInfo
{
    QString sessionId;
    QString name; ///< clientInfo.name from initialize, empty before it
    QString version;
    QString transport; ///< "socket", "http", "stdio"
    QString protocolVersion;
    QDateTime connectedAt;
    int requestCount = 0;
};

/// One handled message, for the live traffic log.
struct McpTrafficEntry
{
    QDateTime time;
    QString sessionId;
    QString clientName;
    QString method;
    double durationMs = 0;
    bool isError = false;
    QString error; ///< the error message when isError
};

class McpServer : public QObject
{
    Q_OBJECT
public:
    explicit McpServer(Engine *engine, const McpServerConfig &config = {}, QObject *parent = nullptr);
    /// Serves `handlers` instead of the engine's tools (tests, benchmarks).
    McpServer(std::unique_ptr<McpHandlers> handlers, const McpServerConfig &config = {}, QObject *parent = nullptr);
    ~McpServer() override;

    /// The protocol versions initialize accepts, newest first.
    static QStringList supportedProtocolVersions();

    /// Listens on the socket (always) and HTTP (when enabled). False with errorString() when the
    /// socket is taken by a live instance or a port cannot be bound.
    bool start();
    QString errorString() const;

    QString socketPath() const;
    bool httpListening() const;
    QString httpUrl() const; ///< "http://127.0.0.1:8765/mcp"
    quint16 httpPort() const;
    QString token() const;
    void regenerateToken();

    QList<McpClientInfo> clients() const;
    const McpServerConfig &config() const;
    /// Entries per page of the list methods (default 100).
    void setPageSize(int pageSize);

    /// The window registers here so that a second `tracedesk` can raise it over the socket
    /// (method "tracedesk/activate"); a headless instance answers that it has no window.
    void setActivationHandler(std::function<void()> handler);

Q_SIGNALS:
    void clientsChanged();
    void trafficLogged(const McpTrafficEntry &entry);
    void tokenChanged();

private:
    class Private;
    std::unique_ptr<Private> d;
};
