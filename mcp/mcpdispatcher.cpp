// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP protocol core behind every transport.
#include "mcp/mcpdispatcher.h"

#include "mcp/jsonrpc.h"
#include "mcp/mcphandlers.h"
#include "mcp/mcplogging.h"
#include "mcp/mcpsession.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QPointer>

#include <limits>

using namespace Qt::StringLiterals;

McpSink::~McpSink() = default;
McpHandlers::~McpHandlers() = default;

namespace {

constexpr int MaxCompletionValues = 100; // the spec's cap per completion/complete answer

const auto MetaProtocolVersion = "io.modelcontextprotocol/protocolVersion"_L1;
const auto MetaClientInfo = "io.modelcontextprotocol/clientInfo"_L1;
const auto MetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities"_L1;
const auto MetaLogLevel = "io.modelcontextprotocol/logLevel"_L1;
const auto MetaServerInfo = "io.modelcontextprotocol/serverInfo"_L1;

// Caching hints (2026-07-28 CacheableResult). Tools, prompts and templates are fixed for the
// life of the process and the same for every client; resources are the asking owner's runs, a
// list that grows whenever a run ends, so it is private and stale at once. A run's resource only
// exists once the run ended, after which it no longer changes.
constexpr qint64 StaticListTtlMs = 60 * 60 * 1000;
constexpr qint64 RunResourceTtlMs = 60 * 1000;

QJsonObject serverInfo()
{
    return QJsonObject { { u"name"_s, u"tracedesk"_s }, { u"title"_s, u"TraceDesk"_s },
        { u"version"_s, QStringLiteral(TRACEDESK_VERSION_STRING) } };
}

QString instructions()
{
    return u"TraceDesk runs bpftrace programs on this Linux machine, with a person approving each one. "
           "Find probes with list_probes and describe_probe, check a program with validate_program, then "
           "exec_program (it waits for the person's approval) and read output with get_result "
           "(wait_seconds long-polls). Runs can be stopped with stop_execution."_s;
}

/// Methods of the handshake era that 2026-07-28 removed: a stateless request for one is a
/// method the server does not implement.
bool removedInStatelessEra(const QString &method)
{
    return method == "initialize"_L1 || method == "ping"_L1 || method == "logging/setLevel"_L1
        || method == "resources/subscribe"_L1 || method == "resources/unsubscribe"_L1;
}

QJsonObject invalidParams(const QJsonValue &id, const QString &message)
{
    return JsonRpc::errorResponse(id, JsonRpc::InvalidParams, message);
}

bool isError(const QJsonObject &response)
{
    return response.contains(u"error"_s) || response.value(u"result"_s).toObject().value(u"isError"_s).toBool();
}

QString errorText(const QJsonObject &response)
{
    if (response.contains(u"error"_s))
        return response.value(u"error"_s).toObject().value(u"message"_s).toString();
    const QJsonArray content = response.value(u"result"_s).toObject().value(u"content"_s).toArray();
    for (const QJsonValue &block : content) {
        if (block.toObject().value(u"type"_s).toString() == "text"_L1)
            return block.toObject().value(u"text"_s).toString().left(300);
    }
    return {};
}

/// Collects the answers to a 2025-03-26 batch and sends them as one array once all are in.
struct BatchState
{
    std::shared_ptr<McpSink> outer;
    QJsonArray responses;
    int outstanding = 1; // the dispatch loop holds one until it has handed out every element

    void done()
    {
        if (--outstanding > 0)
            return;
        if (responses.isEmpty())
            outer->accept();
        else
            outer->respond(responses);
    }
};

class BatchElementSink : public McpSink
{
public:
    explicit BatchElementSink(std::shared_ptr<BatchState> batch)
        : m_batch(std::move(batch))
    { }
    void notify(const QJsonObject &notification) override { m_batch->outer->notify(notification); }
    void respond(const QJsonValue &response) override
    {
        if (std::exchange(m_finished, true))
            return;
        m_batch->responses.append(response);
        m_batch->done();
    }
    void accept() override
    {
        if (!std::exchange(m_finished, true))
            m_batch->done();
    }
    void abandon() override { accept(); }
    bool isOpen() const override { return m_batch->outer->isOpen(); }

private:
    std::shared_ptr<BatchState> m_batch;
    bool m_finished = false;
};

} // namespace

const QStringList &McpDispatcher::supportedProtocolVersions()
{
    static const QStringList versions { u"2025-11-25"_s, u"2025-06-18"_s, u"2025-03-26"_s };
    return versions;
}

