// SPDX-License-Identifier: GPL-2.0-or-later
// MCP's Streamable HTTP transport on our own QTcpServers.
#include "mcp/mcphttpserver.h"

#include "mcp/jsonrpc.h"
#include "mcp/mcpdispatcher.h"
#include "mcp/mcplogging.h"
#include "mcp/mcpsession.h"
#include "mcp/mcpssestream.h"
#include "mcp/mcptoken.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {

// Transport-level JSON-RPC errors in HTTP bodies, as the reference SDK uses them.
constexpr int TransportError = -32000;
constexpr int SessionNotFound = -32001;
constexpr qsizetype MaxFinishedStreamsPerSession = 16;

McpHttpResponse jsonError(
    int status, int code, const QString &message, McpHttpHeaders headers = {}, const QJsonValue &id = {})
{
    headers.emplaceBack("Content-Type", "application/json");
    return McpHttpResponse { status, headers, JsonRpc::serialize(JsonRpc::errorResponse(id, code, message)), false };
}

QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

// Event ids, and the empty priming event that lets a client resume before the first message,
// arrived with 2025-11-25; older clients would try to parse the empty event as JSON.
bool primesStreams(const McpSession *session)
{
    return session->protocolVersion() >= "2025-11-25"_L1;
}

McpHttpHeaders streamHeaders(const QByteArray &sessionId)
{
    McpHttpHeaders headers { { "Content-Type", "text/event-stream" }, { "Cache-Control", "no-cache" },
        { "X-Accel-Buffering", "no" } };
    if (!sessionId.isEmpty()) // a stateless answer belongs to no session
        headers.emplaceBack("Mcp-Session-Id", sessionId);
    return headers;
}

QList<McpSseStream *> streamsOf(const McpSession *session)
{
    return session->findChildren<McpSseStream *>(Qt::FindDirectChildrenOnly);
}

// --- 2026-07-28 request metadata headers (SEP-2243) ---

/// RFC 9110 field value characters: visible ASCII, space and tab.
bool isFieldValue(QByteArrayView value)
{
    return std::all_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u == '\t' || (u >= 0x20 && u <= 0x7e);
    });
}

/// Strict base64 (padded, standard alphabet): the spec's test cases reject bad padding and
/// characters that lenient decoders would skip.
std::optional<QByteArray> strictBase64(QByteArrayView text)
{
    if (text.isEmpty() || text.size() % 4 != 0)
        return std::nullopt;
    qsizetype padding = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool alphabet
            = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (c == '=') {
            ++padding;
        } else if (!alphabet || padding > 0) {
            return std::nullopt;
        }
    }
    if (padding > 2)
        return std::nullopt;
    return QByteArray::fromBase64(text.toByteArray());
}

/// A header's value as the client meant it: =?base64?...?= decoded, anything else literal.
std::optional<QString> headerValue(const QByteArray &raw)
{
    if (!isFieldValue(raw))
        return std::nullopt;
    if (raw.startsWith("=?base64?") && raw.endsWith("?=") && raw.size() >= 11) {
        const std::optional<QByteArray> decoded = strictBase64(QByteArrayView(raw).mid(9, raw.size() - 11));
        if (!decoded)
            return std::nullopt;
        return QString::fromUtf8(*decoded);
    }
    return QString::fromLatin1(raw);
}

/// Whether header text and body value agree: strings as they are, integers numerically,
/// booleans as "true"/"false".
bool sameValue(const QString &header, const QJsonValue &body)
{
    if (body.isString())
        return header == body.toString();
    if (body.isBool())
        return header == (body.toBool() ? "true"_L1 : "false"_L1);
    if (body.isDouble()) {
        bool ok = false;
        const double number = header.toDouble(&ok);
        return ok && number == body.toDouble();
    }
    return false;
}

/// Every x-mcp-header property reachable through "properties" alone, with its path.
void collectParamHeaders(const QJsonObject &schema, const QStringList &path, QList<QPair<QStringList, QString>> *out)
{
    const QJsonObject properties = schema.value(u"properties"_s).toObject();
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QJsonObject property = it.value().toObject();
        const QStringList here = path + QStringList { it.key() };
        if (const QJsonValue name = property.value(u"x-mcp-header"_s); name.isString())
            out->append({ here, name.toString() });
        collectParamHeaders(property, here, out);
    }
}

