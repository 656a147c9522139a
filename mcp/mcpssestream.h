// SPDX-License-Identifier: GPL-2.0-or-later
// One server-sent-event stream of an HTTP session, resumable by Last-Event-ID.
#pragma once

#include "mcp/mcphttpconnection.h"

#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

/// One server-sent-event stream of an HTTP session: the answer to a POST, or a GET's channel for
/// messages the server starts. It lives apart from the connection carrying it, so a dropped
/// connection loses nothing: every event gets an id "<stream>-<n>", unique within the session,
/// and a client that GETs again with that Last-Event-ID is sent what followed, then the rest as it
/// comes (MCP 2025-11-25, "Resumability and Redelivery").
///
/// Events are kept while the stream lives, up to a limit in bytes; over it, the oldest
/// notifications go (a resume then skips them), never a response. A finished stream stays for the
/// retention time after its end went out, in case the connection lost it; one nobody resumes is
/// deleted then.
class McpSseStream : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        qint64 maxBufferedBytes = 4 * 1024 * 1024;
        int retentionMs = 5 * 60 * 1000; ///< a finished stream waits this long for its client
    };

    /// PRIMED: open with an event that has an id and no data, so that a client can resume even
    /// before the first message (the spec's SHOULD for 2025-11-25; older clients would choke on
    /// the empty data). Parent it to the session: it goes away with it.
    McpSseStream(const QString &id, bool primed, const Limits &limits, QObject *parent = nullptr);
    ~McpSseStream() override;

    /// "<stream>-<n>" split into its parts; false when EVENT_ID is not one of ours.
    static bool parseEventId(const QByteArray &eventId, QString *streamId, qint64 *sequence);

    QString id() const { return objectName(); }
    bool isAttached() const { return m_connection && m_connection->isOpen(); }
    bool isFinished() const { return m_finished; }
    /// The number of the last event sent so far (0 before any).
    qint64 lastSequence() const { return m_nextSequence - 1; }
    /// Notifications dropped to stay within the byte limit (responses never are).
    qint64 droppedEvents() const { return m_droppedEvents; }

    /// Starts an SSE response on CONNECTION (which awaits its response) and sends every event after
    /// number AFTER, then carries on live. AFTER < 0 is the first attach: everything, after the
    /// priming event. A connection already attached is ended first: one stream, one reader. False,
    /// with ERROR set and nothing sent, when AFTER names an event not sent yet.
    bool attach(McpHttpConnection *connection, const McpHttpHeaders &headers, qint64 after, QString *error = nullptr);

    /// Appends a message (a notification, a request, or the final response).
    void send(const QJsonValue &message);
    /// No more events. The live connection, if any, is ended once they are out.
    void finish();

Q_SIGNALS:
    /// The stream is finished and its end went out on a live connection.
    void completed();

private:
    struct Event
    {
        qint64 sequence;
        bool essential; ///< a response or request: never dropped for space
        QByteArray bytes;
    };

    void detach();
    void endIfFinished();

    Limits m_limits;
    QPointer<McpHttpConnection> m_connection;
    QMetaObject::Connection m_closedConnection;
    QList<Event> m_events;
    qint64 m_bufferedBytes = 0;
    qint64 m_nextSequence = 1;
    qint64 m_droppedEvents = 0;
    bool m_primed;
    bool m_finished = false;
    QTimer m_retention;
};
