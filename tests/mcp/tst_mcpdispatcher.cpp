// SPDX-License-Identifier: GPL-2.0-or-later
// McpDispatcher over FakeHandlers: life cycle, pagination, completions, cancellation.
#include "fakehandlers.h"
#include "mcp/jsonrpc.h"
#include "mcp/mcpdispatcher.h"
#include "mcp/mcpsession.h"
#include "mcptestclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

class RecordingSink : public McpSink
{
public:
    void notify(const QJsonObject &notification) override { notifications.append(notification); }
    void respond(const QJsonValue &response) override { responses.append(response); }
    void accept() override { ++accepted; }
    void abandon() override { ++abandoned; }
    bool isOpen() const override { return open; }

    QJsonObject last() const { return responses.isEmpty() ? QJsonObject() : responses.last().toObject(); }
    int errorCode() const { return last().value(u"error"_s).toObject().value(u"code"_s).toInt(); }
    QJsonObject result() const { return last().value(u"result"_s).toObject(); }

    QList<QJsonObject> notifications;
    QList<QJsonValue> responses;
    int accepted = 0;
    int abandoned = 0;
    bool open = true;
};

/// A sink that takes serialized answers as they are, as the HTTP and socket transports do.
class BytesSink : public RecordingSink
{
public:
    bool respondSerialized(const QByteArray &json) override
    {
        serialized.append(json);
        responses.append(QJsonDocument::fromJson(json).object());
        return true;
    }
    QList<QByteArray> serialized;
};

QJsonObject note(const QString &method, const QJsonObject &params = {})
{
    return JsonRpc::notification(method, params);
}

QJsonObject statelessMeta(const QString &version = u"2026-07-28"_s)
{
    return QJsonObject { { u"io.modelcontextprotocol/protocolVersion"_s, version },
        { u"io.modelcontextprotocol/clientInfo"_s,
            QJsonObject { { u"name"_s, u"stateless-client"_s }, { u"version"_s, u"2.0"_s } } },
        { u"io.modelcontextprotocol/clientCapabilities"_s, QJsonObject {} } };
}

QJsonObject withMeta(QJsonObject params, const QJsonObject &meta = statelessMeta())
{
    params.insert(u"_meta"_s, meta);
    return params;
}

} // namespace

class TestMcpDispatcher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void lifecycle();
    void versionNegotiation_data();
    void versionNegotiation();
    void initializeParamsValidated_data();
    void initializeParamsValidated();
    void capabilities();
    void cancelInFlightRequest();
    void cancelUnknownIsIgnored();
    void duplicateIdInFlight();
    void setLevelAndLogMessages();
    void progressNotifications();
    void pagination();
    void invalidCursor_data();
    void invalidCursor();
    void toolsListKeptSerialized();
    void resourcesPromptsCompletion();
    void batches();
    void trafficEntries();
    void statelessWithoutInitialize();
    void statelessMetaValidated_data();
    void statelessMetaValidated();
    void statelessUnsupportedVersion();
    void statelessRemovedMethods_data();
    void statelessRemovedMethods();
    void statelessDiscover();
    void resourceNotFoundPerEra();
    void statelessCallContext();
    void bothErasOnOneConnection();

private:
    std::shared_ptr<RecordingSink> send(const QJsonValue &message);
    void initializeSession(const QString &version = u"2025-11-25"_s);

    std::unique_ptr<FakeHandlers> m_handlers;
    std::unique_ptr<McpDispatcher> m_dispatcher;
    std::unique_ptr<McpSession> m_session;
};

void TestMcpDispatcher::init()
{
    m_handlers = std::make_unique<FakeHandlers>(250);
    m_dispatcher = std::make_unique<McpDispatcher>(m_handlers.get());
    m_session = std::make_unique<McpSession>(u"socket"_s);
}

std::shared_ptr<RecordingSink> TestMcpDispatcher::send(const QJsonValue &message)
{
    auto sink = std::make_shared<RecordingSink>();
    m_dispatcher->handle(m_session.get(), message, sink);
    return sink;
}

void TestMcpDispatcher::initializeSession(const QString &version)
{
    const auto sink = send(rpcRequest(0, u"initialize"_s, initializeParams(version)));
    QVERIFY(sink->result().contains(u"protocolVersion"_s));
    send(note(u"notifications/initialized"_s));
}