/// Why the headers of a 2026-07-28 POST do not match its body, or nullopt when they do.
std::optional<QString> headerMismatch(
    const McpHttpRequest &request, const JsonRpcMessage &message, const QJsonObject &toolSchema)
{
    const QJsonObject params = message.paramsObject();
    const QString bodyVersion
        = params.value(u"_meta"_s).toObject().value(McpDispatcher::protocolVersionMetaKey()).toString();
    if (!request.hasHeader("mcp-protocol-version"))
        return u"Header mismatch: the MCP-Protocol-Version header is required"_s;
    if (QString::fromLatin1(request.header("mcp-protocol-version")) != bodyVersion)
        return u"Header mismatch: MCP-Protocol-Version header value '%1' does not match _meta value '%2'"_s.arg(
            QString::fromLatin1(request.header("mcp-protocol-version").left(40)), bodyVersion.left(40));
    if (!request.hasHeader("mcp-method"))
        return u"Header mismatch: the Mcp-Method header is required"_s;
    if (QString::fromLatin1(request.header("mcp-method")) != message.method)
        return u"Header mismatch: Mcp-Method header value '%1' does not match body value '%2'"_s.arg(
            QString::fromLatin1(request.header("mcp-method").left(80)), message.method.left(80));

    QString nameField;
    if (message.method == "tools/call"_L1 || message.method == "prompts/get"_L1)
        nameField = u"name"_s;
    else if (message.method == "resources/read"_L1)
        nameField = u"uri"_s;
    if (!nameField.isEmpty()) {
        const QJsonValue body = params.value(nameField);
        if (!request.hasHeader("mcp-name"))
            return u"Header mismatch: the Mcp-Name header is required for %1"_s.arg(message.method);
        const std::optional<QString> name = headerValue(request.header("mcp-name"));
        if (!name)
            return u"Header mismatch: the Mcp-Name header value is malformed"_s;
        if (!body.isString() || *name != body.toString())
            return u"Header mismatch: Mcp-Name header value '%1' does not match body value '%2'"_s.arg(
                name->left(80), body.toString().left(80));
    }

    if (message.method != "tools/call"_L1)
        return std::nullopt;
    QList<QPair<QStringList, QString>> annotated;
    collectParamHeaders(toolSchema, {}, &annotated);
    const QJsonObject arguments = params.value(u"arguments"_s).toObject();
    for (const auto &[path, suffix] : std::as_const(annotated)) {
        QJsonValue value = arguments;
        for (const QString &key : path)
            value = value.toObject().value(key);
        const QByteArray headerName = "mcp-param-" + suffix.toLatin1().toLower();
        const QString shown = u"Mcp-Param-"_s + suffix;
        if (value.isUndefined() || value.isNull())
            continue; // nothing in the body: the client omits the header and nothing is expected
        if (!request.hasHeader(headerName))
            return u"Header mismatch: %1 is required because \"%2\" is in the arguments"_s.arg(shown, path.join(u'.'));
        const std::optional<QString> text = headerValue(request.header(headerName));
        if (!text)
            return u"Header mismatch: the %1 header value is malformed"_s.arg(shown);
        if (!sameValue(*text, value))
            return u"Header mismatch: %1 header value does not match argument \"%2\""_s.arg(shown, path.join(u'.'));
    }
    return std::nullopt;
}

/// Answers one POST: a JSON body, or an SSE stream once a notification must go first. The stream
/// outlives a dropped connection, so the client can GET the rest with Last-Event-ID.
class PostSink : public McpSink
{
public:
    using StreamFactory = std::function<McpSseStream *()>;

    /// SESSION_ID is echoed in Mcp-Session-Id; empty for a stateless request.
    PostSink(McpHttpConnection *connection, bool acceptsJson, bool acceptsSse, const QByteArray &sessionId,
        StreamFactory makeStream)
        : m_connection(connection)
        , m_serial(connection->requestSerial())
        , m_acceptsJson(acceptsJson)
        , m_acceptsSse(acceptsSse)
        , m_sessionId(sessionId)
        , m_makeStream(std::move(makeStream))
    { }

    void setHttpStatus(int status) override { m_status = status; }

