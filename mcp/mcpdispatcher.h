// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP protocol core behind every transport: life cycle and version negotiation, ping,
// tools/resources/prompts with cursor pagination, completions, logging, progress and
// cancellation. Asynchronous: a tools/call may answer much later (get_result long-polls) while
// the same session keeps being served.
//
// Two eras, decided per request: a request whose params._meta carries
// io.modelcontextprotocol/protocolVersion (or server/discover) is served statelessly as
// 2026-07-28 defines it, with the version, client and log level taken from that request alone;
// everything else is the handshake era (initialize, a session, the negotiated version).
#pragma once

#include "mcp/mcpcallcontext.h"
#include "mcp/mcpserver.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class McpHandlers;
class McpSession;
struct JsonRpcMessage;

/// Where everything that answers one incoming message goes. A transport implements it per
/// message (HTTP: one POST) or per connection (socket).
class McpSink
{
public:
    virtual ~McpSink();
    /// A notification related to the request in progress (progress, log message).
    virtual void notify(const QJsonObject &notification) = 0;
    /// The final answer: a response object, or an array for a batch.
    virtual void respond(const QJsonValue &response) = 0;
    /// The same final answer already serialized (compact JSON of one response object), for
    /// answers the dispatcher keeps as bytes (tools/list). Returns false, having sent nothing,
    /// when this sink cannot send them as they are; the dispatcher then calls respond().
    virtual bool respondSerialized(const QByteArray &json)
    {
        Q_UNUSED(json);
        return false;
    }
    /// The message needs no answer (a notification or a response).
    virtual void accept() = 0;
    /// The request was cancelled: no response will follow.
    virtual void abandon() { }
    virtual bool isOpen() const = 0;
    /// The HTTP status the next answer should carry (2026-07-28 answers some errors with 400 or
    /// 404). Byte-stream transports have no status and ignore it.
    virtual void setHttpStatus(int status) { Q_UNUSED(status); }
};

class McpDispatcher : public QObject
{
    Q_OBJECT
public:
    /// Newest first; the first one is answered to clients asking for a version we don't speak.
    static const QStringList &supportedProtocolVersions();
    static QString latestProtocolVersion();
    /// The stateless versions (2026-07-28 and later), served per request without initialize.
    static const QStringList &statelessProtocolVersions();
    /// Every version spoken, stateless ones first: what server/discover and
    /// UnsupportedProtocolVersionError list.
    static QStringList allProtocolVersions();
    /// The _meta key that carries a stateless request's protocol version.
    static QString protocolVersionMetaKey();
    /// Whether MESSAGE belongs to the stateless era: it names its protocol version in
    /// params._meta, or it is server/discover (which exists only there).
    static bool isStatelessMessage(const QJsonObject &message);
    /// The -32602 answer to a stateless request whose _meta lacks a required field
    /// (protocolVersion, clientCapabilities), or nullopt when it has them.
    static std::optional<QJsonObject> checkRequestMeta(const JsonRpcMessage &message);
    /// Tool NAME's inputSchema (empty when there is no such tool): the HTTP transport checks
    /// the Mcp-Param-* headers its x-mcp-header properties ask for.
    QJsonObject toolInputSchema(const QString &name) const;

    explicit McpDispatcher(McpHandlers *handlers, QObject *parent = nullptr);
    ~McpDispatcher() override;

    /// Entries per page of tools/list, resources/list, resources/templates/list, prompts/list.
    void setPageSize(int pageSize);
    int pageSize() const { return m_pageSize; }
    void setActivationHandler(std::function<void()> handler);

    /// Handles one parsed message (an object) or batch (an array) from `session`.
    void handle(McpSession *session, const QJsonValue &message, const std::shared_ptr<McpSink> &sink);
    /// Answers a fault found before there was a message (parse error, oversized line).
    void reportTransportError(
        McpSession *session, int code, const QString &message, const std::shared_ptr<McpSink> &sink);

Q_SIGNALS:
    void trafficLogged(const McpTrafficEntry &entry);
    /// initialize succeeded on the session (its clientInfo is now known).
    void sessionInitialized(McpSession *session);

private:
    /// Who asks, as far as one request tells: the session (handshake era) or the request's own
    /// _meta (stateless).
    struct RequestScope
    {
        bool stateless = false;
        QString owner; ///< run ownership: the session id, or one owner per stateless transport
        QString logSessionId; ///< the traffic log's session column
        ClientInfo client;
        QString protocolVersion;
        QString logLevel; ///< stateless: from _meta; empty sends no notifications/message
    };

    void handleOne(McpSession *session, const QJsonValue &message, const std::shared_ptr<McpSink> &sink);
    void handleBatch(McpSession *session, const QJsonArray &batch, const std::shared_ptr<McpSink> &sink);
    void handleNotification(McpSession *session, const JsonRpcMessage &message);
    void handleRequest(McpSession *session, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink);
    void handleStatelessRequest(
        McpSession *session, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink);
    /// The methods both eras share; false when METHOD is none of them.
    bool serve(McpSession *session, const RequestScope &scope, const JsonRpcMessage &message,
        const std::shared_ptr<McpSink> &sink);
    void callTool(McpSession *session, const RequestScope &scope, const JsonRpcMessage &message,
        const std::shared_ptr<McpSink> &sink);
    QJsonObject initialize(McpSession *session, const JsonRpcMessage &message);
    QJsonObject discover(const JsonRpcMessage &message) const;
    QJsonObject complete(const QString &owner, const JsonRpcMessage &message);
    QJsonObject paginate(const JsonRpcMessage &message, const QString &kind, const QJsonArray &all) const;
    /// The offset a list request's cursor names, or -1 when the cursor is not one we issued for
    /// KIND over TOTAL entries.
    static qsizetype cursorOffset(const JsonRpcMessage &message, const QString &kind, qsizetype total);
    /// The result object of one page of ALL from OFFSET, with nextCursor when more follow.
    QJsonObject page(const QString &kind, const QJsonArray &all, qsizetype offset) const;
    /// tools/list, answered from serialized pages kept until the tool definitions change.
    void listTools(const RequestScope &scope, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink);
    /// What the stateless era adds to every result of METHOD: resultType, serverInfo, caching hints.
    static void decorateStatelessResult(const QString &method, QJsonObject *result);
    /// Sends RESPONSE, in the stateless era with resultType, serverInfo and caching hints.
    void respond(const RequestScope &scope, const QString &method, double durationMs, QJsonObject response,
        const std::shared_ptr<McpSink> &sink);
    void log(McpSession *session, const QString &method, double durationMs, const QJsonObject &response);
    void log(const RequestScope &scope, const QString &method, double durationMs, const QJsonObject &response);
    void log(const RequestScope &scope, const QString &method, double durationMs, bool failed, const QString &error);

    McpHandlers *m_handlers;
    int m_pageSize = 100;
    std::function<void()> m_activationHandler;

    /// tools/list answers as built once per (era, page): serializing some 30 KB of schemas was
    /// most of what a tools/list request cost. Dropped when the handlers' revision or the page
    /// size changes.
    struct ToolsPage
    {
        QJsonObject result; ///< for sinks that take objects only
        QByteArray json; ///< the same result, serialized
    };
    struct ToolsCache
    {
        quint64 revision = 0;
        int pageSize = 0;
        QJsonArray definitions;
        QHash<qsizetype, ToolsPage> pages; ///< by offset * 2 + (stateless ? 1 : 0)
    };
    std::optional<ToolsCache> m_toolsCache;
};