void TestMcpDispatcher::lifecycle()
{
    QCOMPARE(m_session->state(), McpSession::State::AwaitingInitialize);
    // Before initialize: only ping (and our activation) are served.
    auto sink = send(rpcRequest(1, u"tools/list"_s));
    QCOMPARE(sink->errorCode(), -32600);
    QVERIFY(sink->last().value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"initialize"_s));
    QCOMPARE(sink->last().value(u"id"_s).toInt(), 1);
    sink = send(rpcRequest(2, u"ping"_s));
    QCOMPARE(sink->result(), QJsonObject());
    QVERIFY(sink->last().contains(u"result"_s));

    sink = send(rpcRequest(3, u"initialize"_s, initializeParams()));
    QCOMPARE(sink->result().value(u"protocolVersion"_s).toString(), u"2025-11-25"_s);
    QCOMPARE(m_session->state(), McpSession::State::Initializing);
    QCOMPARE(m_session->client().name, u"test-client"_s);
    QCOMPARE(m_session->client().transport, u"socket"_s);

    sink = send(note(u"notifications/initialized"_s));
    QCOMPARE(sink->accepted, 1);
    QVERIFY(sink->responses.isEmpty());
    QCOMPARE(m_session->state(), McpSession::State::Ready);

    sink = send(rpcRequest(4, u"initialize"_s, initializeParams()));
    QCOMPARE(sink->errorCode(), -32600);
    sink = send(rpcRequest(5, u"tools/list"_s));
    QVERIFY(sink->result().contains(u"tools"_s));
    sink = send(rpcRequest(6, u"no/such/method"_s));
    QCOMPARE(sink->errorCode(), -32601);
    // A response from the client (we never ask it anything) is accepted and dropped.
    sink = send(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, 77 }, { u"result"_s, QJsonObject {} } });
    QCOMPARE(sink->accepted, 1);
}

void TestMcpDispatcher::versionNegotiation_data()
{
    QTest::addColumn<QString>("requested");
    QTest::addColumn<QString>("answered");
    QTest::newRow("2025-11-25") << u"2025-11-25"_s << u"2025-11-25"_s;
    QTest::newRow("2025-06-18") << u"2025-06-18"_s << u"2025-06-18"_s;
    QTest::newRow("2025-03-26") << u"2025-03-26"_s << u"2025-03-26"_s;
    QTest::newRow("2024-11-05 gets newest") << u"2024-11-05"_s << u"2025-11-25"_s;
    QTest::newRow("future gets newest") << u"2031-01-01"_s << u"2025-11-25"_s;
    QTest::newRow("nonsense gets newest") << u"banana"_s << u"2025-11-25"_s;
}

void TestMcpDispatcher::versionNegotiation()
{
    QFETCH(QString, requested);
    QFETCH(QString, answered);
    const auto sink = send(rpcRequest(1, u"initialize"_s, initializeParams(requested)));
    QCOMPARE(sink->result().value(u"protocolVersion"_s).toString(), answered);
    QCOMPARE(m_session->protocolVersion(), answered);
}

void TestMcpDispatcher::initializeParamsValidated_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::newRow("no params") << QJsonObject();
    QTest::newRow("version a number") << QJsonObject { { u"protocolVersion"_s, 20251125 } };
    QTest::newRow("capabilities a string")
        << QJsonObject { { u"protocolVersion"_s, u"2025-11-25"_s }, { u"capabilities"_s, u"all"_s } };
    QTest::newRow("clientInfo an array") << QJsonObject { { u"protocolVersion"_s, u"2025-11-25"_s },
        { u"clientInfo"_s, QJsonArray { 1 } } };
}

void TestMcpDispatcher::initializeParamsValidated()
{
    QFETCH(QJsonObject, params);
    const auto sink = send(rpcRequest(1, u"initialize"_s, params));
    QCOMPARE(sink->errorCode(), -32602);
    QVERIFY(!m_session->isInitialized());
}

void TestMcpDispatcher::capabilities()
{
    const auto sink = send(rpcRequest(1, u"initialize"_s, initializeParams()));
    const QJsonObject capabilities = sink->result().value(u"capabilities"_s).toObject();
    for (const QString &key : { u"tools"_s, u"resources"_s, u"prompts"_s, u"logging"_s, u"completions"_s })
        QVERIFY2(capabilities.contains(key), qPrintable(key));
    QCOMPARE(capabilities.value(u"resources"_s).toObject().value(u"listChanged"_s).toBool(), true);
    QCOMPARE(capabilities.value(u"tools"_s).toObject().value(u"listChanged"_s).toBool(), false);
    QVERIFY(!sink->result().value(u"instructions"_s).toString().isEmpty());
}