    void notify(const QJsonObject &notification) override
    {
        if (m_done || !m_acceptsSse || !ensureStream())
            return;
        m_stream->send(notification);
    }

    void respond(const QJsonValue &response) override
    {
        if (std::exchange(m_done, true))
            return;
        if (!m_started && (m_acceptsJson || m_status != 200)) {
            if (live())
                m_connection->sendResponse(
                    McpHttpResponse { m_status, headers("application/json"), JsonRpc::serialize(response), false });
            return;
        }
        if (!ensureStream())
            return;
        m_stream->send(response);
        m_stream->finish();
    }

    bool respondSerialized(const QByteArray &json) override
    {
        // Only a plain JSON body takes the bytes as they are; an SSE answer is an event.
        if (m_done || m_started || (!m_acceptsJson && m_status == 200))
            return false;
        m_done = true;
        if (live())
            m_connection->sendResponse(McpHttpResponse { m_status, headers("application/json"), json, false });
        return true;
    }

    void accept() override
    {
        if (std::exchange(m_done, true))
            return;
        if (m_started) {
            if (m_stream)
                m_stream->finish();
        } else if (live()) {
            m_connection->sendResponse(McpHttpResponse { 202, headers({}), {}, false });
        }
    }

    void abandon() override
    {
        if (std::exchange(m_done, true))
            return;
        // A cancelled request gets no answer; end the exchange so the connection is not held.
        if (m_started) {
            if (m_stream)
                m_stream->finish();
        } else if (live()) {
            m_connection->abort();
        }
    }

    // A started stream keeps taking events while its connection is down: they wait for a resume.
    bool isOpen() const override { return !m_done && (m_started ? !m_stream.isNull() : live()); }

private:
    bool live() const { return m_connection && m_connection->isOpen() && m_connection->requestSerial() == m_serial; }

    McpHttpHeaders headers(const QByteArray &contentType) const
    {
        McpHttpHeaders list;
        if (!contentType.isEmpty())
            list.emplaceBack("Content-Type", contentType);
        if (!m_sessionId.isEmpty())
            list.emplaceBack("Mcp-Session-Id", m_sessionId);
        return list;
    }

    bool ensureStream()
    {
        if (m_started)
            return !m_stream.isNull();
        if (!live())
            return false;
        m_started = true;
        m_stream = m_makeStream();
        if (!m_stream)
            return false;
        m_stream->attach(m_connection, streamHeaders(m_sessionId), -1);
        return true;
    }

    QPointer<McpHttpConnection> m_connection;
    quint64 m_serial;
    bool m_acceptsJson;
    bool m_acceptsSse;
    QByteArray m_sessionId;
    StreamFactory m_makeStream;
    QPointer<McpSseStream> m_stream;
    int m_status = 200;
    bool m_started = false;
    bool m_done = false;
};

} // namespace

McpHttpServer::McpHttpServer(McpDispatcher *dispatcher, QObject *parent)
    : QObject(parent)
    , m_dispatcher(dispatcher)
    , m_sweepTimer(new QTimer(this))
{
    connect(m_sweepTimer, &QTimer::timeout, this, &McpHttpServer::sweepSessions);
}

McpHttpServer::~McpHttpServer()
{
    close();
}

bool McpHttpServer::listen(const Options &options)
{
    close();
    m_options = options;
    const bool loopback = options.address.isLoopback();
    if (!options.requireToken && !loopback) {
        m_errorString = u"refusing to serve HTTP without a token on %1: only loopback addresses may skip it"_s.arg(
            options.address.toString());
        return false;
    }
    if (options.requireToken && options.token.size() < 16) {
        m_errorString = u"no usable HTTP token"_s;
        return false;
    }
    QList<QHostAddress> addresses { options.address };
    if (loopback)
        addresses = { QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6) };

    quint16 port = options.port;
    for (qsizetype i = 0; i < addresses.size(); ++i) {
        auto *server = new QTcpServer(this);
        server->setMaxPendingConnections(128);
        // Room in the kernel's queue too, so a burst of connections is accepted, not left hanging.
        server->setListenBacklogSize(128);
        if (!server->listen(addresses[i], port)) {
            if (i == 0) {
                m_errorString = u"cannot listen on %1 port %2: %3"_s.arg(addresses[i].toString())
                                    .arg(port)
                                    .arg(server->errorString());
                delete server;
                close();
                return false;
            }
            // No IPv6 loopback on this machine: 127.0.0.1 alone still serves every client.
            qCInfo(lcMcpHttp) << "not listening on" << addresses[i].toString() << server->errorString();
            delete server;
            continue;
        }
        port = server->serverPort();
        connect(server, &QTcpServer::newConnection, this, [this, server] { onNewConnection(server); });
        m_servers.append(server);
    }
    m_port = port;
    m_sweepTimer->start(qBound(1, options.sessionTimeoutSeconds / 4, 60) * 1000);
    qCInfo(lcMcpHttp) << "serving MCP at" << url() << (options.requireToken ? "(token required)" : "(no token)");
    return true;
}

