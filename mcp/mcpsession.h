// SPDX-License-Identifier: GPL-2.0-or-later
// One MCP session: a socket connection, or an Mcp-Session-Id on HTTP. Holds what initialize
// told us (client, version, capabilities), the log level and the requests in flight.
#pragma once

#include "mcp/mcpcallcontext.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>

class McpSession : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        AwaitingInitialize, ///< only initialize, ping and tracedesk/activate are served
        Initializing, ///< initialize answered, notifications/initialized not yet seen
        Ready,
        Closed,
    };

    /// Log levels of logging/setLevel, in increasing severity.
    static const QStringList &logLevels();
    static int logLevelIndex(const QString &level); ///< -1 when unknown

    explicit McpSession(const QString &transport, QObject *parent = nullptr);
    ~McpSession() override;

    QString id() const { return m_id; }
    QString transport() const { return m_transport; }
    State state() const { return m_state; }
    bool isClosed() const { return m_state == State::Closed; }
    bool isInitialized() const { return m_state == State::Initializing || m_state == State::Ready; }

    ClientInfo client() const;
    QString protocolVersion() const { return m_protocolVersion; }
    QJsonObject clientCapabilities() const { return m_clientCapabilities; }
    QDateTime connectedAt() const { return m_connectedAt; }
    QDateTime lastActivity() const { return m_lastActivity; }
    int requestCount() const { return m_requestCount; }
    /// JSON-RPC batches exist only in protocol version 2025-03-26.
    bool acceptsBatches() const;

    QString logLevel() const { return logLevels().value(m_logLevel); }
    bool logLevelAllows(const QString &level) const;
    void setLogLevel(const QString &level);

    void setInitialized(const QString &protocolVersion, const QString &clientName, const QString &clientVersion,
        const QJsonObject &capabilities);
    void setReady();
    void touch();
    void countRequest();

    /// Requests in flight, keyed by JsonRpc::idKey.
    bool hasInFlight(const QString &key) const { return m_inFlight.contains(key); }
    void addInFlight(const QString &key, McpCancellation *cancellation);
    void removeInFlight(const QString &key);
    /// Cancels the request; false when no such request is in flight.
    bool cancelInFlight(const QString &key);
    int inFlightCount() const { return m_inFlight.size(); }

    /// Where server-initiated messages go (the socket itself, or HTTP GET streams). Each message
    /// goes to one channel only: the most recently added connected one (IS_CONNECTED, when given,
    /// says whether it is), else the most recent whose owner still exists (it keeps the message
    /// for a resume).
    void addPushChannel(
        QObject *owner, std::function<void(const QJsonObject &)> send, std::function<bool()> isConnected = {});
    /// False when no channel is open (the message is dropped).
    bool push(const QJsonObject &message);

    /// Cancels everything in flight and marks the session closed; emits closed() once.
    void close();

Q_SIGNALS:
    void changed();
    void closed();

private:
    struct PushChannel
    {
        QPointer<QObject> owner;
        std::function<void(const QJsonObject &)> send;
        std::function<bool()> isConnected;
    };

    QString m_id;
    QString m_transport;
    State m_state = State::AwaitingInitialize;
    QString m_protocolVersion;
    QString m_clientName;
    QString m_clientVersion;
    QJsonObject m_clientCapabilities;
    QDateTime m_connectedAt;
    QDateTime m_lastActivity;
    int m_requestCount = 0;
    int m_logLevel = 1; // "info" until the client asks for another
    QHash<QString, QPointer<McpCancellation>> m_inFlight;
    QList<PushChannel> m_pushChannels;
};