void TestMcpDispatcher::cancelInFlightRequest()
{
    initializeSession();
    const auto call = send(rpcRequest(u"long"_s, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 10000 } } } }));
    QVERIFY(call->responses.isEmpty());
    QCOMPARE(m_session->inFlightCount(), 1);
    QVERIFY(m_handlers->lastContext.cancellation);
    QCOMPARE(m_handlers->lastContext.client.name, u"test-client"_s);

    // Other requests are served while the call runs.
    QVERIFY(send(rpcRequest(2, u"ping"_s))->last().contains(u"result"_s));

    send(note(u"notifications/cancelled"_s, QJsonObject { { u"requestId"_s, u"long"_s }, { u"reason"_s, u"user"_s } }));
    QCOMPARE(m_handlers->cancelledCalls, 1);
    QCOMPARE(call->abandoned, 1);
    QCOMPARE(m_session->inFlightCount(), 0);
    QTest::qWait(20);
    QVERIFY(call->responses.isEmpty()); // a cancelled request gets no response

    // The id is free again.
    const auto again = send(rpcRequest(u"long"_s, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 10 } } } }));
    QTRY_COMPARE(again->responses.size(), 1);
    QCOMPARE(m_handlers->completedSlowCalls, 1);
}

void TestMcpDispatcher::cancelUnknownIsIgnored()
{
    initializeSession();
    const auto sink = send(note(u"notifications/cancelled"_s, QJsonObject { { u"requestId"_s, 999 } }));
    QCOMPARE(sink->accepted, 1);
    QVERIFY(sink->responses.isEmpty());
    const auto bad = send(note(u"notifications/cancelled"_s, QJsonObject { { u"requestId"_s, QJsonObject {} } }));
    QCOMPARE(bad->accepted, 1);
}

void TestMcpDispatcher::duplicateIdInFlight()
{
    initializeSession();
    const QJsonObject slow { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 200 } } } };
    const auto first = send(rpcRequest(7, u"tools/call"_s, slow));
    const auto second = send(rpcRequest(7, u"tools/call"_s, slow));
    QCOMPARE(second->errorCode(), -32600);
    QTRY_COMPARE(first->responses.size(), 1);
    QVERIFY(first->result().contains(u"content"_s));
}

void TestMcpDispatcher::setLevelAndLogMessages()
{
    initializeSession();
    auto sink = send(rpcRequest(1, u"logging/setLevel"_s, QJsonObject { { u"level"_s, u"loud"_s } }));
    QCOMPARE(sink->errorCode(), -32602);
    sink = send(rpcRequest(2, u"logging/setLevel"_s, QJsonObject { { u"level"_s, u"warning"_s } }));
    QCOMPARE(sink->result(), QJsonObject());
    QCOMPARE(m_session->logLevel(), u"warning"_s);

    sink = send(rpcRequest(3, u"tools/call"_s, QJsonObject { { u"name"_s, u"progress"_s } }));
    QTRY_COMPARE(sink->responses.size(), 1);
    for (const QJsonObject &n : std::as_const(sink->notifications))
        QVERIFY(n.value(u"method"_s).toString() != "notifications/message"_L1); // info and debug filtered

    send(rpcRequest(4, u"logging/setLevel"_s, QJsonObject { { u"level"_s, u"debug"_s } }));
    sink = send(rpcRequest(5, u"tools/call"_s, QJsonObject { { u"name"_s, u"progress"_s } }));
    QTRY_COMPARE(sink->responses.size(), 1);
    QStringList levels;
    for (const QJsonObject &n : std::as_const(sink->notifications)) {
        if (n.value(u"method"_s).toString() == "notifications/message"_L1) {
            levels.append(n.value(u"params"_s).toObject().value(u"level"_s).toString());
            QVERIFY(n.value(u"params"_s).toObject().contains(u"data"_s));
        }
    }
    QCOMPARE(levels, (QStringList { u"info"_s, u"debug"_s }));
}