void McpHttpServer::close()
{
    for (QTcpServer *server : std::exchange(m_servers, {})) {
        server->close();
        delete server;
    }
    for (const QPointer<McpHttpConnection> &connection : std::exchange(m_connections, {})) {
        if (connection)
            delete connection.data();
    }
    const auto sessions = std::exchange(m_sessions, {});
    for (McpSession *session : sessions) {
        session->close();
        delete session;
    }
    if (m_statelessSession) {
        m_statelessSession->close();
        delete m_statelessSession.data();
    }
    m_sweepTimer->stop();
    m_port = 0;
}

bool McpHttpServer::isListening() const
{
    return !m_servers.isEmpty();
}

QString McpHttpServer::url() const
{
    if (!isListening())
        return {};
    QString host = m_options.address.isLoopback() ? u"127.0.0.1"_s : m_options.address.toString();
    if (host.contains(u':'))
        host = u'[' + host + u']';
    return u"http://%1:%2/mcp"_s.arg(host).arg(m_port);
}

void McpHttpServer::setToken(const QString &token)
{
    m_options.token = token;
}

int McpHttpServer::connectionCount() const
{
    int count = 0;
    for (const QPointer<McpHttpConnection> &connection : m_connections)
        count += connection && connection->isOpen() ? 1 : 0;
    return count;
}

QList<McpSession *> McpHttpServer::sessions() const
{
    return m_sessions.values();
}

int McpHttpServer::connectionCount(bool authenticated) const
{
    int count = 0;
    for (const QPointer<McpHttpConnection> &connection : m_connections)
        count += connection && connection->isOpen() && connection->isAuthenticated() == authenticated ? 1 : 0;
    return count;
}

void McpHttpServer::onNewConnection(QTcpServer *server)
{
    while (QTcpSocket *socket = server->nextPendingConnection()) {
        m_connections.removeIf([](const QPointer<McpHttpConnection> &c) { return !c || !c->isOpen(); });
        // Every connection starts unauthenticated, an authorised client's too: refusing newcomers
        // at the cap would let a few silent sockets lock everyone out. So an older one makes
        // room: the oldest that has said nothing at all, and only when every one is talking (a
        // burst of new clients, or half-sent requests) the oldest of those. A real client sends
        // its request at once and is authenticated long before anyone could push it out; each
        // waiting one has only Limits::authTimeoutMs anyway.
        if (connectionCount(false) >= std::max(1, m_options.maxUnauthenticatedConnections)) {
            McpHttpConnection *victim = nullptr;
            for (const QPointer<McpHttpConnection> &c : std::as_const(m_connections)) {
                if (!c || !c->isOpen() || c->isAuthenticated())
                    continue;
                if (!c->hasSpoken()) {
                    victim = c;
                    break;
                }
                if (!victim)
                    victim = c;
            }
            if (victim) {
                qCDebug(lcMcpHttp) << "dropping the oldest unauthenticated connection to make room";
                victim->abort();
            }
            m_connections.removeIf([](const QPointer<McpHttpConnection> &c) { return !c || !c->isOpen(); });
        }
        auto *connection = new McpHttpConnection(socket, m_options.limits, this);
        const QPointer<McpHttpConnection> guard(connection);
        connection->headersHandler = [this, guard](const McpHttpRequest &request) -> std::optional<McpHttpResponse> {
            if (std::optional<McpHttpResponse> reject = checkHeaders(request))
                return reject;
            // Authorised: from now on it takes one of the clients' places, if one is free.
            if (guard && !guard->isAuthenticated() && connectionCount(true) >= m_options.maxConnections)
                closeIdlestConnection();
            if (guard && !guard->isAuthenticated() && connectionCount(true) >= m_options.maxConnections) {
                qCWarning(lcMcpHttp) << "refusing a connection: already" << m_options.maxConnections << "clients";
                return McpHttpResponse { 503, { { "Retry-After", "1" } }, {}, true };
            }
            return std::nullopt;
        };
        connection->requestHandler
            = [this](McpHttpConnection *c, const McpHttpRequest &request) { handleRequest(c, request); };
        m_connections.append(connection);
        connection->start();
    }
}

