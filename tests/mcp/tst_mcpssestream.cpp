// SPDX-License-Identifier: GPL-2.0-or-later
// McpSseStream over real McpHttpConnections (on local sockets): ids, replay after Last-Event-ID,
// one reader at a time, the byte limit and the end of a finished stream.
#include "mcp/mcpssestream.h"

#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

/// A client socket and the server's McpHttpConnection for it, awaiting the answer to a GET.
struct Exchange
{
    std::unique_ptr<QLocalSocket> client;
    QPointer<McpHttpConnection> connection;
    QByteArray received;

    QByteArray read()
    {
        received += client->readAll();
        return received;
    }
    bool shows(const QByteArray &text) { return read().contains(text); }
    int count(const QByteArray &text) { return int(read().count(text)); }
};

QJsonObject message(int n)
{
    return QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, u"notifications/message"_s },
        { u"params"_s, QJsonObject { { u"n"_s, n } } } };
}

} // namespace

class TestMcpSseStream : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QLocalServer m_server;

    std::unique_ptr<Exchange> open()
    {
        auto exchange = std::make_unique<Exchange>();
        Exchange *e = exchange.get();
        exchange->client = std::make_unique<QLocalSocket>();
        exchange->client->connectToServer(m_server.fullServerName());
        if (!exchange->client->waitForConnected(5000) || !m_server.waitForNewConnection(5000))
            return nullptr;
        auto *connection = new McpHttpConnection(m_server.nextPendingConnection(), {}, this);
        connection->requestHandler = [e](McpHttpConnection *c, const McpHttpRequest &) { e->connection = c; };
        connection->start();
        exchange->client->write("GET /mcp HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
        if (!QTest::qWaitFor([e] { return !e->connection.isNull(); }, 5000))
            return nullptr;
        return exchange;
    }
    static McpHttpHeaders headers() { return { { "Content-Type", "text/event-stream" } }; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.listen(m_dir.filePath(u"sse.sock"_s)));
    }

    void parseEventId_data()
    {
        QTest::addColumn<QByteArray>("eventId");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("stream");
        QTest::addColumn<qint64>("sequence");
        QTest::newRow("post stream") << QByteArray("p12-3") << true << u"p12"_s << qint64(3);
        QTest::newRow("priming") << QByteArray("g1-0") << true << u"g1"_s << qint64(0);
        QTest::newRow("no dash") << QByteArray("p12") << false << QString() << qint64(0);
        QTest::newRow("no stream") << QByteArray("-3") << false << QString() << qint64(0);
        QTest::newRow("negative") << QByteArray("p1--3") << false << QString() << qint64(0);
        QTest::newRow("not a number") << QByteArray("p1-x") << false << QString() << qint64(0);
        QTest::newRow("empty") << QByteArray() << false << QString() << qint64(0);
    }

    void parseEventId()
    {
        QFETCH(QByteArray, eventId);
        QFETCH(bool, ok);
        QFETCH(QString, stream);
        QFETCH(qint64, sequence);
        QString parsedStream;
        qint64 parsedSequence = -1;
        QCOMPARE(McpSseStream::parseEventId(eventId, &parsedStream, &parsedSequence), ok);
        if (ok) {
            QCOMPARE(parsedStream, stream);
            QCOMPARE(parsedSequence, sequence);
        }
    }

    void primedIdsAndReplay()
    {
        McpSseStream stream(u"p7"_s, true, {});
        auto first = open();
        QVERIFY(first);
        QVERIFY(stream.attach(first->connection, headers(), -1));
        stream.send(message(1));
        stream.send(message(2));
        QTRY_VERIFY(first->shows("id: p7-2\nevent: message\ndata: "));
        QVERIFY(first->read().contains("id: p7-0\ndata: \n\n"));
        QVERIFY(first->read().indexOf("p7-0") < first->read().indexOf("p7-1"));
        QCOMPARE(stream.lastSequence(), 2);

        // The reader goes away; events keep coming and wait.
        first->client->abort();
        QTRY_VERIFY(!stream.isAttached());
        stream.send(message(3));

        auto second = open();
        QVERIFY(second);
        QVERIFY(stream.attach(second->connection, headers(), 1));
        QTRY_VERIFY(second->shows("id: p7-3\n"));
        QVERIFY(second->read().contains("id: p7-2\n"));
        QVERIFY(!second->read().contains("id: p7-1\n"));
        QVERIFY(!second->read().contains("p7-0")); // priming only opens a stream
        QVERIFY(second->read().contains("{\"n\":3}"));
    }

    void oneReaderAtATime()
    {
        McpSseStream stream(u"g1"_s, false, {});
        auto first = open();
        auto second = open();
        QVERIFY(first && second);
        QVERIFY(stream.attach(first->connection, headers(), -1));
        QVERIFY(stream.attach(second->connection, headers(), 0));
        stream.send(message(1));
        QTRY_VERIFY(second->shows("id: g1-1\n"));
        // The first one's response was ended (chunked: the terminating zero chunk), without the event.
        QTRY_VERIFY(first->shows("0\r\n\r\n"));
        QVERIFY(!first->read().contains("g1-1"));
    }

    void notificationsDroppedForSpaceNeverResponses()
    {
        McpSseStream::Limits limits;
        limits.maxBufferedBytes = 1000;
        McpSseStream stream(u"p1"_s, false, limits);
        for (int i = 1; i <= 50; ++i)
            stream.send(message(i));
        const QJsonObject response { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, 7 }, { u"result"_s, QJsonObject {} } };
        stream.send(response); // p1-51
        for (int i = 52; i <= 80; ++i)
            stream.send(message(i));
        QVERIFY(stream.droppedEvents() > 0);
        auto late = open();
        QVERIFY(late);
        QString error;
        QVERIFY(!stream.attach(late->connection, headers(), 81, &error)); // not sent yet
        QVERIFY2(error.contains(u"never sent"_s), qPrintable(error));
        QVERIFY(late->connection->isAwaitingResponse()); // nothing was sent on it
        // Resuming from early on: the response is there although it is older than what was kept
        // of the notifications around it; the oldest notifications are gone.
        QVERIFY(stream.attach(late->connection, headers(), 1, &error));
        QTRY_VERIFY(late->shows("id: p1-80\n"));
        QVERIFY(late->read().contains("id: p1-51\n"));
        QVERIFY(late->read().contains("\"id\":7"));
        QVERIFY(!late->read().contains("id: p1-2\n"));
    }

    void finishedStreamEndsAndCompletes()
    {
        McpSseStream stream(u"p2"_s, true, {});
        QSignalSpy completed(&stream, &McpSseStream::completed);
        auto reader = open();
        QVERIFY(reader);
        QVERIFY(stream.attach(reader->connection, headers(), -1));
        stream.send(message(1));
        stream.finish();
        QCOMPARE(completed.size(), 1);
        QTRY_VERIFY(reader->shows("0\r\n\r\n"));
        stream.send(message(2)); // after the end: ignored
        QTest::qWait(20);
        QVERIFY(!reader->read().contains("p2-2"));
    }

    void finishedWhileDetachedWaitsThenGoes()
    {
        McpSseStream::Limits limits;
        limits.retentionMs = 200;
        auto *stream = new McpSseStream(u"p3"_s, false, limits);
        QPointer<McpSseStream> guard(stream);
        QSignalSpy completed(stream, &McpSseStream::completed);
        stream->send(message(1));
        stream->finish();
        QVERIFY(completed.isEmpty()); // nobody got it yet
        // Resumed within the retention time: the rest, then the end.
        auto reader = open();
        QVERIFY(reader);
        QVERIFY(stream->attach(reader->connection, headers(), 0));
        QCOMPARE(completed.size(), 1);
        QTRY_VERIFY(reader->shows("id: p3-1\n"));

        // Never resumed: deleted after the retention time.
        auto *orphan = new McpSseStream(u"p4"_s, false, limits);
        QPointer<McpSseStream> orphanGuard(orphan);
        orphan->send(message(1));
        orphan->finish();
        QTRY_VERIFY_WITH_TIMEOUT(orphanGuard.isNull(), 5000);
        delete guard.data();
    }

    void destroyedWhileAttachedEndsTheResponse()
    {
        auto reader = open();
        QVERIFY(reader);
        {
            McpSseStream stream(u"g9"_s, false, {});
            QVERIFY(stream.attach(reader->connection, headers(), -1));
            stream.send(message(1));
        }
        QTRY_VERIFY(reader->shows("0\r\n\r\n"));
        QVERIFY(reader->read().contains("id: g9-1\n"));
    }
};

QTEST_GUILESS_MAIN(TestMcpSseStream)
#include "tst_mcpssestream.moc"