QString McpDispatcher::latestProtocolVersion()
{
    return supportedProtocolVersions().constFirst();
}

const QStringList &McpDispatcher::statelessProtocolVersions()
{
    static const QStringList versions { u"2026-07-28"_s };
    return versions;
}

QStringList McpDispatcher::allProtocolVersions()
{
    return statelessProtocolVersions() + supportedProtocolVersions();
}

QString McpDispatcher::protocolVersionMetaKey()
{
    return MetaProtocolVersion;
}

bool McpDispatcher::isStatelessMessage(const QJsonObject &message)
{
    if (message.value(u"method"_s).toString() == "server/discover"_L1)
        return true;
    return message.value(u"params"_s).toObject().value(u"_meta"_s).toObject().contains(MetaProtocolVersion);
}

std::optional<QJsonObject> McpDispatcher::checkRequestMeta(const JsonRpcMessage &message)
{
    const QJsonValue meta = message.paramsObject().value(u"_meta"_s);
    QString missing;
    if (!meta.isObject())
        missing = u"\"_meta\" with \"%1\" and \"%2\""_s.arg(MetaProtocolVersion, MetaClientCapabilities);
    else if (const QJsonValue version = meta.toObject().value(MetaProtocolVersion);
        !version.isString() || version.toString().isEmpty())
        missing = u"\"_meta.%1\" (a string)"_s.arg(MetaProtocolVersion);
    else if (!meta.toObject().value(MetaClientCapabilities).isObject())
        missing = u"\"_meta.%1\" (an object)"_s.arg(MetaClientCapabilities);
    if (missing.isEmpty())
        return std::nullopt;
    return invalidParams(message.id, u"Invalid params: a request without initialize must carry %1"_s.arg(missing));
}

QJsonObject McpDispatcher::toolInputSchema(const QString &name) const
{
    const QJsonArray tools = m_handlers->toolDefinitions();
    for (const QJsonValue &tool : tools) {
        if (tool.toObject().value(u"name"_s).toString() == name)
            return tool.toObject().value(u"inputSchema"_s).toObject();
    }
    return {};
}

McpDispatcher::McpDispatcher(McpHandlers *handlers, QObject *parent)
    : QObject(parent)
    , m_handlers(handlers)
{ }

McpDispatcher::~McpDispatcher() = default;

void McpDispatcher::setPageSize(int pageSize)
{
    m_pageSize = qMax(1, pageSize);
}

void McpDispatcher::setActivationHandler(std::function<void()> handler)
{
    m_activationHandler = std::move(handler);
}

void McpDispatcher::handle(McpSession *session, const QJsonValue &message, const std::shared_ptr<McpSink> &sink)
{
    session->touch();
    if (message.isArray()) {
        if (!session->acceptsBatches()) {
            const QString text = session->protocolVersion().isEmpty()
                ? u"Invalid Request: JSON-RPC batches are not supported (initialize first, one message at a time)"_s
                : u"Invalid Request: JSON-RPC batches are not supported in protocol version %1"_s.arg(
                      session->protocolVersion());
            const QJsonObject response = JsonRpc::errorResponse({}, JsonRpc::InvalidRequest, text);
            log(session, u"(batch)"_s, 0, response);
            sink->respond(response);
            return;
        }
        handleBatch(session, message.toArray(), sink);
        return;
    }
    handleOne(session, message, sink);
}

void McpDispatcher::reportTransportError(
    McpSession *session, int code, const QString &message, const std::shared_ptr<McpSink> &sink)
{
    const QJsonObject response = JsonRpc::errorResponse({}, code, message);
    log(session, u"(invalid)"_s, 0, response);
    sink->respond(response);
}

void McpDispatcher::handleBatch(McpSession *session, const QJsonArray &batch, const std::shared_ptr<McpSink> &sink)
{
    if (batch.isEmpty()) {
        const QJsonObject response
            = JsonRpc::errorResponse({}, JsonRpc::InvalidRequest, u"Invalid Request: empty batch"_s);
        log(session, u"(batch)"_s, 0, response);
        sink->respond(response);
        return;
    }
    auto state = std::make_shared<BatchState>();
    state->outer = sink;
    for (const QJsonValue &element : batch) {
        ++state->outstanding;
        auto elementSink = std::make_shared<BatchElementSink>(state);
        const QJsonObject object = element.toObject();
        // 2025-03-26: "The initialize request MUST NOT be part of a JSON-RPC batch".
        if (object.value(u"method"_s).toString() == "initialize"_L1) {
            const QJsonValue id = object.value(u"id"_s);
            elementSink->respond(JsonRpc::errorResponse(
                id, JsonRpc::InvalidRequest, u"Invalid Request: initialize cannot be part of a batch"_s));
            continue;
        }
        handleOne(session, element, elementSink);
    }
    state->done();
}