bool McpHttpServer::hostAllowed(const QByteArray &host) const
{
    QByteArray name = host.toLower();
    QByteArray port;
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        if (close < 0)
            return false;
        port = name.mid(close + 1);
        name = name.left(close + 1);
        if (!port.isEmpty() && !port.startsWith(':'))
            return false;
        port = port.mid(1);
    } else if (const qsizetype colon = name.lastIndexOf(':'); colon >= 0) {
        port = name.mid(colon + 1);
        name = name.left(colon);
    }
    if (!port.isEmpty()) {
        bool ok = false;
        if (port.toUShort(&ok) != m_port || !ok)
            return false;
    }
    if (name == "localhost" || name == "127.0.0.1" || name == "[::1]")
        return true;
    if (!m_options.address.isLoopback()) {
        QString bound = m_options.address.toString().toLower();
        if (bound.contains(u':'))
            bound = u'[' + bound + u']';
        return name == bound.toLatin1();
    }
    return false;
}

bool McpHttpServer::originAllowed(const QByteArray &origin) const
{
    const QUrl url(QString::fromLatin1(origin), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1))
        return false;
    const QString host = url.host().toLower();
    return host == "localhost"_L1 || host == "127.0.0.1"_L1 || host == "::1"_L1;
}

std::optional<McpHttpResponse> McpHttpServer::checkHeaders(const McpHttpRequest &request) const
{
    if (request.path() != "/mcp")
        return McpHttpResponse { 404, { { "Content-Type", "text/plain" } }, "Not found: the MCP endpoint is /mcp\n",
            true };
    // DNS rebinding: a web page whose name resolves to 127.0.0.1 still sends its own Host.
    if (!hostAllowed(request.header("host")))
        return jsonError(
            403, TransportError, u"Forbidden: the Host header must name this machine's loopback address"_s);
    if (request.hasHeader("origin") && !originAllowed(request.header("origin")))
        return jsonError(403, TransportError, u"Forbidden: requests from this Origin are not allowed"_s);
    if (m_options.requireToken) {
        const QByteArray authorization = request.header("authorization");
        const bool bearer = authorization.size() > 7 && authorization.left(7).toLower() == "bearer ";
        const QByteArray presented = bearer ? authorization.mid(7).trimmed() : QByteArray();
        if (!McpToken::equals(presented, m_options.token.toLatin1())) {
            const QByteArray challenge = authorization.isEmpty()
                ? QByteArray("Bearer realm=\"tracedesk\"")
                : QByteArray("Bearer realm=\"tracedesk\", error=\"invalid_token\"");
            return jsonError(401, TransportError,
                u"Unauthorized: send \"Authorization: Bearer <token>\" with TraceDesk's HTTP token"_s,
                { { "WWW-Authenticate", challenge } });
        }
    }
    if (request.method != "POST" && request.method != "GET" && request.method != "DELETE")
        return jsonError(405, TransportError, u"Method not allowed: use POST, GET or DELETE"_s,
            { { "Allow", "GET, POST, DELETE" } });
    // A POST's version is judged with its body: a stateless request answers an unknown one with
    // UnsupportedProtocolVersionError, carrying the request's id.
    const QByteArray version = request.header("mcp-protocol-version");
    if (request.method != "POST" && !version.isEmpty()
        && !McpDispatcher::supportedProtocolVersions().contains(QString::fromLatin1(version)))
        return jsonError(400, TransportError,
            u"Bad Request: unsupported MCP-Protocol-Version %1 (supported: %2)"_s.arg(
                QString::fromLatin1(version).left(40), McpDispatcher::supportedProtocolVersions().join(u", "_s)));
    return std::nullopt;
}