void TestMcpDispatcher::progressNotifications()
{
    initializeSession();
    auto sink = send(rpcRequest(1, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"progress"_s }, { u"arguments"_s, QJsonObject { { u"steps"_s, 4 } } },
            { u"_meta"_s, QJsonObject { { u"progressToken"_s, u"tok"_s } } } }));
    QTRY_COMPARE(sink->responses.size(), 1);
    QList<double> values;
    for (const QJsonObject &n : std::as_const(sink->notifications)) {
        if (n.value(u"method"_s).toString() != "notifications/progress"_L1)
            continue;
        const QJsonObject params = n.value(u"params"_s).toObject();
        QCOMPARE(params.value(u"progressToken"_s).toString(), u"tok"_s);
        QCOMPARE(params.value(u"total"_s).toDouble(), 4.0);
        QVERIFY(params.value(u"message"_s).toString().startsWith(u"step"_s));
        values.append(params.value(u"progress"_s).toDouble());
    }
    QCOMPARE(values, (QList<double> { 1, 2, 3, 4 })); // the trailing non-increasing value was dropped

    // Without a token there is no progress.
    sink = send(rpcRequest(2, u"tools/call"_s, QJsonObject { { u"name"_s, u"progress"_s } }));
    QTRY_COMPARE(sink->responses.size(), 1);
    for (const QJsonObject &n : std::as_const(sink->notifications))
        QVERIFY(n.value(u"method"_s).toString() != "notifications/progress"_L1);
}

void TestMcpDispatcher::pagination()
{
    initializeSession();
    m_dispatcher->setPageSize(100);
    QStringList names;
    QJsonValue cursor(QJsonValue::Undefined);
    int pages = 0;
    do {
        QJsonObject params;
        if (!cursor.isUndefined())
            params.insert(u"cursor"_s, cursor);
        const auto sink = send(rpcRequest(pages, u"tools/list"_s, params));
        const QJsonObject result = sink->result();
        const QJsonArray tools = result.value(u"tools"_s).toArray();
        QVERIFY(tools.size() <= 100);
        for (const QJsonValue &tool : tools)
            names.append(tool.toObject().value(u"name"_s).toString());
        cursor = result.value(u"nextCursor"_s); // undefined when absent
        if (!cursor.isUndefined())
            QVERIFY(cursor.isString() && !cursor.toString().isEmpty());
        ++pages;
    } while (!cursor.isUndefined() && pages < 10);
    QCOMPARE(pages, 3);
    QCOMPARE(names.size(), 253);
    QCOMPARE(QSet<QString>(names.cbegin(), names.cend()).size(), 253);

    // Small lists fit on one page: no nextCursor.
    const auto prompts = send(rpcRequest(9, u"prompts/list"_s));
    QCOMPARE(prompts->result().value(u"prompts"_s).toArray().size(), 1);
    QVERIFY(!prompts->result().contains(u"nextCursor"_s));
}