void McpDispatcher::handleOne(McpSession *session, const QJsonValue &value, const std::shared_ptr<McpSink> &sink)
{
    const JsonRpcMessage message = JsonRpcMessage::fromJson(value);
    switch (message.kind) {
    case JsonRpcMessage::Kind::Invalid: {
        const QJsonObject response = JsonRpc::errorResponse(message.id, message.errorCode, message.errorMessage);
        log(session, message.method.isEmpty() ? u"(invalid)"_s : message.method, 0, response);
        sink->respond(response);
        return;
    }
    case JsonRpcMessage::Kind::Response:
        // We never send requests to clients, so a response answers nothing; accept and drop it.
        qCDebug(lcMcp) << "ignoring a response from" << session->id();
        sink->accept();
        return;
    case JsonRpcMessage::Kind::Notification:
        handleNotification(session, message);
        sink->accept();
        return;
    case JsonRpcMessage::Kind::Request:
        if (isStatelessMessage(message.object))
            handleStatelessRequest(session, message, sink);
        else
            handleRequest(session, message, sink);
        return;
    }
}

void McpDispatcher::handleNotification(McpSession *session, const JsonRpcMessage &message)
{
    if (message.method == "notifications/initialized"_L1) {
        session->setReady();
    } else if (message.method == "notifications/cancelled"_L1) {
        const QJsonValue requestId = message.paramsObject().value(u"requestId"_s);
        const QString key = JsonRpc::idKey(requestId);
        // Unknown or finished ids are normal (the answer and the cancellation crossed): ignore.
        if (!key.isEmpty() && session->cancelInFlight(key))
            qCDebug(lcMcp) << "cancelled" << key << message.paramsObject().value(u"reason"_s).toString();
    }
    McpTrafficEntry entry;
    entry.time = QDateTime::currentDateTime();
    entry.sessionId = session->id();
    entry.clientName = session->client().name;
    entry.method = message.method;
    Q_EMIT trafficLogged(entry);
}

void McpDispatcher::handleRequest(
    McpSession *session, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink)
{
    session->countRequest();
    const QString &method = message.method;
    const QJsonValue &id = message.id;
    const QJsonObject params = message.paramsObject();

    QElapsedTimer timer;
    timer.start();
    auto answer = [&](const QJsonObject &response) {
        log(session, method, timer.nsecsElapsed() / 1e6, response);
        sink->respond(response);
    };

    if (session->hasInFlight(JsonRpc::idKey(id))) {
        answer(JsonRpc::errorResponse(id, JsonRpc::InvalidRequest,
            u"Invalid Request: id %1 is already in use by a request in flight"_s.arg(JsonRpc::idKey(id).mid(2))));
        return;
    }

    const bool allowedBeforeInitialize
        = method == "initialize"_L1 || method == "ping"_L1 || method == "tracedesk/activate"_L1;
    if (!session->isInitialized() && !allowedBeforeInitialize) {
        answer(JsonRpc::errorResponse(id, JsonRpc::InvalidRequest,
            u"Invalid Request: the session is not initialized; send \"initialize\" first"_s));
        return;
    }

    if (method == "initialize"_L1) {
        const QJsonObject response = initialize(session, message);
        answer(response);
        if (!response.contains(u"error"_s))
            Q_EMIT sessionInitialized(session);
        return;
    }
    if (method == "ping"_L1) {
        answer(JsonRpc::resultResponse(id, QJsonObject {}));
        return;
    }
    if (method == "logging/setLevel"_L1) {
        const QString level = params.value(u"level"_s).toString();
        if (McpSession::logLevelIndex(level) < 0) {
            answer(invalidParams(
                id, u"Invalid params: \"level\" must be one of %1"_s.arg(McpSession::logLevels().join(u", "_s))));
            return;
        }
        session->setLogLevel(level);
        answer(JsonRpc::resultResponse(id, QJsonObject {}));
        return;
    }

    RequestScope scope;
    scope.owner = session->id();
    scope.logSessionId = session->id();
    scope.client = session->client();
    scope.protocolVersion = session->protocolVersion();
    if (!serve(session, scope, message, sink))
        answer(JsonRpc::errorResponse(id, JsonRpc::MethodNotFound, u"Method not found: %1"_s.arg(method)));
}