void McpHttpServer::handleRequest(McpHttpConnection *connection, const McpHttpRequest &request)
{
    if (request.method == "POST")
        handlePost(connection, request);
    else if (request.method == "GET")
        handleGet(connection, request);
    else
        handleDelete(connection, request);
}

McpSession *McpHttpServer::requireSession(
    McpHttpConnection *connection, const McpHttpRequest &request, const QJsonValue &id)
{
    const QByteArray sessionId = request.header("mcp-session-id");
    if (sessionId.isEmpty()) {
        connection->sendResponse(jsonError(400, TransportError,
            u"Bad Request: the Mcp-Session-Id header is required (send initialize first)"_s, {}, id));
        return nullptr;
    }
    McpSession *session = m_sessions.value(QString::fromLatin1(sessionId));
    if (!session || session->isClosed()) {
        connection->sendResponse(jsonError(404, SessionNotFound, u"Session not found"_s, {}, id));
        return nullptr;
    }
    return session;
}

McpSession *McpHttpServer::createSession()
{
    auto *session = new McpSession(u"http"_s, this);
    m_sessions.insert(session->id(), session);
    connect(session, &McpSession::closed, this, [this, session] {
        m_sessions.remove(session->id());
        Q_EMIT sessionClosed(session);
        session->deleteLater();
    });
    Q_EMIT sessionOpened(session);
    return session;
}

void McpHttpServer::handlePost(McpHttpConnection *connection, const McpHttpRequest &request)
{
    if (mediaType(request.header("content-type")) != "application/json") {
        connection->sendResponse(
            jsonError(415, TransportError, u"Unsupported Media Type: the body must be application/json"_s));
        return;
    }
    const QByteArray accept = request.header("accept").toLower();
    const bool any = accept.isEmpty() || accept.contains("*/*");
    const bool acceptsJson = any || accept.contains("application/json");
    const bool acceptsSse = accept.contains("text/event-stream") || accept.contains("*/*");
    if (!acceptsJson && !acceptsSse) {
        connection->sendResponse(
            jsonError(406, TransportError, u"Not Acceptable: accept application/json and text/event-stream"_s));
        return;
    }
    const JsonRpc::ParseResult parsed = JsonRpc::parse(request.body);
    if (!parsed.ok) {
        connection->sendResponse(jsonError(400, parsed.errorCode, parsed.errorMessage));
        return;
    }
    const QJsonValue &message = parsed.value;
    const QJsonObject object = message.toObject();
    const QByteArray version = request.header("mcp-protocol-version");
    // The era, per request: a body naming its version in _meta (an initialize too: that method
    // does not exist in the version it names), server/discover, or a header version the
    // handshake era does not know with no session to belong to, are stateless (2026-07-28);
    // initialize and a session's requests are the handshake era.
    const bool statelessBody = message.isObject() && McpDispatcher::isStatelessMessage(object);
    const bool initialize = !statelessBody && message.isObject()
        && object.value(u"method"_s).toString() == "initialize"_L1 && object.contains(u"id"_s);
    const bool stateless = message.isObject() && !initialize
        && (statelessBody
            || (!request.hasHeader("mcp-session-id") && !version.isEmpty()
                && !McpDispatcher::supportedProtocolVersions().contains(QString::fromLatin1(version))));
    if (stateless) {
        handleStatelessPost(connection, request, object, acceptsJson, acceptsSse);
        return;
    }
    if (!version.isEmpty() && !McpDispatcher::supportedProtocolVersions().contains(QString::fromLatin1(version))) {
        connection->sendResponse(jsonError(400, TransportError,
            u"Bad Request: unsupported MCP-Protocol-Version %1 (supported: %2)"_s.arg(
                QString::fromLatin1(version).left(40), McpDispatcher::allProtocolVersions().join(u", "_s))));
        return;
    }

    McpSession *session = nullptr;
    if (initialize) {
        if (m_sessions.size() >= m_options.maxSessions)
            sweepSessions();
        if (m_sessions.size() >= m_options.maxSessions)
            evictIdlestSession();
        if (m_sessions.size() >= m_options.maxSessions) {
            connection->sendResponse(jsonError(503, TransportError, u"Too many sessions; try again later"_s));
            return;
        }
        session = createSession();
    } else {
        // A request's answer names its id even when it is refused before the dispatcher.
        const QJsonValue id = object.value(u"id"_s);
        session = requireSession(connection, request, JsonRpc::isValidId(id) ? id : QJsonValue());
        if (!session)
            return;
    }

    const QPointer<McpSession> guard(session);
    auto sink = std::make_shared<PostSink>(connection, acceptsJson, acceptsSse, session->id().toLatin1(),
        [this, guard] { return guard && !guard->isClosed() ? createStream(guard, u'p') : nullptr; });
    if (message.isObject() && !JsonRpcMessage::fromJson(message).isValid())
        sink->setHttpStatus(400); // not a message we can take: an HTTP error as well as a JSON-RPC one
    m_dispatcher->handle(session, message, sink);
    if (initialize && !session->isInitialized())
        session->close(); // initialize was refused: no session to keep
}

