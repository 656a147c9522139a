// SPDX-License-Identifier: GPL-2.0-or-later
// One server-sent-event stream of an HTTP session, resumable by Last-Event-ID.
#include "mcp/mcpssestream.h"

#include "mcp/jsonrpc.h"

#include <algorithm>
#include <cctype>

using namespace Qt::StringLiterals;

McpSseStream::McpSseStream(const QString &id, bool primed, const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_primed(primed)
{
    setObjectName(id);
    m_retention.setSingleShot(true);
    connect(&m_retention, &QTimer::timeout, this, &QObject::deleteLater);
}

McpSseStream::~McpSseStream()
{
    // The session is going away: end the live response properly rather than leave it hanging.
    if (isAttached()) {
        disconnect(m_closedConnection);
        m_connection->endStream();
    }
}

bool McpSseStream::parseEventId(const QByteArray &eventId, QString *streamId, qint64 *sequence)
{
    // Ours are a letter, digits, a dash and digits ("p12-3"); anything else names no stream.
    const qsizetype dash = eventId.lastIndexOf('-');
    if (dash < 2 || !std::isalpha(uchar(eventId.front())))
        return false;
    for (qsizetype i = 1; i < dash; ++i) {
        if (!std::isdigit(uchar(eventId.at(i))))
            return false;
    }
    const QByteArray number = eventId.mid(dash + 1);
    if (number.isEmpty() || !std::all_of(number.cbegin(), number.cend(), [](char c) { return std::isdigit(uchar(c)); }))
        return false;
    bool ok = false;
    const qint64 n = number.toLongLong(&ok);
    if (!ok)
        return false;
    *streamId = QString::fromLatin1(eventId.left(dash));
    *sequence = n;
    return true;
}

bool McpSseStream::attach(McpHttpConnection *connection, const McpHttpHeaders &headers, qint64 after, QString *error)
{
    if (after > lastSequence()) {
        if (error)
            *error = u"event %1-%2 was never sent"_s.arg(id()).arg(after);
        return false;
    }
    if (isAttached()) {
        McpHttpConnection *previous = m_connection;
        detach();
        previous->endStream();
    }
    m_retention.stop();
    m_connection = connection;
    m_closedConnection = connect(connection, &McpHttpConnection::closed, this, &McpSseStream::detach);
    connection->beginStream(200, headers);
    if (after < 0 && m_primed)
        connection->writeStream("id: " + id().toLatin1() + "-0\ndata: \n\n");
    for (const Event &event : std::as_const(m_events)) {
        if (event.sequence > after)
            connection->writeStream(event.bytes);
    }
    endIfFinished();
    return true;
}

void McpSseStream::send(const QJsonValue &message)
{
    if (m_finished)
        return;
    const qint64 sequence = m_nextSequence++;
    QByteArray bytes = "id: " + id().toLatin1() + '-' + QByteArray::number(sequence)
        + "\nevent: message\ndata: " + JsonRpc::serialize(message) + "\n\n";
    if (isAttached())
        m_connection->writeStream(bytes);
    m_bufferedBytes += bytes.size();
    // Responses and requests carry an id and must arrive; notifications (progress, log lines) may
    // be lost, so they are what goes when the stream holds too much.
    const bool essential = message.isArray() || message.toObject().contains(u"id"_s);
    m_events.append(Event { sequence, essential, std::move(bytes) });
    for (auto it = m_events.begin(); m_bufferedBytes > m_limits.maxBufferedBytes && it != m_events.end();) {
        if (it->essential) {
            ++it;
            continue;
        }
        m_bufferedBytes -= it->bytes.size();
        it = m_events.erase(it);
        ++m_droppedEvents;
    }
}

void McpSseStream::finish()
{
    if (std::exchange(m_finished, true))
        return;
    endIfFinished();
}

void McpSseStream::detach()
{
    disconnect(m_closedConnection);
    m_connection = nullptr;
    if (m_finished)
        m_retention.start(m_limits.retentionMs);
}

void McpSseStream::endIfFinished()
{
    if (!m_finished)
        return;
    if (!isAttached()) {
        m_retention.start(m_limits.retentionMs);
        return;
    }
    McpHttpConnection *connection = m_connection;
    detach(); // starts the retention time: the end may yet be lost with the connection
    connection->endStream();
    Q_EMIT completed();
}
