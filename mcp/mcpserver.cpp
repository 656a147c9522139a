// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcp/mcpserver.h"

#include "mcp/jsonrpc.h"
#include "mcp/mcpdispatcher.h"
#include "mcp/mcphandlers.h"
#include "mcp/mcphttpserver.h"
#include "mcp/mcplogging.h"
#include "mcp/mcpsession.h"
#include "mcp/mcpsocketserver.h"
#include "mcp/mcptoken.h"

#include <QPointer>

using namespace Qt::StringLiterals;

class McpServer::Private
{
public:
    McpServerConfig config;
    // Declared before the transports so it outlives them: closing sessions reaches the handlers.
    std::unique_ptr<McpHandlers> handlers;
    McpDispatcher *dispatcher = nullptr;
    McpSocketServer *socketServer = nullptr;
    McpHttpServer *httpServer = nullptr;
    QString token;
    QString errorString;
    QList<QPointer<McpSession>> sessions;
};

McpServer::McpServer(std::unique_ptr<McpHandlers> handlers, const McpServerConfig &config, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->config = config;
    d->handlers = std::move(handlers);
    d->dispatcher = new McpDispatcher(d->handlers.get(), this);
    d->socketServer = new McpSocketServer(d->dispatcher, config.maxLineBytes, config.maxConnections, this);
    d->httpServer = new McpHttpServer(d->dispatcher, this);

    connect(d->dispatcher, &McpDispatcher::trafficLogged, this, &McpServer::trafficLogged);
    connect(d->dispatcher, &McpDispatcher::sessionInitialized, this, &McpServer::clientsChanged);

    auto opened = [this](McpSession *session) {
        d->sessions.removeAll(nullptr);
        d->sessions.append(session);
        Q_EMIT clientsChanged();
    };
    auto closed = [this](McpSession *session) {
        d->sessions.removeAll(session);
        d->sessions.removeAll(nullptr);
        Q_EMIT clientsChanged();
    };
    connect(d->socketServer, &McpSocketServer::sessionOpened, this, opened);
    connect(d->socketServer, &McpSocketServer::sessionClosed, this, closed);
    connect(d->httpServer, &McpHttpServer::sessionOpened, this, opened);
    connect(d->httpServer, &McpHttpServer::sessionClosed, this, closed);

    connect(d->handlers.get(), &McpHandlers::resourceListChanged, this, [this] {
        const QJsonObject message = JsonRpc::notification(u"notifications/resources/list_changed"_s);
        // A copy: a push can close its session at once (a socket client that stopped reading
        // goes over its write limit), and closing removes it from d->sessions.
        const QList<QPointer<McpSession>> sessions = d->sessions;
        for (const QPointer<McpSession> &session : sessions) {
            if (session && session->isInitialized())
                session->push(message);
        }
    });
}

McpServer::~McpServer()
{
    // Transports first: their sessions cancel calls in flight while the handlers still exist.
    d->socketServer->close();
    d->httpServer->close();
    delete d->socketServer;
    delete d->httpServer;
    d->handlers.reset();
}

QStringList McpServer::supportedProtocolVersions()
{
    return McpDispatcher::supportedProtocolVersions();
}

bool McpServer::start()
{
    d->errorString.clear();
    if (d->config.tokenPath.isEmpty())
        d->config.tokenPath = McpToken::defaultPath();

    if (d->config.httpEnabled) {
        if (!d->config.httpRequireToken && !d->config.httpAddress.isLoopback()) {
            d->errorString
                = u"--http-insecure-no-auth is refused on %1: it is allowed only on loopback addresses"_s.arg(
                    d->config.httpAddress.toString());
            return false;
        }
        QString error;
        if (!McpToken::loadOrCreate(d->config.tokenPath, &d->token, &error) && d->config.httpRequireToken) {
            d->errorString = u"cannot prepare the HTTP token: %1"_s.arg(error);
            return false;
        }
    }

    if (!d->socketServer->listen(d->config.socketPath)) {
        d->errorString = d->socketServer->errorString();
        return false;
    }
    if (d->config.httpEnabled) {
        McpHttpServer::Options options;
        options.address = d->config.httpAddress;
        options.port = d->config.httpPort;
        options.requireToken = d->config.httpRequireToken;
        options.token = d->token;
        options.limits.maxBodyBytes = d->config.maxBodyBytes;
        options.limits.maxHeaderBytes = d->config.maxHeaderBytes;
        options.limits.idleTimeoutMs = qMax(1, d->config.idleTimeoutSeconds) * 1000;
        options.limits.requestTimeoutMs = qMax(1, d->config.requestTimeoutSeconds) * 1000;
        options.maxConnections = d->config.maxConnections;
        options.limits.authTimeoutMs = qMax(1, d->config.authTimeoutSeconds) * 1000;
        options.maxUnauthenticatedConnections = d->config.maxUnauthenticatedConnections;
        options.sessionTimeoutSeconds = d->config.httpSessionTimeoutSeconds;
        options.maxSessions = d->config.httpMaxSessions;
        if (!d->httpServer->listen(options)) {
            d->errorString = d->httpServer->errorString();
            d->socketServer->close();
            return false;
        }
    }
    return true;
}

QString McpServer::errorString() const
{
    return d->errorString;
}

QString McpServer::socketPath() const
{
    return d->config.socketPath;
}

bool McpServer::httpListening() const
{
    return d->httpServer->isListening();
}

QString McpServer::httpUrl() const
{
    return d->httpServer->url();
}

quint16 McpServer::httpPort() const
{
    return d->httpServer->port();
}

QString McpServer::token() const
{
    return d->token;
}

void McpServer::regenerateToken()
{
    const QString fresh = McpToken::generate();
    QString error;
    if (!McpToken::store(
            d->config.tokenPath.isEmpty() ? McpToken::defaultPath() : d->config.tokenPath, fresh, &error)) {
        qCWarning(lcMcp) << "cannot store the new HTTP token:" << error;
        return;
    }
    d->token = fresh;
    d->httpServer->setToken(fresh);
    Q_EMIT tokenChanged();
}

QList<McpClientInfo> McpServer::clients() const
{
    QList<McpClientInfo> list;
    for (const QPointer<McpSession> &session : std::as_const(d->sessions)) {
        // A connection that never initialized (a second `tracedesk` asking this one to raise
        // its window, a probe of the port) is no client; a closed session is gone.
        if (!session || session->isClosed() || !session->isInitialized())
            continue;
        McpClientInfo info;
        const ClientInfo client = session->client();
        info.sessionId = session->id();
        info.name = client.name;
        info.version = client.version;
        info.transport = session->transport();
        info.protocolVersion = session->protocolVersion();
        info.connectedAt = session->connectedAt();
        info.requestCount = session->requestCount();
        list.append(info);
    }
    return list;
}

const McpServerConfig &McpServer::config() const
{
    return d->config;
}

void McpServer::setPageSize(int pageSize)
{
    d->dispatcher->setPageSize(pageSize);
}

void McpServer::setActivationHandler(std::function<void()> handler)
{
    d->dispatcher->setActivationHandler(std::move(handler));
}