void McpHttpServer::handleStatelessPost(McpHttpConnection *connection, const McpHttpRequest &request,
    const QJsonObject &object, bool acceptsJson, bool acceptsSse)
{
    // No session: one server-wide McpSession carries the traffic log and SSE answers, and an
    // Mcp-Session-Id the client may send is ignored (2026-07-28 "Backward Compatibility").
    if (!m_statelessSession)
        m_statelessSession = new McpSession(u"http"_s, this);
    McpSession *session = m_statelessSession;
    const QPointer<McpSession> guard(session);
    auto sink = std::make_shared<PostSink>(connection, acceptsJson, acceptsSse, QByteArray(),
        [this, guard] { return guard ? createStream(guard, u'p') : nullptr; });

    const JsonRpcMessage message = JsonRpcMessage::fromJson(object);
    if (message.kind == JsonRpcMessage::Kind::Request) {
        // In the order the text gives them: a malformed _meta is invalid params, then the
        // headers must mirror the body, then the version must be one we speak (the dispatcher).
        if (McpDispatcher::checkRequestMeta(message)) {
            sink->setHttpStatus(400);
            m_dispatcher->handle(session, object, sink);
            return;
        }
        const QJsonObject schema = message.method == "tools/call"_L1
            ? m_dispatcher->toolInputSchema(message.paramsObject().value(u"name"_s).toString())
            : QJsonObject();
        if (const std::optional<QString> mismatch = headerMismatch(request, message, schema)) {
            qCDebug(lcMcpHttp) << "rejecting a stateless request:" << *mismatch;
            connection->sendResponse(jsonError(400, JsonRpc::HeaderMismatch, *mismatch, {}, message.id));
            return;
        }
    } else if (!message.isValid()) {
        sink->setHttpStatus(400);
    }
    m_dispatcher->handle(session, object, sink);
}

void McpHttpServer::handleGet(McpHttpConnection *connection, const McpHttpRequest &request)
{
    const QByteArray accept = request.header("accept").toLower();
    if (!accept.contains("text/event-stream") && !accept.contains("*/*")) {
        connection->sendResponse(jsonError(406, TransportError, u"Not Acceptable: GET serves text/event-stream"_s));
        return;
    }
    McpSession *session = requireSession(connection, request);
    if (!session)
        return;
    session->touch();
    const QByteArray sessionId = session->id().toLatin1();

    // A client whose stream broke resumes it: what it missed, then the rest live.
    const QByteArray lastEventId = request.header("last-event-id");
    if (!lastEventId.isEmpty()) {
        QString streamId;
        qint64 sequence = 0;
        McpSseStream *stream = nullptr;
        if (McpSseStream::parseEventId(lastEventId, &streamId, &sequence))
            stream = session->findChild<McpSseStream *>(streamId, Qt::FindDirectChildrenOnly);
        QString error = u"no stream of this session to resume"_s;
        if (!stream || !stream->attach(connection, streamHeaders(sessionId), sequence, &error)) {
            connection->sendResponse(jsonError(400, TransportError,
                u"Bad Request: cannot resume from Last-Event-ID %1: %2"_s.arg(
                    QString::fromLatin1(lastEventId.left(80)), error)));
        }
        return;
    }

    // A fresh channel for messages the server starts. Broken ones nobody resumed are let go:
    // this client has moved on.
    const QList<McpSseStream *> streams = streamsOf(session);
    for (McpSseStream *stream : streams) {
        if (stream->id().startsWith(u'g') && !stream->isAttached())
            delete stream;
    }
    McpSseStream *stream = createStream(session, u'g');
    stream->attach(connection, streamHeaders(sessionId), -1);
    // A comment line: clients see the stream open at once, and parsers ignore it.
    connection->writeStream(": stream open\n\n");
    const QPointer<McpSseStream> channel(stream);
    session->addPushChannel(
        stream,
        [channel](const QJsonObject &message) {
            if (channel)
                channel->send(message);
        },
        [channel] { return channel && channel->isAttached(); });
}