void TestMcpDispatcher::toolsListKeptSerialized()
{
    initializeSession();
    m_dispatcher->setPageSize(100);
    // What tools/list answers is the same whether it is built anew or kept serialized: every
    // page, both eras, odd ids; a sink that takes bytes gets exactly what respond() would write.
    struct Request
    {
        QJsonValue id;
        QJsonObject params;
    };
    const QJsonValue cursor2 = QString::fromLatin1(
        QByteArray("td1:tools:100").toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    const QList<Request> requests {
        { 1, {} },
        { u"quote\" and \\ and \u00e9"_s, {} },
        { 9007199254740991.0, QJsonObject { { u"cursor"_s, cursor2 } } },
        { 4, withMeta({}) },
        { u"s"_s, withMeta(QJsonObject { { u"cursor"_s, cursor2 } }) },
    };
    QList<QJsonObject> built;
    m_handlers->revision = std::nullopt;
    for (const Request &r : requests)
        built.append(send(rpcRequest(r.id, u"tools/list"_s, r.params))->last());
    m_handlers->revision = 7;
    for (int round = 0; round < 2; ++round) { // the second round is answered from what was kept
        for (qsizetype i = 0; i < requests.size(); ++i) {
            auto sink = std::make_shared<BytesSink>();
            m_dispatcher->handle(
                m_session.get(), rpcRequest(requests[i].id, u"tools/list"_s, requests[i].params), sink);
            QCOMPARE(sink->serialized.size(), 1);
            QCOMPARE(sink->last(), built[i]);
            QCOMPARE(sink->serialized.first(), JsonRpc::serialize(built[i]));
            // A sink that takes only objects gets the same answer.
            QCOMPARE(send(rpcRequest(requests[i].id, u"tools/list"_s, requests[i].params))->last(), built[i]);
        }
    }
    QCOMPARE(built[0].value(u"result"_s).toObject().value(u"tools"_s).toArray().size(), 100);
    QVERIFY(built[3].value(u"result"_s).toObject().contains(u"resultType"_s));
    QVERIFY(!built[0].value(u"result"_s).toObject().contains(u"resultType"_s));

    // New definitions (a new revision) and a new page size are answered at once.
    m_handlers->setExtraTools(10);
    QJsonObject result = send(rpcRequest(20, u"tools/list"_s))->result();
    QCOMPARE(result.value(u"tools"_s).toArray().size(), 13);
    QVERIFY(!result.contains(u"nextCursor"_s));
    m_dispatcher->setPageSize(5);
    result = send(rpcRequest(21, u"tools/list"_s))->result();
    QCOMPARE(result.value(u"tools"_s).toArray().size(), 5);
    QVERIFY(result.contains(u"nextCursor"_s));
    // A cursor past the new end is refused like any bad cursor.
    QCOMPARE(send(rpcRequest(22, u"tools/list"_s, QJsonObject { { u"cursor"_s, cursor2 } }))->errorCode(), -32602);
}

void TestMcpDispatcher::invalidCursor_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonValue>("cursor");
    const auto encode = [](const QByteArray &raw) {
        return QJsonValue(
            QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    };
    QTest::newRow("garbage") << u"tools/list"_s << QJsonValue(u"%%%not a cursor"_s);
    QTest::newRow("number") << u"tools/list"_s << QJsonValue(5);
    QTest::newRow("empty") << u"tools/list"_s << QJsonValue(u""_s);
    QTest::newRow("another list's cursor") << u"resources/list"_s << encode("td1:tools:100");
    QTest::newRow("past the end") << u"tools/list"_s << encode("td1:tools:100000");
    QTest::newRow("negative") << u"tools/list"_s << encode("td1:tools:-5");
    QTest::newRow("templates") << u"resources/templates/list"_s << QJsonValue(u"abc"_s);
    QTest::newRow("prompts") << u"prompts/list"_s << QJsonValue(u"abc"_s);
}

void TestMcpDispatcher::invalidCursor()
{
    QFETCH(QString, method);
    QFETCH(QJsonValue, cursor);
    initializeSession();
    const auto sink = send(rpcRequest(1, method, QJsonObject { { u"cursor"_s, cursor } }));
    QCOMPARE(sink->errorCode(), -32602);
}

void TestMcpDispatcher::resourcesPromptsCompletion()
{
    initializeSession();
    auto sink = send(rpcRequest(1, u"resources/read"_s, QJsonObject { { u"uri"_s, u"test://missing"_s } }));
    QCOMPARE(sink->errorCode(), -32002);
    QCOMPARE(sink->last().value(u"error"_s).toObject().value(u"data"_s).toObject().value(u"uri"_s).toString(),
        u"test://missing"_s);
    sink = send(rpcRequest(2, u"resources/read"_s, QJsonObject { { u"uri"_s, u"test://one"_s } }));
    QCOMPARE(sink->result().value(u"contents"_s).toArray().size(), 1);
    sink = send(rpcRequest(3, u"resources/read"_s));
    QCOMPARE(sink->errorCode(), -32602);
    sink = send(rpcRequest(4, u"resources/templates/list"_s));
    QCOMPARE(sink->result().value(u"resourceTemplates"_s).toArray().size(), 1);
    sink = send(rpcRequest(5, u"prompts/get"_s, QJsonObject { { u"name"_s, u"nope"_s } }));
    QCOMPARE(sink->errorCode(), -32602);
    sink = send(rpcRequest(6, u"completion/complete"_s,
        QJsonObject { { u"ref"_s, QJsonObject { { u"type"_s, u"ref/resource"_s }, { u"uri"_s, u"test://{name}"_s } } },
            { u"argument"_s, QJsonObject { { u"name"_s, u"name"_s }, { u"value"_s, u"x"_s } } } }));
    const QJsonObject completion = sink->result().value(u"completion"_s).toObject();
    QCOMPARE(completion.value(u"values"_s).toArray().size(), 100);
    QCOMPARE(completion.value(u"total"_s).toInt(), 150);
    QCOMPARE(completion.value(u"hasMore"_s).toBool(), true);
    sink = send(rpcRequest(
        7, u"completion/complete"_s, QJsonObject { { u"ref"_s, QJsonObject { { u"type"_s, u"ref/x"_s } } } }));
    QCOMPARE(sink->errorCode(), -32602);
}

void TestMcpDispatcher::batches()
{
    // 2025-11-25 has no batches.
    initializeSession();
    auto sink = send(QJsonArray { rpcRequest(1, u"ping"_s) });
    QCOMPARE(sink->errorCode(), -32600);
    QVERIFY(sink->last().value(u"id"_s).isNull());

    // 2025-03-26 has them: answers in one array, notifications unanswered.
    m_session = std::make_unique<McpSession>(u"socket"_s);
    initializeSession(u"2025-03-26"_s);
    sink = send(QJsonArray { rpcRequest(1, u"ping"_s), note(u"notifications/initialized"_s),
        rpcRequest(2, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 20 } } } }),
        rpcRequest(3, u"initialize"_s, initializeParams()), QJsonValue(5) });
    QTRY_COMPARE(sink->responses.size(), 1);
    const QJsonArray answers = sink->responses.first().toArray();
    QCOMPARE(answers.size(), 4);
    QSet<int> ids;
    for (const QJsonValue &answer : answers) {
        const QJsonObject object = answer.toObject();
        ids.insert(object.value(u"id"_s).toInt(-1));
        if (object.value(u"id"_s).toInt() == 3)
            QCOMPARE(object.value(u"error"_s).toObject().value(u"code"_s).toInt(), -32600);
    }
    QCOMPARE(ids, (QSet<int> { 1, 2, 3, -1 }));

    sink = send(QJsonArray());
    QCOMPARE(sink->errorCode(), -32600);
    sink = send(QJsonArray { note(u"notifications/initialized"_s) });
    QCOMPARE(sink->accepted, 1);
    QVERIFY(sink->responses.isEmpty());
}