void McpDispatcher::handleStatelessRequest(
    McpSession *session, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink)
{
    session->countRequest();
    const QString &method = message.method;
    const QJsonValue &id = message.id;
    const QJsonObject meta = message.paramsObject().value(u"_meta"_s).toObject();

    // Everything about the client comes from this request (2026-07-28 "Statelessness"): what an
    // initialize on the same connection said does not count.
    RequestScope scope;
    scope.stateless = true;
    // Runs belong to whoever holds the handle: the execution id is the state a stateless
    // client passes back. Clients of one transport share an authorization context (the HTTP
    // token, or the user's own socket), so they share one owner; handshake-era sessions keep
    // their own runs to themselves.
    scope.owner = ClientInfo::statelessOwner(session->transport());
    scope.logSessionId = session->id();
    const QJsonObject clientInfo = meta.value(MetaClientInfo).toObject();
    QString name = clientInfo.value(u"title"_s).toString();
    if (name.isEmpty())
        name = clientInfo.value(u"name"_s).toString();
    scope.client.name = name.left(200);
    scope.client.version = clientInfo.value(u"version"_s).toString().left(100);
    scope.client.transport = session->transport();
    scope.client.sessionId = scope.owner;
    scope.protocolVersion = meta.value(MetaProtocolVersion).toString();
    if (const QString level = meta.value(MetaLogLevel).toString(); McpSession::logLevelIndex(level) >= 0)
        scope.logLevel = level;

    QElapsedTimer timer;
    timer.start();
    auto answer
        = [&](const QJsonObject &response) { respond(scope, method, timer.nsecsElapsed() / 1e6, response, sink); };

    if (std::optional<QJsonObject> invalid = checkRequestMeta(message)) {
        sink->setHttpStatus(400);
        answer(*invalid);
        return;
    }
    if (!statelessProtocolVersions().contains(scope.protocolVersion)) {
        sink->setHttpStatus(400);
        answer(JsonRpc::errorResponse(id, JsonRpc::UnsupportedProtocolVersion, u"Unsupported protocol version"_s,
            QJsonObject { { u"supported"_s, QJsonArray::fromStringList(allProtocolVersions()) },
                { u"requested"_s, scope.protocolVersion.left(100) } }));
        return;
    }
    // On a byte stream notifications/cancelled names the request by id, so it is tracked by id.
    if (session->transport() != "http"_L1 && session->hasInFlight(JsonRpc::idKey(id))) {
        answer(JsonRpc::errorResponse(id, JsonRpc::InvalidRequest,
            u"Invalid Request: id %1 is already in use by a request in flight"_s.arg(JsonRpc::idKey(id).mid(2))));
        return;
    }
    if (method == "server/discover"_L1) {
        answer(discover(message));
        return;
    }
    if (removedInStatelessEra(method) || !serve(session, scope, message, sink)) {
        sink->setHttpStatus(404);
        answer(JsonRpc::errorResponse(id, JsonRpc::MethodNotFound,
            removedInStatelessEra(method)
                ? u"Method not found: %1 does not exist in protocol version %2"_s.arg(method, scope.protocolVersion)
                : u"Method not found: %1"_s.arg(method)));
    }
}

