// SPDX-License-Identifier: GPL-2.0-or-later
// One MCP session: client, version, capabilities, log level, requests in flight.
#include "mcp/mcpsession.h"

#include <QRandomGenerator>

using namespace Qt::StringLiterals;

const QStringList &McpSession::logLevels()
{
    static const QStringList levels { u"debug"_s, u"info"_s, u"notice"_s, u"warning"_s, u"error"_s, u"critical"_s,
        u"alert"_s, u"emergency"_s };
    return levels;
}

int McpSession::logLevelIndex(const QString &level)
{
    return logLevels().indexOf(level);
}

static QString newSessionId()
{
    // The spec asks for a cryptographically secure id of visible ASCII: 128 random bits in hex.
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex());
}

McpSession::McpSession(const QString &transport, QObject *parent)
    : QObject(parent)
    , m_id(newSessionId())
    , m_transport(transport)
    , m_connectedAt(QDateTime::currentDateTimeUtc())
    , m_lastActivity(m_connectedAt)
{ }

McpSession::~McpSession()
{
    close();
}

ClientInfo McpSession::client() const
{
    ClientInfo info;
    info.name = m_clientName;
    info.version = m_clientVersion;
    info.transport = m_transport;
    info.sessionId = m_id;
    return info;
}

bool McpSession::acceptsBatches() const
{
    return m_protocolVersion == "2025-03-26"_L1;
}

bool McpSession::logLevelAllows(const QString &level) const
{
    const int index = logLevelIndex(level);
    return index >= 0 && index >= m_logLevel;
}

void McpSession::setLogLevel(const QString &level)
{
    const int index = logLevelIndex(level);
    if (index >= 0)
        m_logLevel = index;
}

void McpSession::setInitialized(const QString &protocolVersion, const QString &clientName, const QString &clientVersion,
    const QJsonObject &capabilities)
{
    m_protocolVersion = protocolVersion;
    m_clientName = clientName;
    m_clientVersion = clientVersion;
    m_clientCapabilities = capabilities;
    if (m_state == State::AwaitingInitialize)
        m_state = State::Initializing;
    Q_EMIT changed();
}

void McpSession::setReady()
{
    if (m_state == State::Initializing) {
        m_state = State::Ready;
        Q_EMIT changed();
    }
}

void McpSession::touch()
{
    m_lastActivity = QDateTime::currentDateTimeUtc();
}

void McpSession::countRequest()
{
    ++m_requestCount;
    touch();
}

void McpSession::addInFlight(const QString &key, McpCancellation *cancellation)
{
    m_inFlight.insert(key, cancellation);
}

void McpSession::removeInFlight(const QString &key)
{
    m_inFlight.remove(key);
}

bool McpSession::cancelInFlight(const QString &key)
{
    const QPointer<McpCancellation> cancellation = m_inFlight.take(key);
    if (!cancellation)
        return false;
    cancellation->cancel();
    return true;
}

void McpSession::addPushChannel(
    QObject *owner, std::function<void(const QJsonObject &)> send, std::function<bool()> isConnected)
{
    m_pushChannels.append(PushChannel { owner, std::move(send), std::move(isConnected) });
}

bool McpSession::push(const QJsonObject &message)
{
    if (isClosed())
        return false;
    m_pushChannels.removeIf([](const PushChannel &channel) { return !channel.owner; });
    if (m_pushChannels.isEmpty())
        return false;
    for (auto it = m_pushChannels.crbegin(); it != m_pushChannels.crend(); ++it) {
        if (!it->isConnected || it->isConnected()) {
            it->send(message);
            return true;
        }
    }
    m_pushChannels.last().send(message);
    return true;
}

void McpSession::close()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    const auto inFlight = std::exchange(m_inFlight, {});
    for (const QPointer<McpCancellation> &cancellation : inFlight) {
        if (cancellation)
            cancellation->cancel();
    }
    m_pushChannels.clear();
    Q_EMIT closed();
}