void TestMcpDispatcher::trafficEntries()
{
    QSignalSpy traffic(m_dispatcher.get(), &McpDispatcher::trafficLogged);
    initializeSession();
    send(rpcRequest(1, u"tools/call"_s, QJsonObject { { u"name"_s, u"nope"_s } }));
    const auto sink = send(rpcRequest(2, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 30 } } } }));
    QTRY_COMPARE(sink->responses.size(), 1);
    QList<McpTrafficEntry> entries;
    for (const QList<QVariant> &arguments : std::as_const(traffic))
        entries.append(arguments.at(0).value<McpTrafficEntry>());
    QCOMPARE(entries.size(), 4);
    QCOMPARE(entries[0].method, u"initialize"_s);
    QCOMPARE(entries[1].method, u"notifications/initialized"_s);
    QVERIFY(entries[2].isError);
    QVERIFY(entries[2].error.contains(u"Unknown tool"_s));
    QCOMPARE(entries[3].method, u"tools/call slow"_s);
    QVERIFY(!entries[3].isError);
    QVERIFY(entries[3].durationMs >= 25);
    QCOMPARE(entries[3].clientName, u"test-client"_s);
}

void TestMcpDispatcher::statelessWithoutInitialize()
{
    // No initialize: the request's _meta is all the server needs.
    auto sink = send(rpcRequest(1, u"tools/list"_s, withMeta({})));
    const QJsonObject result = sink->result();
    QCOMPARE(result.value(u"tools"_s).toArray().size(), 100);
    QCOMPARE(result.value(u"resultType"_s).toString(), u"complete"_s);
    QCOMPARE(result.value(u"_meta"_s)
                 .toObject()
                 .value(u"io.modelcontextprotocol/serverInfo"_s)
                 .toObject()
                 .value(u"name"_s)
                 .toString(),
        u"tracedesk"_s);
    QCOMPARE(result.value(u"cacheScope"_s).toString(), u"public"_s);
    QVERIFY(result.value(u"ttlMs"_s).toInteger(-1) > 0);
    QVERIFY(result.contains(u"nextCursor"_s)); // pagination works alike
    sink = send(
        rpcRequest(2, u"tools/list"_s, withMeta(QJsonObject { { u"cursor"_s, result.value(u"nextCursor"_s) } })));
    QCOMPARE(sink->result().value(u"tools"_s).toArray().size(), 100);
    // The session was never involved: it still waits for an initialize.
    QCOMPARE(m_session->state(), McpSession::State::AwaitingInitialize);

    // resources: private and stale at once (the list grows as runs end); read: private.
    sink = send(rpcRequest(3, u"resources/list"_s, withMeta({})));
    QCOMPARE(sink->result().value(u"cacheScope"_s).toString(), u"private"_s);
    QCOMPARE(sink->result().value(u"ttlMs"_s).toInteger(-1), 0);
    sink = send(rpcRequest(4, u"resources/read"_s, withMeta(QJsonObject { { u"uri"_s, u"test://one"_s } })));
    QCOMPARE(sink->result().value(u"cacheScope"_s).toString(), u"private"_s);
    QVERIFY(sink->result().contains(u"ttlMs"_s));
    // tools/call is not cacheable, but every result names its type.
    sink = send(rpcRequest(5, u"tools/call"_s,
        withMeta(
            QJsonObject { { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"hi"_s } } } })));
    QCOMPARE(sink->result().value(u"resultType"_s).toString(), u"complete"_s);
    QVERIFY(!sink->result().contains(u"ttlMs"_s));
}