bool McpDispatcher::serve(
    McpSession *session, const RequestScope &scope, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink)
{
    const QString &method = message.method;
    const QJsonValue &id = message.id;
    const QJsonObject params = message.paramsObject();

    QElapsedTimer timer;
    timer.start();
    auto answer
        = [&](const QJsonObject &response) { respond(scope, method, timer.nsecsElapsed() / 1e6, response, sink); };

    if (method == "tools/call"_L1) {
        callTool(session, scope, message, sink);
        return true;
    }
    if (method == "tools/list"_L1) {
        listTools(scope, message, sink);
        return true;
    }
    if (method == "resources/list"_L1) {
        answer(paginate(message, u"resources"_s, m_handlers->resources(scope.owner)));
        return true;
    }
    if (method == "resources/templates/list"_L1) {
        answer(paginate(message, u"resourceTemplates"_s, m_handlers->resourceTemplates()));
        return true;
    }
    if (method == "prompts/list"_L1) {
        answer(paginate(message, u"prompts"_s, m_handlers->prompts()));
        return true;
    }
    if (method == "resources/read"_L1) {
        const QJsonValue uri = params.value(u"uri"_s);
        if (!uri.isString() || uri.toString().isEmpty()) {
            answer(invalidParams(id, u"Invalid params: \"uri\" must be a non-empty string"_s));
            return true;
        }
        const std::optional<QJsonObject> contents = m_handlers->readResource(uri.toString(), scope.owner);
        if (!contents) {
            // -32002 until 2025-11-25; 2026-07-28 made it Invalid Params. Both name the URI.
            answer(JsonRpc::errorResponse(id, scope.stateless ? JsonRpc::InvalidParams : JsonRpc::ResourceNotFound,
                u"Resource not found"_s, QJsonObject { { u"uri"_s, uri } }));
            return true;
        }
        answer(JsonRpc::resultResponse(id, *contents));
        return true;
    }
    if (method == "prompts/get"_L1) {
        const QJsonValue name = params.value(u"name"_s);
        const QJsonValue arguments = params.value(u"arguments"_s);
        if (!name.isString() || name.toString().isEmpty()) {
            answer(invalidParams(id, u"Invalid params: \"name\" must be a non-empty string"_s));
            return true;
        }
        if (!arguments.isUndefined() && !arguments.isObject()) {
            answer(invalidParams(id, u"Invalid params: \"arguments\" must be an object"_s));
            return true;
        }
        QString error;
        const std::optional<QJsonObject> prompt = m_handlers->getPrompt(name.toString(), arguments.toObject(), &error);
        if (!prompt) {
            answer(invalidParams(id, error.isEmpty() ? u"Unknown prompt: %1"_s.arg(name.toString()) : error));
            return true;
        }
        answer(JsonRpc::resultResponse(id, *prompt));
        return true;
    }
    if (method == "completion/complete"_L1) {
        answer(complete(scope.owner, message));
        return true;
    }
    if (method == "tracedesk/activate"_L1) {
        if (m_activationHandler) {
            m_activationHandler();
            answer(JsonRpc::resultResponse(id, QJsonObject { { u"activated"_s, true } }));
        } else {
            answer(JsonRpc::resultResponse(
                id, QJsonObject { { u"activated"_s, false }, { u"reason"_s, u"headless instance"_s } }));
        }
        return true;
    }
    return false;
}

QJsonObject McpDispatcher::discover(const JsonRpcMessage &message) const
{
    // What a stateless client can use: no listChanged, since 2026-07-28 delivers list changes
    // only on subscriptions/listen, which TraceDesk does not serve (clients re-read
    // resources/list, whose ttlMs is 0). No logging capability either: it is deprecated, and a
    // request asks for log messages with _meta logLevel.
    const QJsonObject capabilities {
        { u"tools"_s, QJsonObject {} },
        { u"resources"_s, QJsonObject {} },
        { u"prompts"_s, QJsonObject {} },
        { u"completions"_s, QJsonObject {} },
    };
    return JsonRpc::resultResponse(message.id,
        QJsonObject { { u"supportedVersions"_s, QJsonArray::fromStringList(allProtocolVersions()) },
            { u"capabilities"_s, capabilities }, { u"instructions"_s, instructions() } });
}

void McpDispatcher::respond(const RequestScope &scope, const QString &method, double durationMs, QJsonObject response,
    const std::shared_ptr<McpSink> &sink)
{
    if (scope.stateless && response.contains(u"result"_s)) {
        QJsonObject result = response.value(u"result"_s).toObject();
        decorateStatelessResult(method, &result);
        response.insert(u"result"_s, result);
    }
    log(scope, method, durationMs, response);
    sink->respond(response);
}

void McpDispatcher::decorateStatelessResult(const QString &method, QJsonObject *result)
{
    result->insert(u"resultType"_s, u"complete"_s);
    QJsonObject meta = result->value(u"_meta"_s).toObject();
    meta.insert(MetaServerInfo, serverInfo());
    result->insert(u"_meta"_s, meta);
    auto cache = [result](qint64 ttlMs, const QString &scopeName) {
        result->insert(u"ttlMs"_s, ttlMs);
        result->insert(u"cacheScope"_s, scopeName);
    };
    if (method == "server/discover"_L1 || method == "tools/list"_L1 || method == "prompts/list"_L1
        || method == "resources/templates/list"_L1)
        cache(StaticListTtlMs, u"public"_s);
    else if (method == "resources/list"_L1)
        cache(0, u"private"_s);
    else if (method == "resources/read"_L1)
        cache(RunResourceTtlMs, u"private"_s);
}

