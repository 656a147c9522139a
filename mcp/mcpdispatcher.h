// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP protocol core behind every transport: life cycle and version negotiation, ping,
// tools/resources/prompts with cursor pagination, completions, logging, progress and
// cancellation. Asynchronous: a tools/call may answer much later (get_result long-polls) while
// the same session keeps being served.
#pragma once

#include "mcp/mcpserver.h"

#include <QJsonValue>
#include <QObject>

#include <functional>
#include <memory>

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
    /// The message needs no answer (a notification or a response).
    virtual void accept() = 0;
    /// The request was cancelled: no response will follow.
    virtual void abandon() { }
    virtual bool isOpen() const = 0;
};

class McpDispatcher : public QObject
{
    Q_OBJECT
public:
    /// Newest first; the first one is answered to clients asking for a version we don't speak.
    static const QStringList &supportedProtocolVersions();
    static QString latestProtocolVersion();

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
    void handleOne(McpSession *session, const QJsonValue &message, const std::shared_ptr<McpSink> &sink);
    void handleBatch(McpSession *session, const QJsonArray &batch, const std::shared_ptr<McpSink> &sink);
    void handleNotification(McpSession *session, const JsonRpcMessage &message);
    void handleRequest(McpSession *session, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink);
    void callTool(McpSession *session, const JsonRpcMessage &message, const std::shared_ptr<McpSink> &sink);
    QJsonObject initialize(McpSession *session, const JsonRpcMessage &message);
    QJsonObject complete(const McpSession *session, const JsonRpcMessage &message);
    QJsonObject paginate(const JsonRpcMessage &message, const QString &kind, const QJsonArray &all) const;
    void log(McpSession *session, const QString &method, double durationMs, const QJsonObject &response);

    McpHandlers *m_handlers;
    int m_pageSize = 100;
    std::function<void()> m_activationHandler;
};