void TestMcpDispatcher::statelessMetaValidated_data()
{
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<int>("code");
    QJsonObject noVersion = statelessMeta();
    noVersion.remove(u"io.modelcontextprotocol/protocolVersion"_s);
    QJsonObject noCapabilities = statelessMeta();
    noCapabilities.remove(u"io.modelcontextprotocol/clientCapabilities"_s);
    QJsonObject noClientInfo = statelessMeta();
    noClientInfo.remove(u"io.modelcontextprotocol/clientInfo"_s);
    QTest::newRow("no _meta") << QJsonObject() << -32602;
    QTest::newRow("no protocolVersion") << withMeta({}, noVersion) << -32602;
    QTest::newRow("no clientCapabilities") << withMeta({}, noCapabilities) << -32602;
    QTest::newRow("no clientInfo (a SHOULD)") << withMeta({}, noClientInfo) << 0;
}

void TestMcpDispatcher::statelessMetaValidated()
{
    QFETCH(QJsonObject, params);
    QFETCH(int, code);
    // server/discover exists only statelessly, so even without _meta it is judged as such.
    const auto sink = send(rpcRequest(7, u"server/discover"_s, params));
    QCOMPARE(sink->errorCode(), code);
    QCOMPARE(sink->last().value(u"id"_s).toInt(), 7);
}

void TestMcpDispatcher::statelessUnsupportedVersion()
{
    const auto sink = send(rpcRequest(u"v"_s, u"tools/list"_s, withMeta({}, statelessMeta(u"1900-01-01"_s))));
    QCOMPARE(sink->errorCode(), -32022);
    QCOMPARE(sink->last().value(u"id"_s).toString(), u"v"_s);
    const QJsonObject data = sink->last().value(u"error"_s).toObject().value(u"data"_s).toObject();
    QCOMPARE(data.value(u"requested"_s).toString(), u"1900-01-01"_s);
    QCOMPARE(data.value(u"supported"_s).toArray().first().toString(), u"2026-07-28"_s);
    QVERIFY(data.value(u"supported"_s).toArray().contains(u"2025-11-25"_s));
}

void TestMcpDispatcher::statelessRemovedMethods_data()
{
    QTest::addColumn<QString>("method");
    for (const char *method :
        { "initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe", "no/such" })
        QTest::newRow(method) << QString::fromLatin1(method);
}

void TestMcpDispatcher::statelessRemovedMethods()
{
    QFETCH(QString, method);
    const auto sink = send(rpcRequest(9, method, withMeta({})));
    QCOMPARE(sink->errorCode(), -32601);
    QCOMPARE(sink->last().value(u"id"_s).toInt(), 9);
    QCOMPARE(m_session->state(), McpSession::State::AwaitingInitialize);
}