void McpDispatcher::listTools(
    const RequestScope &scope, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink)
{
    QElapsedTimer timer;
    timer.start();
    const QString method = u"tools/list"_s;
    const std::optional<quint64> revision = m_handlers->toolDefinitionsRevision();
    if (!revision) {
        respond(scope, method, timer.nsecsElapsed() / 1e6, paginate(message, u"tools"_s, m_handlers->toolDefinitions()),
            sink);
        return;
    }
    if (!m_toolsCache || m_toolsCache->revision != *revision || m_toolsCache->pageSize != m_pageSize)
        m_toolsCache = ToolsCache { *revision, m_pageSize, m_handlers->toolDefinitions(), {} };

    const qsizetype offset = cursorOffset(message, u"tools"_s, m_toolsCache->definitions.size());
    if (offset < 0) {
        respond(scope, method, timer.nsecsElapsed() / 1e6,
            invalidParams(message.id, u"Invalid params: invalid cursor"_s), sink);
        return;
    }
    const qsizetype key = offset * 2 + (scope.stateless ? 1 : 0);
    auto it = m_toolsCache->pages.constFind(key);
    if (it == m_toolsCache->pages.cend()) {
        QJsonObject result = page(u"tools"_s, m_toolsCache->definitions, offset);
        if (scope.stateless)
            decorateStatelessResult(method, &result);
        it = m_toolsCache->pages.insert(key, ToolsPage { result, JsonRpc::serialize(result) });
    }
    // The envelope around the kept result, in the order QJsonDocument writes it (keys sorted).
    QByteArray response = JsonRpc::serialize(QJsonObject { { u"id"_s, message.id }, { u"jsonrpc"_s, u"2.0"_s } });
    response.chop(1);
    response.reserve(response.size() + it->json.size() + 12);
    response += ",\"result\":";
    response += it->json;
    response += '}';
    log(scope, method, timer.nsecsElapsed() / 1e6, false, {});
    if (!sink->respondSerialized(response))
        sink->respond(JsonRpc::resultResponse(message.id, it->result));
}

QJsonObject McpDispatcher::initialize(McpSession *session, const JsonRpcMessage &message)
{
    const QJsonValue &id = message.id;
    if (session->isInitialized())
        return JsonRpc::errorResponse(
            id, JsonRpc::InvalidRequest, u"Invalid Request: the session is already initialized"_s);
    const QJsonObject params = message.paramsObject();
    const QJsonValue requested = params.value(u"protocolVersion"_s);
    if (!requested.isString() || requested.toString().isEmpty())
        return invalidParams(id, u"Invalid params: \"protocolVersion\" must be a string"_s);
    const QJsonValue capabilities = params.value(u"capabilities"_s);
    if (!capabilities.isUndefined() && !capabilities.isObject())
        return invalidParams(id, u"Invalid params: \"capabilities\" must be an object"_s);
    const QJsonValue clientInfo = params.value(u"clientInfo"_s);
    if (!clientInfo.isUndefined() && !clientInfo.isObject())
        return invalidParams(id, u"Invalid params: \"clientInfo\" must be an object"_s);
    const QJsonObject info = clientInfo.toObject();

    // Echo a version we speak; otherwise offer our newest and let the client decide.
    const QString version
        = supportedProtocolVersions().contains(requested.toString()) ? requested.toString() : latestProtocolVersion();
    // A name is required by the schema, but the approval prompt copes with an anonymous client.
    QString name = info.value(u"title"_s).toString();
    if (name.isEmpty())
        name = info.value(u"name"_s).toString();
    session->setInitialized(
        version, name.left(200), info.value(u"version"_s).toString().left(100), capabilities.toObject());

    const QJsonObject serverCapabilities {
        { u"tools"_s, QJsonObject { { u"listChanged"_s, false } } },
        // Finished runs appear as tracedesk://runs/{id}; the server says so when it happens.
        { u"resources"_s, QJsonObject { { u"listChanged"_s, true }, { u"subscribe"_s, false } } },
        { u"prompts"_s, QJsonObject { { u"listChanged"_s, false } } },
        { u"logging"_s, QJsonObject {} },
        { u"completions"_s, QJsonObject {} },
    };
    const QJsonObject result {
        { u"protocolVersion"_s, version },
        { u"capabilities"_s, serverCapabilities },
        { u"serverInfo"_s, serverInfo() },
        { u"instructions"_s, instructions() },
    };
    return JsonRpc::resultResponse(id, result);
}

QJsonObject McpDispatcher::paginate(const JsonRpcMessage &message, const QString &kind, const QJsonArray &all) const
{
    const qsizetype offset = cursorOffset(message, kind, all.size());
    if (offset < 0)
        return invalidParams(message.id, u"Invalid params: invalid cursor"_s);
    return JsonRpc::resultResponse(message.id, page(kind, all, offset));
}