McpSseStream *McpHttpServer::createStream(McpSession *session, QChar kind)
{
    // Unique in the whole server, so an event id can never be mistaken across sessions either.
    const QString id = kind + QString::number(++m_lastStreamNumber);
    // A bound per session on what finished streams keep for a resume: the oldest go first.
    QList<McpSseStream *> finished;
    const QList<McpSseStream *> streams = streamsOf(session);
    for (McpSseStream *stream : streams) {
        if (stream->isFinished() && !stream->isAttached())
            finished.append(stream);
    }
    while (finished.size() >= MaxFinishedStreamsPerSession)
        delete finished.takeFirst();
    return new McpSseStream(id, primesStreams(session), m_options.streamLimits, session);
}

void McpHttpServer::handleDelete(McpHttpConnection *connection, const McpHttpRequest &request)
{
    McpSession *session = requireSession(connection, request);
    if (!session)
        return;
    qCDebug(lcMcpHttp) << "client ended session" << session->id();
    session->close();
    connection->sendResponse(McpHttpResponse { 200, {}, {}, false });
}

namespace {
/// Nothing in flight and no stream open: closing it loses nothing the client is waiting for.
bool isIdle(const McpSession *session)
{
    const QList<McpSseStream *> streams = streamsOf(session);
    return session->inFlightCount() == 0
        && std::none_of(streams.cbegin(), streams.cend(), [](const McpSseStream *s) { return s->isAttached(); });
}
} // namespace

void McpHttpServer::closeIdlestConnection()
{
    // Every client place is taken. Kept-alive connections that wait for nothing would hold
    // theirs for the whole idle timeout, so one token holder could lock every other client out:
    // the one idle the longest, if it has been idle a while, makes room. Closing a kept-alive
    // connection between requests is ordinary HTTP; its client opens a new one.
    constexpr qint64 MinIdleMs = 2000;
    McpHttpConnection *idlest = nullptr;
    qint64 longest = MinIdleMs - 1;
    for (const QPointer<McpHttpConnection> &connection : std::as_const(m_connections)) {
        if (!connection || !connection->isAuthenticated())
            continue;
        if (const qint64 idle = connection->idleMs(); idle > longest) {
            longest = idle;
            idlest = connection;
        }
    }
    if (idlest) {
        qCInfo(lcMcpHttp) << "closing a connection idle for" << longest << "ms to make room: already"
                          << m_options.maxConnections << "clients";
        idlest->abort();
    }
}

void McpHttpServer::evictIdlestSession()
{
    // Every place is taken by a session still within its idle timeout. One token holder
    // opening sessions without end must not lock every other client out, so the session idle
    // the longest (nothing in flight, no stream open) makes room; its client gets 404 on its
    // next request and starts a new session, as the specification tells it to.
    McpSession *idlest = nullptr;
    const auto sessions = m_sessions.values();
    for (McpSession *session : sessions) {
        if (isIdle(session) && (!idlest || session->lastActivity() < idlest->lastActivity()))
            idlest = session;
    }
    if (idlest) {
        qCInfo(lcMcpHttp) << "session" << idlest->id() << "closed to make room: already" << m_options.maxSessions
                          << "sessions";
        idlest->close();
    }
}

void McpHttpServer::sweepSessions()
{
    const QDateTime limit = QDateTime::currentDateTimeUtc().addSecs(-m_options.sessionTimeoutSeconds);
    const auto sessions = m_sessions.values();
    for (McpSession *session : sessions) {
        if (isIdle(session) && session->lastActivity() < limit) {
            qCDebug(lcMcpHttp) << "session" << session->id() << "expired";
            session->close();
        }
    }
}