void TestMcpDispatcher::statelessDiscover()
{
    const auto sink = send(rpcRequest(1, u"server/discover"_s, withMeta({})));
    const QJsonObject result = sink->result();
    QCOMPARE(result.value(u"supportedVersions"_s).toArray(),
        QJsonArray::fromStringList(McpDispatcher::allProtocolVersions()));
    const QJsonObject capabilities = result.value(u"capabilities"_s).toObject();
    QVERIFY(capabilities.contains(u"tools"_s));
    QVERIFY(capabilities.contains(u"prompts"_s));
    // No subscriptions/listen, so no list-change promise.
    QVERIFY(!capabilities.value(u"resources"_s).toObject().contains(u"listChanged"_s));
    QCOMPARE(result.value(u"cacheScope"_s).toString(), u"public"_s);
    QVERIFY(!result.value(u"instructions"_s).toString().isEmpty());
    // server/discover is the stateless era's own method: an initialized session gets it too.
    initializeSession();
    QCOMPARE(send(rpcRequest(2, u"server/discover"_s, withMeta({})))->errorCode(), 0);
}

void TestMcpDispatcher::resourceNotFoundPerEra()
{
    const QJsonObject missing { { u"uri"_s, u"test://missing"_s } };
    auto sink = send(rpcRequest(1, u"resources/read"_s, withMeta(missing)));
    QCOMPARE(sink->errorCode(), -32602); // 2026-07-28
    QCOMPARE(sink->last().value(u"error"_s).toObject().value(u"data"_s).toObject().value(u"uri"_s).toString(),
        u"test://missing"_s);
    initializeSession();
    sink = send(rpcRequest(2, u"resources/read"_s, missing));
    QCOMPARE(sink->errorCode(), -32002); // up to 2025-11-25
    QCOMPARE(sink->last().value(u"error"_s).toObject().value(u"data"_s).toObject().value(u"uri"_s).toString(),
        u"test://missing"_s);
}

void TestMcpDispatcher::statelessCallContext()
{
    // Who asks comes from _meta; runs belong to one stateless owner per transport, so an
    // execution id works from any connection.
    auto sink = send(rpcRequest(1, u"tools/call"_s,
        withMeta(QJsonObject { { u"name"_s, u"progress"_s }, { u"arguments"_s, QJsonObject { { u"steps"_s, 1 } } } })));
    QTRY_COMPARE(sink->responses.size(), 1);
    QCOMPARE(m_handlers->lastContext.client.name, u"stateless-client"_s);
    QCOMPARE(m_handlers->lastContext.client.version, u"2.0"_s);
    QCOMPARE(m_handlers->lastContext.sessionId, u"stateless-local"_s);
    QCOMPARE(m_handlers->lastContext.protocolVersion, u"2026-07-28"_s);
    // Without _meta logLevel: no notifications/message at all.
    for (const QJsonObject &notification : std::as_const(sink->notifications))
        QVERIFY(notification.value(u"method"_s).toString() != "notifications/message"_L1);

    QJsonObject meta = statelessMeta();
    meta.insert(u"io.modelcontextprotocol/logLevel"_s, u"info"_s);
    sink = send(rpcRequest(2, u"tools/call"_s,
        withMeta(QJsonObject { { u"name"_s, u"progress"_s }, { u"arguments"_s, QJsonObject { { u"steps"_s, 1 } } } },
            meta)));
    QTRY_COMPARE(sink->responses.size(), 1);
    int messages = 0;
    for (const QJsonObject &notification : std::as_const(sink->notifications))
        messages += notification.value(u"method"_s).toString() == "notifications/message"_L1 ? 1 : 0;
    QCOMPARE(messages, 1); // info passes, debug does not
}

void TestMcpDispatcher::bothErasOnOneConnection()
{
    initializeSession(u"2025-06-18"_s);
    auto sink = send(rpcRequest(1, u"tools/call"_s,
        withMeta(QJsonObject { { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"a"_s } } } })));
    QCOMPARE(sink->result().value(u"resultType"_s).toString(), u"complete"_s);
    QCOMPARE(m_handlers->lastContext.protocolVersion, u"2026-07-28"_s);
    // The handshake-era request that follows still has its session and negotiated version.
    sink = send(rpcRequest(2, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"b"_s } } } }));
    QVERIFY(!sink->result().contains(u"resultType"_s));
    QCOMPARE(m_handlers->lastContext.protocolVersion, u"2025-06-18"_s);
    QCOMPARE(m_handlers->lastContext.sessionId, m_session->id());
    QCOMPARE(m_session->protocolVersion(), u"2025-06-18"_s);
}

QTEST_GUILESS_MAIN(TestMcpDispatcher)
#include "tst_mcpdispatcher.moc"