qsizetype McpDispatcher::cursorOffset(const JsonRpcMessage &message, const QString &kind, qsizetype total)
{
    const QJsonValue cursor = message.paramsObject().value(u"cursor"_s);
    if (cursor.isUndefined() || cursor.isNull())
        return 0;
    // Cursors are opaque to clients: base64url of "td1:<kind>:<offset>".
    const QByteArray decoded = QByteArray::fromBase64(
        cursor.toString().toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    const QList<QByteArray> parts = decoded.split(':');
    bool ok = false;
    qsizetype offset = 0;
    if (cursor.isString() && parts.size() == 3 && parts[0] == "td1" && parts[1] == kind.toLatin1())
        offset = parts[2].toLongLong(&ok);
    if (!ok || offset <= 0 || offset > total)
        return -1;
    return offset;
}

QJsonObject McpDispatcher::page(const QString &kind, const QJsonArray &all, qsizetype offset) const
{
    const qsizetype end = qMin<qsizetype>(all.size(), offset + m_pageSize);
    QJsonArray entries;
    for (qsizetype i = offset; i < end; ++i)
        entries.append(all.at(i));
    QJsonObject result { { kind, entries } };
    if (end < all.size()) {
        const QByteArray next = "td1:" + kind.toLatin1() + ':' + QByteArray::number(end);
        result.insert(u"nextCursor"_s,
            QString::fromLatin1(next.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    }
    return result;
}

QJsonObject McpDispatcher::complete(const QString &owner, const JsonRpcMessage &message)
{
    const QJsonValue &id = message.id;
    const QJsonObject params = message.paramsObject();
    const QJsonObject ref = params.value(u"ref"_s).toObject();
    const QJsonObject argument = params.value(u"argument"_s).toObject();
    const QString type = ref.value(u"type"_s).toString();
    const QJsonValue argName = argument.value(u"name"_s);
    const QJsonValue argValue = argument.value(u"value"_s);
    if (!argName.isString() || !argValue.isString())
        return invalidParams(id, u"Invalid params: \"argument\" needs string \"name\" and \"value\""_s);

    QStringList values;
    if (type == "ref/prompt"_L1) {
        const QJsonValue name = ref.value(u"name"_s);
        if (!name.isString())
            return invalidParams(id, u"Invalid params: \"ref.name\" must be a string"_s);
        values = m_handlers->completePrompt(name.toString(), argName.toString(), argValue.toString());
    } else if (type == "ref/resource"_L1) {
        const QJsonValue uri = ref.value(u"uri"_s);
        if (!uri.isString())
            return invalidParams(id, u"Invalid params: \"ref.uri\" must be a string"_s);
        values = m_handlers->completeResource(uri.toString(), argName.toString(), argValue.toString(), owner);
    } else {
        return invalidParams(id, u"Invalid params: \"ref.type\" must be \"ref/prompt\" or \"ref/resource\""_s);
    }
    QJsonObject completion { { u"values"_s, QJsonArray::fromStringList(values.mid(0, MaxCompletionValues)) },
        { u"total"_s, values.size() }, { u"hasMore"_s, values.size() > MaxCompletionValues } };
    return JsonRpc::resultResponse(id, QJsonObject { { u"completion"_s, completion } });
}

void McpDispatcher::callTool(
    McpSession *session, const RequestScope &scope, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink)
{
    const QJsonValue id = message.id;
    const QJsonObject params = message.paramsObject();
    const QJsonValue name = params.value(u"name"_s);
    const QJsonValue arguments = params.value(u"arguments"_s);
    const QString method = u"tools/call"_s;
    if (!name.isString() || name.toString().isEmpty()) {
        respond(scope, method, 0, invalidParams(id, u"Invalid params: \"name\" must be a non-empty string"_s), sink);
        return;
    }
    if (!m_handlers->hasTool(name.toString())) {
        respond(scope, method, 0, invalidParams(id, u"Unknown tool: %1"_s.arg(name.toString())), sink);
        return;
    }
    if (!arguments.isUndefined() && !arguments.isNull() && !arguments.isObject()) {
        respond(scope, method, 0, invalidParams(id, u"Invalid params: \"arguments\" must be an object"_s), sink);
        return;
    }

    struct CallState
    {
        bool finished = false;
        double lastProgress = -std::numeric_limits<double>::infinity();
        QElapsedTimer timer;
    };
    auto state = std::make_shared<CallState>();
    state->timer.start();

    // HTTP cancels a stateless request by closing its stream, and ids are only unique per
    // client there, so only byte streams and sessions track calls by id.
    const bool trackById = !scope.stateless || session->transport() != "http"_L1;
    const QString key = JsonRpc::idKey(id);
    auto *cancellation = new McpCancellation(this);
    if (trackById)
        session->addInFlight(key, cancellation);
    const QPointer<McpSession> weakSession(session);
    const QPointer<McpCancellation> weakCancellation(cancellation);
    const QString logName = method + u' ' + name.toString();

    // A cancelled request gets no response (spec); the transport may free the stream now.
    connect(cancellation, &McpCancellation::cancelled, this, [state, sink] {
        if (!state->finished)
            sink->abandon();
    });

    const QJsonValue progressToken = params.value(u"_meta"_s).toObject().value(u"progressToken"_s);
    McpCallContext context;
    context.sessionId = scope.owner;
    context.client = scope.client;
    context.protocolVersion = scope.protocolVersion;
    context.cancellation = cancellation;
    context.progress
        = [state, sink, progressToken, weakCancellation](double progress, double total, const QString &text) {
              if (state->finished || !JsonRpc::isValidId(progressToken) || !sink->isOpen())
                  return;
              if ((weakCancellation && weakCancellation->isCancelled()) || !(progress > state->lastProgress))
                  return; // the spec requires increasing progress
              state->lastProgress = progress;
              QJsonObject params { { u"progressToken"_s, progressToken }, { u"progress"_s, progress } };
              if (total > 0)
                  params.insert(u"total"_s, total);
              if (!text.isEmpty())
                  params.insert(u"message"_s, text);
              sink->notify(JsonRpc::notification(u"notifications/progress"_s, params));
          };
    // Stateless: only a request that named a log level gets log messages (2026-07-28 forbids
    // them otherwise); the session's setLevel does not reach it.
    const bool stateless = scope.stateless;
    const int statelessLevel = McpSession::logLevelIndex(scope.logLevel);
    context.log = [state, sink, weakSession, stateless, statelessLevel](const QString &level, const QJsonValue &data) {
        if (state->finished || !sink->isOpen())
            return;
        if (stateless ? statelessLevel < 0 || McpSession::logLevelIndex(level) < statelessLevel
                      : !weakSession || !weakSession->logLevelAllows(level))
            return;
        sink->notify(JsonRpc::notification(u"notifications/message"_s,
            QJsonObject { { u"level"_s, level }, { u"logger"_s, u"tracedesk"_s }, { u"data"_s, data } }));
    };

    m_handlers->callTool(name.toString(), arguments.toObject(), context,
        [this, state, sink, id, key, weakSession, weakCancellation, logName, scope, trackById](
            const QJsonObject &result) {
            if (std::exchange(state->finished, true))
                return;
            const bool cancelled = weakCancellation && weakCancellation->isCancelled();
            if (weakCancellation)
                weakCancellation->deleteLater();
            if (weakSession && !cancelled && trackById)
                weakSession->removeInFlight(key);
            const double ms = state->timer.nsecsElapsed() / 1e6;
            if (cancelled) {
                log(scope, logName, ms,
                    JsonRpc::errorResponse(id, JsonRpc::InternalError, u"cancelled by the client"_s));
                return;
            }
            respond(scope, logName, ms, JsonRpc::resultResponse(id, result), sink);
        });
}

void McpDispatcher::log(McpSession *session, const QString &method, double durationMs, const QJsonObject &response)
{
    McpTrafficEntry entry;
    entry.time = QDateTime::currentDateTime();
    entry.sessionId = session->id();
    entry.clientName = session->client().name;
    entry.method = method;
    entry.durationMs = durationMs;
    entry.isError = isError(response);
    if (entry.isError)
        entry.error = errorText(response);
    Q_EMIT trafficLogged(entry);
}

void McpDispatcher::log(
    const RequestScope &scope, const QString &method, double durationMs, const QJsonObject &response)
{
    const bool failed = isError(response);
    log(scope, method, durationMs, failed, failed ? errorText(response) : QString());
}

void McpDispatcher::log(
    const RequestScope &scope, const QString &method, double durationMs, bool failed, const QString &error)
{
    McpTrafficEntry entry;
    entry.time = QDateTime::currentDateTime();
    entry.sessionId = scope.logSessionId;
    entry.clientName = scope.client.name;
    entry.method = method;
    entry.durationMs = durationMs;
    entry.isError = failed;
    entry.error = error;
    Q_EMIT trafficLogged(entry);
}
