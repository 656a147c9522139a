// SPDX-License-Identifier: GPL-2.0-or-later
// McpHttpServer over FakeHandlers: the Streamable HTTP transport end to end.
#include "fakehandlers.h"
#include "mcp/mcpserver.h"
#include "mcptestclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

using Headers = QList<QPair<QByteArray, QByteArray>>;

class TestMcpHttpServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void initializeAndListTools();
    void tokenRequired();
    void realClientWithToken();
    void insecureModeOnlyOnLoopback();
    void hostValidation_data();
    void hostValidation();
    void originValidation_data();
    void originValidation();
    void sessionLifecycle();
    void protocolVersionHeader_data();
    void protocolVersionHeader();
    void malformedRequests_data();
    void malformedRequests();
    void sseResponseWithProgress();
    void jsonOnlyClientGetsJson();
    void getStreams();
    void resumePostStreamAfterDrop();
    void resumeGetStreamAfterDrop();
    void resumeRefused_data();
    void resumeRefused();
    void olderClientsGetNoPrimingEvent();
    void resumeIsPerSession();
    void pushPrefersConnectedStream();
    void cancelOverHttp();
    void longCallDoesNotBlockOthers();
    void keepAliveAndPipelining();
    void batchIn20250326();
    void bodyTooLargeRefusedEarly();
    void chunkedBodyTooLarge();
    void headerTooLarge();
    void expectContinue();
    void slowlorisTimedOut();
    void idleConnectionClosed();
    void connectionLimit();
    void sessionLimitClosesTheIdlest();
    void idleSocketsDoNotLockOut();
    void unauthenticatedHaveTheirOwnCap();
    void fiftyConcurrentClients();
    void statelessRequest();
    void statelessErrorStatus_data();
    void statelessErrorStatus();
    void statelessHeaderValidation_data();
    void statelessHeaderValidation();
    void statelessIgnoresSessionHeader();
    void sessionErrorsCarryTheRequestId();

private:
    std::unique_ptr<McpServer> startServer(McpServerConfig config = {});
    Headers authed(Headers extra = {}) const;
    /// For a GET of the session's SSE stream; LAST_EVENT_ID, when given, resumes one.
    Headers streamHeaders(const QByteArray &session, const QByteArray &lastEventId = {}) const;
    QString initializeSession(HttpClient &client);

    std::unique_ptr<QTemporaryDir> m_dir;
    FakeHandlers *m_handlers = nullptr;
    QString m_token;
};

void TestMcpHttpServer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestMcpHttpServer::cleanup()
{
    m_dir.reset();
}

std::unique_ptr<McpServer> TestMcpHttpServer::startServer(McpServerConfig config)
{
    config.socketPath = m_dir->filePath(u"run/mcp.sock"_s);
    config.tokenPath = m_dir->filePath(u"config/http-token"_s);
    config.httpPort = 0;
    auto server = startFakeServer(config, &m_handlers);
    if (server)
        m_token = server->token();
    return server;
}

Headers TestMcpHttpServer::authed(Headers extra) const
{
    extra.emplaceBack("Authorization", "Bearer " + m_token.toLatin1());
    extra.emplaceBack("Content-Type", "application/json");
    extra.emplaceBack("Accept", "application/json, text/event-stream");
    return extra;
}

Headers TestMcpHttpServer::streamHeaders(const QByteArray &session, const QByteArray &lastEventId) const
{
    Headers headers { { "Authorization", "Bearer " + m_token.toLatin1() }, { "Accept", "text/event-stream" },
        { "Mcp-Session-Id", session } };
    if (!lastEventId.isEmpty())
        headers.emplaceBack("Last-Event-ID", lastEventId);
    return headers;
}

QString TestMcpHttpServer::initializeSession(HttpClient &client)
{
    client.sendRequest("POST", JsonRpc::serialize(rpcRequest(1, u"initialize"_s, initializeParams())), authed());
    const HttpReply reply = client.waitForReply();
    if (reply.status != 200)
        return {};
    const QByteArray session = reply.header("mcp-session-id");
    client.sendRequest("POST",
        JsonRpc::serialize(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, u"notifications/initialized"_s } }),
        authed({ { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-11-25" } }));
    if (client.waitForReply().status != 202)
        return {};
    return QString::fromLatin1(session);
}

void TestMcpHttpServer::initializeAndListTools()
{
    auto server = startServer();
    QVERIFY(server);
    QVERIFY(server->httpListening());
    QVERIFY(server->httpUrl().startsWith(u"http://127.0.0.1:"_s));
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QString session = initializeSession(client);
    QVERIFY(!session.isEmpty());
    client.sendRequest("POST", JsonRpc::serialize(rpcRequest(2, u"tools/list"_s)),
        authed({ { "Mcp-Session-Id", session.toLatin1() }, { "MCP-Protocol-Version", "2025-11-25" } }));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), QByteArray("application/json"));
    QCOMPARE(reply.json().value(u"result"_s).toObject().value(u"tools"_s).toArray().size(), 3);
}

static QByteArray body(const QJsonObject &message)
{
    return JsonRpc::serialize(message);
}

void TestMcpHttpServer::tokenRequired()
{
    auto server = startServer();
    QVERIFY(server);
    QCOMPARE(m_token.size(), 43);
    const QByteArray init = body(rpcRequest(1, u"initialize"_s, initializeParams()));
    const Headers plain { { "Content-Type", "application/json" }, { "Accept", "application/json, text/event-stream" } };
    {
        HttpClient client;
        QVERIFY(client.connectTo(server->httpPort()));
        client.sendRequest("POST", init, plain);
        const HttpReply reply = client.waitForReply();
        QCOMPARE(reply.status, 401);
        QVERIFY(reply.header("www-authenticate").startsWith("Bearer"));
    }
    {
        HttpClient client;
        QVERIFY(client.connectTo(server->httpPort()));
        Headers wrong = plain;
        wrong.emplaceBack("Authorization", "Bearer " + QByteArray(43, 'A'));
        client.sendRequest("POST", init, wrong);
        const HttpReply reply = client.waitForReply();
        QCOMPARE(reply.status, 401);
        QVERIFY(reply.header("www-authenticate").contains("invalid_token"));
    }
    {
        HttpClient client;
        QVERIFY(client.connectTo(server->httpPort()));
        client.sendRequest("POST", init, authed());
        QCOMPARE(client.waitForReply().status, 200);
    }
    // A new token invalidates the old one at once.
    const QString old = m_token;
    QSignalSpy changed(server.get(), &McpServer::tokenChanged);
    server->regenerateToken();
    QCOMPARE(changed.size(), 1);
    QVERIFY(server->token() != old);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", init, authed());
    QCOMPARE(client.waitForReply().status, 401);
}

void TestMcpHttpServer::realClientWithToken()
{
    auto server = startServer();
    QVERIFY(server);
    QNetworkAccessManager manager;
    auto post = [&](const QJsonObject &message, const QByteArray &session, bool withToken) {
        QNetworkRequest request { QUrl(server->httpUrl()) };
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        request.setRawHeader("Accept", "application/json, text/event-stream");
        if (withToken)
            request.setRawHeader("Authorization", "Bearer " + server->token().toLatin1());
        if (!session.isEmpty()) {
            request.setRawHeader("Mcp-Session-Id", session);
            request.setRawHeader("MCP-Protocol-Version", "2025-11-25");
        }
        QNetworkReply *reply = manager.post(request, body(message));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        [&] { QVERIFY(finished.wait(5000)); }();
        reply->deleteLater();
        return reply;
    };
    QNetworkReply *denied = post(rpcRequest(1, u"initialize"_s, initializeParams()), {}, false);
    QCOMPARE(denied->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
    QNetworkReply *init = post(rpcRequest(1, u"initialize"_s, initializeParams()), {}, true);
    QCOMPARE(init->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QByteArray session = init->rawHeader("Mcp-Session-Id");
    QCOMPARE(session.size(), 32);
    QNetworkReply *list = post(rpcRequest(2, u"tools/list"_s), session, true);
    QCOMPARE(list->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QJsonObject answer = QJsonDocument::fromJson(list->readAll()).object();
    QCOMPARE(answer.value(u"result"_s).toObject().value(u"tools"_s).toArray().size(), 3);
    QCOMPARE(server->clients().size(), 1);
    QCOMPARE(server->clients().at(0).transport, u"http"_s);
}

void TestMcpHttpServer::insecureModeOnlyOnLoopback()
{
    McpServerConfig config;
    config.httpRequireToken = false;
    config.httpAddress = QHostAddress(QHostAddress::AnyIPv4);
    auto refused = startServer(config);
    QVERIFY(!refused);

    config.httpAddress = QHostAddress::LocalHost;
    auto server = startServer(config);
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(rpcRequest(1, u"initialize"_s, initializeParams())),
        { { "Content-Type", "application/json" }, { "Accept", "application/json, text/event-stream" } });
    QCOMPARE(client.waitForReply().status, 200);
    // ::1 is served too, on the same port.
    HttpClient v6;
    if (!v6.connectTo(server->httpPort(), QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback here");
    v6.sendRequest("POST", body(rpcRequest(1, u"initialize"_s, initializeParams())),
        { { "Host", "[::1]:" + QByteArray::number(server->httpPort()) }, { "Content-Type", "application/json" },
            { "Accept", "application/json, text/event-stream" } });
    QCOMPARE(v6.waitForReply().status, 200);
}

void TestMcpHttpServer::hostValidation_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<int>("status");
    QTest::newRow("evil") << QByteArray("evil.example.com") << 403;
    QTest::newRow("evil with port") << QByteArray("evil.example.com:PORT") << 403;
    QTest::newRow("localhost") << QByteArray("localhost:PORT") << 200;
    QTest::newRow("localhost no port") << QByteArray("localhost") << 200;
    QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1:PORT") << 200;
    QTest::newRow("[::1]") << QByteArray("[::1]:PORT") << 200;
    QTest::newRow("other port") << QByteArray("127.0.0.1:1") << 403;
    QTest::newRow("lookalike") << QByteArray("localhost.evil.com:PORT") << 403;
    QTest::newRow("empty") << QByteArray("") << 403;
}

void TestMcpHttpServer::hostValidation()
{
    QFETCH(QByteArray, host);
    QFETCH(int, status);
    auto server = startServer();
    QVERIFY(server);
    host.replace("PORT", QByteArray::number(server->httpPort()));
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(rpcRequest(1, u"initialize"_s, initializeParams())), authed({ { "Host", host } }));
    QCOMPARE(client.waitForReply().status, status);
}

void TestMcpHttpServer::originValidation_data()
{
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<int>("status");
    QTest::newRow("evil") << QByteArray("http://evil.example.com") << 403;
    QTest::newRow("null") << QByteArray("null") << 403;
    QTest::newRow("file") << QByteArray("file://") << 403;
    QTest::newRow("localhost") << QByteArray("http://localhost:3000") << 200;
    QTest::newRow("127.0.0.1") << QByteArray("https://127.0.0.1") << 200;
    QTest::newRow("[::1]") << QByteArray("http://[::1]:8080") << 200;
}

void TestMcpHttpServer::originValidation()
{
    QFETCH(QByteArray, origin);
    QFETCH(int, status);
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest(
        "POST", body(rpcRequest(1, u"initialize"_s, initializeParams())), authed({ { "Origin", origin } }));
    QCOMPARE(client.waitForReply().status, status);
}

void TestMcpHttpServer::sessionLifecycle()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    QVERIFY(!session.isEmpty());
    QTRY_COMPARE(server->clients().size(), 1);

    client.sendRequest("POST", body(rpcRequest(2, u"tools/list"_s)), authed());
    HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 400);
    QVERIFY(reply.json().contains(u"error"_s));
    client.sendRequest(
        "POST", body(rpcRequest(2, u"tools/list"_s)), authed({ { "Mcp-Session-Id", "0123456789abcdef" } }));
    QCOMPARE(client.waitForReply().status, 404);

    client.sendRequest("DELETE", {}, authed());
    QCOMPARE(client.waitForReply().status, 400);
    client.sendRequest("DELETE", {}, authed({ { "Mcp-Session-Id", session } }));
    QCOMPARE(client.waitForReply().status, 200);
    QTRY_COMPARE(server->clients().size(), 0);
    client.sendRequest("POST", body(rpcRequest(3, u"tools/list"_s)), authed({ { "Mcp-Session-Id", session } }));
    QCOMPARE(client.waitForReply().status, 404);
    client.sendRequest("DELETE", {}, authed({ { "Mcp-Session-Id", session } }));
    QCOMPARE(client.waitForReply().status, 404);
}

void TestMcpHttpServer::protocolVersionHeader_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<int>("status");
    QTest::newRow("missing: assume 2025-03-26") << QByteArray() << 200;
    QTest::newRow("2025-11-25") << QByteArray("2025-11-25") << 200;
    QTest::newRow("2025-06-18") << QByteArray("2025-06-18") << 200;
    QTest::newRow("2025-03-26") << QByteArray("2025-03-26") << 200;
    QTest::newRow("2024-11-05 unsupported") << QByteArray("2024-11-05") << 400;
    QTest::newRow("garbage") << QByteArray("latest") << 400;
}

void TestMcpHttpServer::protocolVersionHeader()
{
    QFETCH(QByteArray, version);
    QFETCH(int, status);
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    Headers headers = authed({ { "Mcp-Session-Id", session } });
    if (!version.isEmpty())
        headers.emplaceBack("MCP-Protocol-Version", version);
    client.sendRequest("POST", body(rpcRequest(2, u"ping"_s)), headers);
    QCOMPARE(client.waitForReply().status, status);
}

void TestMcpHttpServer::malformedRequests_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("accept");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("code");

    const QByteArray ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    const QByteArray json = "application/json";
    const QByteArray both = "application/json, text/event-stream";
    QTest::newRow("garbage body") << QByteArray("POST") << QByteArray("/mcp") << QByteArray("garbage") << json << both
                                  << 400 << -32700;
    QTest::newRow("half message") << QByteArray("POST") << QByteArray("/mcp") << QByteArray(R"({"jsonrpc":"2.0","id")")
                                  << json << both << 400 << -32700;
    QTest::newRow("invalid utf-8") << QByteArray("POST") << QByteArray("/mcp")
                                   << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}") << json << both
                                   << 400 << -32700;
    QTest::newRow("null id") << QByteArray("POST") << QByteArray("/mcp")
                             << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})") << json << both << 400
                             << -32600;
    QTest::newRow("wrong type params") << QByteArray("POST") << QByteArray("/mcp")
                                       << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":7})") << json
                                       << both << 400 << -32600;
    QTest::newRow("unknown method") << QByteArray("POST") << QByteArray("/mcp")
                                    << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"nope"})") << json << both << 200
                                    << -32601;
    QTest::newRow("text/plain") << QByteArray("POST") << QByteArray("/mcp") << ping << QByteArray("text/plain") << both
                                << 415 << 0;
    QTest::newRow("accept html") << QByteArray("POST") << QByteArray("/mcp") << ping << json << QByteArray("text/html")
                                 << 406 << 0;
    QTest::newRow("PUT") << QByteArray("PUT") << QByteArray("/mcp") << ping << json << both << 405 << 0;
    QTest::newRow("other path") << QByteArray("POST") << QByteArray("/other") << ping << json << both << 404 << 0;
    QTest::newRow("GET without sse") << QByteArray("GET") << QByteArray("/mcp") << QByteArray() << json << json << 406
                                     << 0;
}

void TestMcpHttpServer::malformedRequests()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, accept);
    QFETCH(int, status);
    QFETCH(int, code);

    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    client.sendRequest(method, payload,
        { { "Authorization", "Bearer " + m_token.toLatin1() }, { "Content-Type", contentType }, { "Accept", accept },
            { "Mcp-Session-Id", session } },
        path);
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, status);
    if (code != 0)
        QCOMPARE(reply.json().value(u"error"_s).toObject().value(u"code"_s).toInt(), code);
    if (status == 405)
        QVERIFY(reply.header("allow").contains("POST"));
    // A fresh connection still works (the server survived).
    HttpClient other;
    QVERIFY(other.connectTo(server->httpPort()));
    QVERIFY(!initializeSession(other).isEmpty());
}

void TestMcpHttpServer::sseResponseWithProgress()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    client.sendRequest("POST",
        body(rpcRequest(5, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"progress"_s }, { u"arguments"_s, QJsonObject { { u"steps"_s, 3 } } },
                { u"_meta"_s, QJsonObject { { u"progressToken"_s, 42 } } } })),
        authed({ { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-11-25" } }));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), QByteArray("text/event-stream"));
    QCOMPARE(reply.header("transfer-encoding"), QByteArray("chunked"));
    const QList<QJsonObject> events = reply.events();
    QCOMPARE(events.size(), 5); // info log, 3 progress, the response
    QCOMPARE(events[0].value(u"method"_s).toString(), u"notifications/message"_s);
    for (int i = 1; i <= 3; ++i) {
        QCOMPARE(events[i].value(u"method"_s).toString(), u"notifications/progress"_s);
        QCOMPARE(events[i].value(u"params"_s).toObject().value(u"progress"_s).toInt(), i);
        QCOMPARE(events[i].value(u"params"_s).toObject().value(u"progressToken"_s).toInt(), 42);
    }
    QCOMPARE(events[4].value(u"id"_s).toInt(), 5);
    QVERIFY(events[4].contains(u"result"_s));
    // The connection is kept alive after the stream ends.
    client.sendRequest("POST", body(rpcRequest(6, u"ping"_s)), authed({ { "Mcp-Session-Id", session } }));
    QCOMPARE(client.waitForReply().status, 200);
}

void TestMcpHttpServer::jsonOnlyClientGetsJson()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    client.sendRequest("POST",
        body(rpcRequest(5, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"progress"_s }, { u"_meta"_s, QJsonObject { { u"progressToken"_s, 1 } } } })),
        { { "Authorization", "Bearer " + m_token.toLatin1() }, { "Content-Type", "application/json" },
            { "Accept", "application/json" }, { "Mcp-Session-Id", session } });
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), QByteArray("application/json"));
    QCOMPARE(reply.json().value(u"id"_s).toInt(), 5);
}

void TestMcpHttpServer::getStreams()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    const Headers headers { { "Authorization", "Bearer " + m_token.toLatin1() }, { "Accept", "text/event-stream" },
        { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-03-26" } };
    // Several streams per session are allowed (server-sse-multiple-streams).
    HttpClient first;
    HttpClient second;
    QVERIFY(first.connectTo(server->httpPort()));
    QVERIFY(second.connectTo(server->httpPort()));
    first.sendRequest("GET", {}, headers);
    second.sendRequest("GET", {}, headers);
    QVERIFY(first.waitForStreamHead());
    QVERIFY(second.waitForStreamHead());
    QCOMPARE(first.current().status, 200);
    QCOMPARE(second.current().status, 200);
    QCOMPARE(first.current().header("content-type"), QByteArray("text/event-stream"));

    // A server-initiated message goes to exactly one stream.
    m_handlers->announceResourceChange();
    QTRY_COMPARE(first.current().events().size() + second.current().events().size(), 1);
    QTest::qWait(100);
    QCOMPARE(first.current().events().size() + second.current().events().size(), 1);
    const QJsonObject event = (first.current().events() + second.current().events()).at(0);
    QCOMPARE(event.value(u"method"_s).toString(), u"notifications/resources/list_changed"_s);

    // DELETE ends the session and its streams.
    client.sendRequest("DELETE", {}, authed({ { "Mcp-Session-Id", session } }));
    QCOMPARE(client.waitForReply().status, 200);
    QTRY_COMPARE(first.replies.size(), 1);
    QTRY_COMPARE(second.replies.size(), 1);
}

// The answer to a POST is an SSE stream whose connection breaks mid-call: the client GETs with the
// last event id it saw and receives the rest, the final response included (2025-11-25 resumability).
void TestMcpHttpServer::resumePostStreamAfterDrop()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient control;
    QVERIFY(control.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(control).toLatin1();
    HttpClient caller;
    QVERIFY(caller.connectTo(server->httpPort()));
    caller.sendRequest("POST",
        body(rpcRequest(5, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"progress"_s },
                { u"arguments"_s, QJsonObject { { u"steps"_s, 2 }, { u"replyAfterMs"_s, 1500 } } },
                { u"_meta"_s, QJsonObject { { u"progressToken"_s, 7 } } } })),
        authed({ { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-11-25" } }));
    QVERIFY(caller.waitForStreamHead());
    QTRY_COMPARE(caller.current().events().size(), 3); // the log message and two progress steps
    // The stream opens with an event that has an id and no data, then numbers every event.
    QVERIFY2(caller.current().body.contains("-0\ndata: \n\n"), caller.current().body.constData());
    const QList<QByteArray> ids = caller.current().eventIds();
    QCOMPARE(ids.size(), 4);
    QVERIFY(ids[0].endsWith("-0"));
    const QByteArray stream = ids[0].chopped(2);
    QCOMPARE(ids.mid(1), (QList<QByteArray> { stream + "-1", stream + "-2", stream + "-3" }));
    QVERIFY(!caller.current().body.contains("\"result\""));

    // The connection dies; the client knows it got the first progress step (event 2), not more.
    caller.socket.abort();
    HttpClient resumer;
    QVERIFY(resumer.connectTo(server->httpPort()));
    resumer.sendRequest("GET", {}, streamHeaders(session, stream + "-2"));
    const HttpReply rest = resumer.waitForReply(10000); // complete: the stream ends after the response
    QCOMPARE(rest.status, 200);
    QCOMPARE(rest.header("content-type"), QByteArray("text/event-stream"));
    QCOMPARE(rest.eventIds(), (QList<QByteArray> { stream + "-3", stream + "-4" }));
    const QList<QJsonObject> events = rest.events();
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].value(u"params"_s).toObject().value(u"progress"_s).toInt(), 2);
    QCOMPARE(events[1].value(u"id"_s).toInt(), 5);
    QCOMPARE(events[1]["result"_L1]["content"_L1][0]["text"_L1].toString(), u"2 steps"_s);

    // Delivered in full as far as the server knows; a client that still lost the end may ask
    // again and gets what follows its last event: here, nothing, and the end of the stream.
    resumer.sendRequest("GET", {}, streamHeaders(session, stream + "-3"));
    const HttpReply again = resumer.waitForReply();
    QCOMPARE(again.status, 200);
    QCOMPARE(again.eventIds(), QList<QByteArray> { stream + "-4" });
    resumer.sendRequest("GET", {}, streamHeaders(session, stream + "-9"));
    QCOMPARE(resumer.waitForReply().status, 400); // never sent
}

// The GET channel for server-started messages: what was pushed while it was down is replayed.
void TestMcpHttpServer::resumeGetStreamAfterDrop()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient control;
    QVERIFY(control.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(control).toLatin1();
    const Headers headers = streamHeaders(session);
    auto listener = std::make_unique<HttpClient>();
    QVERIFY(listener->connectTo(server->httpPort()));
    listener->sendRequest("GET", {}, headers);
    QVERIFY(listener->waitForStreamHead());
    m_handlers->announceResourceChange();
    QTRY_COMPARE(listener->current().events().size(), 1);
    const QList<QByteArray> ids = listener->current().eventIds();
    QCOMPARE(ids.size(), 2); // priming, then the message
    const QByteArray last = ids.last();
    listener.reset(); // the connection drops

    m_handlers->announceResourceChange();
    m_handlers->announceResourceChange();
    HttpClient again;
    QVERIFY(again.connectTo(server->httpPort()));
    again.sendRequest("GET", {}, streamHeaders(session, last));
    QVERIFY(again.waitForStreamHead());
    QTRY_COMPARE(again.current().events().size(), 2); // the two it missed
    m_handlers->announceResourceChange();
    QTRY_COMPARE(again.current().events().size(), 3); // and then live
    const QByteArray stream = last.left(last.lastIndexOf('-'));
    QCOMPARE(again.current().eventIds(), (QList<QByteArray> { stream + "-2", stream + "-3", stream + "-4" }));
}

void TestMcpHttpServer::resumeRefused_data()
{
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::newRow("not ours") << QByteArray("abc");
    QTest::newRow("unknown stream") << QByteArray("p999999-3");
    QTest::newRow("negative") << QByteArray("p1--1");
}

void TestMcpHttpServer::resumeRefused()
{
    QFETCH(QByteArray, lastEventId);
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    client.sendRequest("GET", {}, streamHeaders(session, lastEventId));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.json().value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"Last-Event-ID"_s),
        reply.body.constData());
    // Another session's streams are out of reach too: ids are looked up in the caller's session.
    client.sendRequest("POST", body(rpcRequest(2, u"ping"_s)), authed({ { "Mcp-Session-Id", session } }));
    QCOMPARE(client.waitForReply().status, 200);
}

void TestMcpHttpServer::resumeIsPerSession()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient first;
    HttpClient second;
    QVERIFY(first.connectTo(server->httpPort()));
    QVERIFY(second.connectTo(server->httpPort()));
    const QByteArray one = initializeSession(first).toLatin1();
    const QByteArray two = initializeSession(second).toLatin1();
    first.sendRequest("GET", {}, streamHeaders(one));
    QVERIFY(first.waitForStreamHead());
    QTRY_VERIFY(!first.current().eventIds().isEmpty()); // the priming event names the stream
    const QByteArray id = first.current().eventIds().first();
    // The other session cannot pick up this session's stream.
    second.sendRequest("GET", {}, streamHeaders(two, id));
    QCOMPARE(second.waitForReply().status, 400);
}

// Server-started messages go to a connected GET stream rather than to a newer one that broke.
void TestMcpHttpServer::pushPrefersConnectedStream()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient control;
    QVERIFY(control.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(control).toLatin1();
    HttpClient older;
    QVERIFY(older.connectTo(server->httpPort()));
    older.sendRequest("GET", {}, streamHeaders(session));
    QVERIFY(older.waitForStreamHead());
    auto newer = std::make_unique<HttpClient>();
    QVERIFY(newer->connectTo(server->httpPort()));
    newer->sendRequest("GET", {}, streamHeaders(session));
    QVERIFY(newer->waitForStreamHead());
    QTRY_VERIFY(!newer->current().eventIds().isEmpty());
    newer.reset();
    // Until the server has noticed, the message may still go to the broken stream (kept for a
    // resume); once it has, the connected one gets it.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            m_handlers->announceResourceChange();
            QTest::qWait(50);
            return !older.current().events().isEmpty();
        }(),
        10000);
}

// Clients before 2025-11-25 would try to parse the empty priming event: they get ids, no priming.
void TestMcpHttpServer::olderClientsGetNoPrimingEvent()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest(
        "POST", JsonRpc::serialize(rpcRequest(1, u"initialize"_s, initializeParams(u"2025-06-18"_s))), authed());
    const HttpReply init = client.waitForReply();
    QCOMPARE(init.status, 200);
    const QByteArray session = init.header("mcp-session-id");
    client.sendRequest("POST",
        body(rpcRequest(5, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"progress"_s }, { u"arguments"_s, QJsonObject { { u"steps"_s, 1 } } },
                { u"_meta"_s, QJsonObject { { u"progressToken"_s, 1 } } } })),
        authed({ { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-06-18" } }));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QVERIFY(!reply.body.contains("data: \n"));
    const QList<QByteArray> ids = reply.eventIds();
    QCOMPARE(ids.size(), reply.events().size());
    QVERIFY(ids.first().endsWith("-1"));
}

void TestMcpHttpServer::cancelOverHttp()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient control;
    QVERIFY(control.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(control).toLatin1();
    HttpClient caller;
    QVERIFY(caller.connectTo(server->httpPort()));
    caller.sendRequest("POST",
        body(rpcRequest(u"c1"_s, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 10000 } } } })),
        authed({ { "Mcp-Session-Id", session } }));
    // The call must have started before the cancellation can name it.
    QTRY_VERIFY(m_handlers->lastContext.cancellation);
    control.sendRequest("POST",
        body(JsonRpc::notification(u"notifications/cancelled"_s, QJsonObject { { u"requestId"_s, u"c1"_s } })),
        authed({ { "Mcp-Session-Id", session } }));
    QCOMPARE(control.waitForReply().status, 202);
    QTRY_COMPARE(m_handlers->cancelledCalls, 1);
    QTRY_VERIFY(caller.closedByServer); // no response for a cancelled request
    QVERIFY(caller.replies.isEmpty());
}

void TestMcpHttpServer::longCallDoesNotBlockOthers()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient control;
    QVERIFY(control.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(control).toLatin1();
    HttpClient caller;
    QVERIFY(caller.connectTo(server->httpPort()));
    caller.sendRequest("POST",
        body(rpcRequest(1, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 5000 } } } })),
        authed({ { "Mcp-Session-Id", session } }));
    QTRY_VERIFY(m_handlers->lastContext.cancellation); // the slow call is under way
    // Five round trips while it runs: each is answered although the slow one is not.
    for (int i = 0; i < 5; ++i) {
        control.sendRequest("POST", body(rpcRequest(10 + i, u"ping"_s)), authed({ { "Mcp-Session-Id", session } }));
        QCOMPARE(control.waitForReply().status, 200);
        QCOMPARE(m_handlers->completedSlowCalls, 0);
    }
    QVERIFY(caller.replies.isEmpty());
    const HttpReply slow = caller.waitForReply(15000);
    QCOMPARE(slow.status, 200);
    QCOMPARE(slow.json().value(u"id"_s).toInt(), 1);
}

void TestMcpHttpServer::keepAliveAndPipelining()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    // Three requests in one write; the answers come back in order on the same connection.
    QByteArray all;
    for (int i = 1; i <= 3; ++i) {
        const QByteArray payload = body(rpcRequest(i, u"ping"_s));
        all += "POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + m_token.toLatin1()
            + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nMcp-Session-Id: " + session
            + "\r\nContent-Length: " + QByteArray::number(payload.size()) + "\r\n\r\n" + payload;
    }
    client.sendRaw(all);
    for (int i = 1; i <= 3; ++i) {
        const HttpReply reply = client.waitForReply();
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"id"_s).toInt(), i);
    }
    QVERIFY(!client.closedByServer);
}

void TestMcpHttpServer::batchIn20250326()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(rpcRequest(1, u"initialize"_s, initializeParams(u"2025-03-26"_s))), authed());
    const HttpReply init = client.waitForReply();
    const QByteArray session = init.header("mcp-session-id");
    const QByteArray batch
        = JsonRpc::serialize(QJsonArray { rpcRequest(2, u"ping"_s), rpcRequest(3, u"tools/list"_s) });
    client.sendRequest(
        "POST", batch, authed({ { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-03-26" } }));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QCOMPARE(QJsonDocument::fromJson(reply.body).array().size(), 2);
}

void TestMcpHttpServer::bodyTooLargeRefusedEarly()
{
    McpServerConfig config;
    config.maxBodyBytes = 64 * 1024;
    auto server = startServer(config);
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    // Announces 100 MiB but sends only the start: the answer must not wait for the rest.
    client.sendRaw("POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + m_token.toLatin1()
        + "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n" + QByteArray(16 * 1024, ' '));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 413);
    QTRY_VERIFY(client.closedByServer);
}

void TestMcpHttpServer::chunkedBodyTooLarge()
{
    McpServerConfig config;
    config.maxBodyBytes = 64 * 1024;
    auto server = startServer(config);
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRaw("POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + m_token.toLatin1()
        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    const QByteArray chunk = QByteArray(16 * 1024, ' ');
    for (int i = 0; i < 8 && client.replies.isEmpty(); ++i) {
        client.sendRaw(QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n");
        QTest::qWait(5);
    }
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 413);
}

void TestMcpHttpServer::headerTooLarge()
{
    McpServerConfig config;
    config.maxHeaderBytes = 8 * 1024;
    auto server = startServer(config);
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(rpcRequest(1, u"ping"_s)), authed({ { "X-Padding", QByteArray(20 * 1024, 'p') } }));
    QCOMPARE(client.waitForReply().status, 431);
    QTRY_VERIFY(client.closedByServer);
}

void TestMcpHttpServer::expectContinue()
{
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray payload = body(rpcRequest(1, u"initialize"_s, initializeParams()));
    client.sendRaw("POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + m_token.toLatin1()
        + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
        + QByteArray::number(payload.size()) + "\r\n\r\n");
    QTRY_COMPARE(client.interimResponses, 1); // the server asks for the body before it is sent
    client.sendRaw(payload);
    QCOMPARE(client.waitForReply().status, 200);
}

void TestMcpHttpServer::slowlorisTimedOut()
{
    McpServerConfig config;
    config.requestTimeoutSeconds = 1;
    auto server = startServer(config);
    QVERIFY(server);
    HttpClient slow;
    QVERIFY(slow.connectTo(server->httpPort()));
    const QByteArray request = "POST /mcp HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + QByteArray(200, 's');
    QElapsedTimer timer;
    timer.start();
    HttpClient other;
    QVERIFY(other.connectTo(server->httpPort()));
    bool otherServed = false;
    for (qsizetype i = 0; i < request.size() && !slow.closedByServer; ++i) {
        slow.sendRaw(request.mid(i, 1));
        QTest::qWait(20);
        if (i == 1) {
            // Meanwhile a normal client is served without delay.
            QVERIFY(!initializeSession(other).isEmpty());
            otherServed = true;
        }
    }
    QTRY_VERIFY(slow.closedByServer);
    QVERIFY(otherServed);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(slow.waitForReply().status, 408);
}

void TestMcpHttpServer::idleConnectionClosed()
{
    McpServerConfig config;
    config.idleTimeoutSeconds = 1;
    auto server = startServer(config);
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    // Started before the last answer, whose sending starts the server's idle clock.
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!initializeSession(client).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(client.closedByServer, 4000);
    QVERIFY(timer.elapsed() >= 800);
}

void TestMcpHttpServer::connectionLimit()
{
    McpServerConfig config;
    config.maxConnections = 5;
    auto server = startServer(config);
    QVERIFY(server);
    // The cap counts clients, connections that sent an authorised request.
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<HttpClient>());
        QVERIFY(clients.back()->connectTo(server->httpPort()));
        QVERIFY(!initializeSession(*clients.back()).isEmpty());
    }
    HttpClient extra;
    QVERIFY(extra.connectTo(server->httpPort()));
    extra.sendRequest("POST", JsonRpc::serialize(rpcRequest(1, u"initialize"_s, initializeParams())), authed());
    QCOMPARE(extra.waitForReply().status, 503);
    // The admitted ones go on being served on their connections.
    QVERIFY(!initializeSession(*clients[0]).isEmpty());
    // Once one leaves, a newcomer gets in.
    clients[4].reset();
    // Until the server has read the leaver's EOF a newcomer may still be turned away; not for long.
    bool admitted = false;
    for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
        clients[4] = std::make_unique<HttpClient>(); // kept: the places are all taken again
        QVERIFY(clients[4]->connectTo(server->httpPort()));
        admitted = !initializeSession(*clients[4]).isEmpty();
        if (!admitted)
            QTest::qWait(100);
    }
    QVERIFY(admitted);

    // Connections kept alive while waiting for nothing do not hold their places for the whole
    // idle timeout: once one has idled a while, it makes room for a newcomer.
    QTest::qWait(2200);
    HttpClient newcomer;
    QVERIFY(newcomer.connectTo(server->httpPort()));
    QVERIFY(!initializeSession(newcomer).isEmpty());
    QTRY_COMPARE(
        std::count_if(clients.cbegin(), clients.cend(), [](const auto &c) { return c && c->closedByServer; }), 1);
}

// One token holder opening sessions without end does not lock other clients out: the session
// idle the longest makes room and answers 404 from then on; busy ones are kept.
void TestMcpHttpServer::sessionLimitClosesTheIdlest()
{
    McpServerConfig config;
    config.httpMaxSessions = 3;
    auto server = startServer(config);
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    QStringList sessions;
    for (int i = 0; i < 3; ++i) {
        sessions.append(initializeSession(client));
        QVERIFY(!sessions.last().isEmpty());
        QTest::qWait(5); // distinct activity times
    }
    // The first is used again: the second is now the one idle the longest.
    const auto listTools = [this, &client](const QString &session) {
        client.sendRequest("POST", JsonRpc::serialize(rpcRequest(7, u"tools/list"_s)),
            authed({ { "Mcp-Session-Id", session.toLatin1() }, { "MCP-Protocol-Version", "2025-11-25" } }));
        return client.waitForReply().status;
    };
    QCOMPARE(listTools(sessions[0]), 200);
    const QString fourth = initializeSession(client);
    QVERIFY(!fourth.isEmpty());
    QCOMPARE(listTools(sessions[1]), 404);
    QCOMPARE(listTools(sessions[0]), 200);
    QCOMPARE(listTools(sessions[2]), 200);
    QCOMPARE(listTools(fourth), 200);
}

void TestMcpHttpServer::idleSocketsDoNotLockOut()
{
    McpServerConfig config;
    config.authTimeoutSeconds = 2;
    auto server = startServer(config);
    QVERIFY(server);
    // More silent connections than either cap (64 each): on the old server they took every
    // place for the 300 s idle timeout and everyone else got 503.
    QElapsedTimer sinceIdle;
    sinceIdle.start();
    std::vector<std::unique_ptr<HttpClient>> idle;
    for (int i = 0; i < 80; ++i) {
        idle.push_back(std::make_unique<HttpClient>());
        QVERIFY(idle.back()->connectTo(server->httpPort()));
        if (i % 10 == 9)
            QTest::qWait(5); // the server accepts them as they come
    }
    // Half a request without the token: it too has only the short deadline, not the 30 s one.
    HttpClient partial;
    QVERIFY(partial.connectTo(server->httpPort()));
    partial.sendRaw("POST /mcp HTTP/1.1\r\nHost: localhost\r\nX-Half: ");
    QTest::qWait(100); // the server has taken them all

    QElapsedTimer timer;
    timer.start();
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QString session = initializeSession(client);
    QVERIFY(!session.isEmpty());
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));

    // The silent ones are closed by the deadline (the oldest already to make room), the
    // authorised client's connection stays and keeps being served.
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(idle.cbegin(), idle.cend(), [](const auto &c) { return c->closedByServer; }), 6000);
    QVERIFY2(sinceIdle.elapsed() >= 1500, qPrintable(QString::number(sinceIdle.elapsed())));
    QTRY_VERIFY_WITH_TIMEOUT(partial.closedByServer, 3000);
    QCOMPARE(partial.waitForReply().status, 408);
    QVERIFY(!client.closedByServer);
    client.sendRequest("POST", JsonRpc::serialize(rpcRequest(2, u"tools/list"_s)),
        authed({ { "Mcp-Session-Id", session.toLatin1() }, { "MCP-Protocol-Version", "2025-11-25" } }));
    QCOMPARE(client.waitForReply().status, 200);
}

void TestMcpHttpServer::unauthenticatedHaveTheirOwnCap()
{
    McpServerConfig config;
    config.maxUnauthenticatedConnections = 4;
    auto server = startServer(config);
    QVERIFY(server);
    std::vector<std::unique_ptr<HttpClient>> idle;
    for (int i = 0; i < 10; ++i) {
        idle.push_back(std::make_unique<HttpClient>());
        QVERIFY(idle.back()->connectTo(server->httpPort()));
        QTest::qWait(10);
    }
    // The oldest made room for the newer ones: never more than 4 wait without a token.
    QTRY_COMPARE(std::count_if(idle.cbegin(), idle.cend(), [](const auto &c) { return !c->closedByServer; }), 4);
    for (int i = 0; i < 6; ++i)
        QVERIFY(idle[i]->closedByServer);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    QVERIFY(!initializeSession(client).isEmpty());
}

void TestMcpHttpServer::fiftyConcurrentClients()
{
    auto server = startServer();
    QVERIFY(server);
    constexpr int Count = 50;
    std::vector<std::unique_ptr<HttpClient>> clients;
    for (int i = 0; i < Count; ++i) {
        clients.push_back(std::make_unique<HttpClient>());
        QVERIFY(clients.back()->connectTo(server->httpPort()));
        clients.back()->sendRequest("POST", body(rpcRequest(i, u"initialize"_s, initializeParams())), authed());
    }
    QList<QByteArray> sessions;
    for (int i = 0; i < Count; ++i) {
        const HttpReply reply = clients[i]->waitForReply();
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"id"_s).toInt(), i);
        sessions.append(reply.header("mcp-session-id"));
    }
    for (int i = 0; i < Count; ++i) {
        clients[i]->sendRequest("POST",
            body(rpcRequest(i, u"tools/call"_s,
                QJsonObject {
                    { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"c%1"_s.arg(i) } } } })),
            authed({ { "Mcp-Session-Id", sessions[i] } }));
    }
    for (int i = 0; i < Count; ++i) {
        const HttpReply reply = clients[i]->waitForReply();
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json()
                     .value(u"result"_s)
                     .toObject()
                     .value(u"content"_s)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"text"_s)
                     .toString(),
            u"c%1"_s.arg(i));
    }
    QCOMPARE(QSet<QByteArray>(sessions.cbegin(), sessions.cend()).size(), Count);
    QCOMPARE(server->clients().size(), Count);
}

namespace {
QJsonObject statelessCall(
    const QJsonValue &id, const QString &method, QJsonObject params = {}, const QString &version = u"2026-07-28"_s)
{
    params.insert(u"_meta"_s,
        QJsonObject { { u"io.modelcontextprotocol/protocolVersion"_s, version },
            { u"io.modelcontextprotocol/clientCapabilities"_s, QJsonObject {} } });
    return rpcRequest(id, method, params);
}

QJsonObject echoParams(const QString &text)
{
    return QJsonObject { { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, text } } } };
}
} // namespace

void TestMcpHttpServer::statelessRequest()
{
    // No initialize, no session: the request stands alone and the answer names no session.
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(statelessCall(1, u"tools/list"_s)),
        authed({ { "MCP-Protocol-Version", "2026-07-28" }, { "Mcp-Method", "tools/list" } }));
    HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("mcp-session-id").isEmpty());
    const QJsonObject result = QJsonDocument::fromJson(reply.body).object().value(u"result"_s).toObject();
    QCOMPARE(result.value(u"resultType"_s).toString(), u"complete"_s);
    QVERIFY(result.contains(u"ttlMs"_s));

    client.sendRequest("POST", body(statelessCall(2, u"tools/call"_s, echoParams(u"hello"_s))),
        authed({ { "MCP-Protocol-Version", "2026-07-28" }, { "Mcp-Method", "tools/call" }, { "Mcp-Name", "echo" },
            { "Mcp-Param-Text", "hello" } }));
    reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.body.contains("hello"));
}

void TestMcpHttpServer::statelessErrorStatus_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("code");
    QTest::newRow("missing _meta") << rpcRequest(5, u"server/discover"_s) << QByteArray("2026-07-28") << 400 << -32602;
    QTest::newRow("unsupported version") << statelessCall(5, u"server/discover"_s, {}, u"v999"_s) << QByteArray("v999")
                                         << 400 << -32022;
    QTest::newRow("header and body disagree")
        << statelessCall(5, u"server/discover"_s, {}, u"v999"_s) << QByteArray("2026-07-28") << 400 << -32020;
    QTest::newRow("removed method") << statelessCall(5, u"ping"_s) << QByteArray("2026-07-28") << 404 << -32601;
    QTest::newRow("unknown method") << statelessCall(5, u"no/such"_s) << QByteArray("2026-07-28") << 404 << -32601;
    QTest::newRow("discover") << statelessCall(5, u"server/discover"_s) << QByteArray("2026-07-28") << 200 << 0;
}

void TestMcpHttpServer::statelessErrorStatus()
{
    QFETCH(QJsonObject, message);
    QFETCH(QByteArray, version);
    QFETCH(int, status);
    QFETCH(int, code);
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(message),
        authed({ { "MCP-Protocol-Version", version },
            { "Mcp-Method", message.value(u"method"_s).toString().toLatin1() } }));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, status);
    const QJsonObject answer = QJsonDocument::fromJson(reply.body).object();
    QCOMPARE(answer.value(u"error"_s).toObject().value(u"code"_s).toInt(), code);
    QCOMPARE(answer.value(u"id"_s).toInt(), 5); // the request's id, on every error
}

void TestMcpHttpServer::statelessHeaderValidation_data()
{
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("status");
    const Headers standard { { "MCP-Protocol-Version", "2026-07-28" }, { "Mcp-Method", "tools/call" },
        { "Mcp-Name", "echo" } };
    auto with = [&standard](const Headers &extra) { return standard + extra; };
    QTest::newRow("all mirrored") << with({ { "Mcp-Param-Text", "Hello" } }) << 200;
    QTest::newRow("header name case") << with({ { "MCP-PARAM-TEXT", "Hello" } }) << 200;
    QTest::newRow("base64") << with({ { "Mcp-Param-Text", "=?base64?SGVsbG8=?=" } }) << 200;
    QTest::newRow("base64 bad padding") << with({ { "Mcp-Param-Text", "=?base64?SGVsbG8?=" } }) << 400;
    QTest::newRow("base64 bad characters") << with({ { "Mcp-Param-Text", "=?base64?SGVs!!!bG8=?=" } }) << 400;
    QTest::newRow("no sentinel: literal") << with({ { "Mcp-Param-Text", "SGVsbG8=" } }) << 400;
    QTest::newRow("param header missing") << standard << 400;
    QTest::newRow("param header differs") << with({ { "Mcp-Param-Text", "Bye" } }) << 400;
    QTest::newRow("Mcp-Name missing") << Headers { { "MCP-Protocol-Version", "2026-07-28" },
        { "Mcp-Method", "tools/call" }, { "Mcp-Param-Text", "Hello" } }
                                      << 400;
    QTest::newRow("Mcp-Name differs") << Headers { { "MCP-Protocol-Version", "2026-07-28" },
        { "Mcp-Method", "tools/call" }, { "Mcp-Name", "slow" }, { "Mcp-Param-Text", "Hello" } }
                                      << 400;
    QTest::newRow("Mcp-Method missing") << Headers { { "MCP-Protocol-Version", "2026-07-28" }, { "Mcp-Name", "echo" },
        { "Mcp-Param-Text", "Hello" } } << 400;
    QTest::newRow("Mcp-Method case") << Headers { { "MCP-Protocol-Version", "2026-07-28" },
        { "Mcp-Method", "TOOLS/CALL" }, { "Mcp-Name", "echo" }, { "Mcp-Param-Text", "Hello" } }
                                     << 400;
    QTest::newRow("version header missing")
        << Headers { { "Mcp-Method", "tools/call" }, { "Mcp-Name", "echo" }, { "Mcp-Param-Text", "Hello" } } << 400;
}

void TestMcpHttpServer::statelessHeaderValidation()
{
    QFETCH(Headers, headers);
    QFETCH(int, status);
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(statelessCall(7, u"tools/call"_s, echoParams(u"Hello"_s))), authed(headers));
    const HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, status);
    if (status == 400) {
        const QJsonObject answer = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(answer.value(u"error"_s).toObject().value(u"code"_s).toInt(), -32020);
        QCOMPARE(answer.value(u"id"_s).toInt(), 7);
    }
}

void TestMcpHttpServer::statelessIgnoresSessionHeader()
{
    // A handshake-era session and a stateless request side by side on one endpoint: the
    // stateless one is served as such even when it carries a session's id.
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    const QByteArray session = initializeSession(client).toLatin1();
    QVERIFY(!session.isEmpty());
    client.sendRequest("POST", body(statelessCall(3, u"server/discover"_s)),
        authed({ { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2026-07-28" },
            { "Mcp-Method", "server/discover" } }));
    HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("mcp-session-id").isEmpty());
    // ...and the session goes on as before.
    client.sendRequest("POST", body(rpcRequest(4, u"ping"_s)),
        authed({ { "Mcp-Session-Id", session }, { "MCP-Protocol-Version", "2025-11-25" } }));
    reply = client.waitForReply();
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("mcp-session-id"), session);
}

void TestMcpHttpServer::sessionErrorsCarryTheRequestId()
{
    // A handshake-era request refused for its session still names its id in the answer.
    auto server = startServer();
    QVERIFY(server);
    HttpClient client;
    QVERIFY(client.connectTo(server->httpPort()));
    client.sendRequest("POST", body(rpcRequest(u"no-session"_s, u"tools/list"_s)), authed());
    HttpReply reply = client.waitForReply();
    QCOMPARE(reply.status, 400);
    QCOMPARE(QJsonDocument::fromJson(reply.body).object().value(u"id"_s).toString(), u"no-session"_s);
    client.sendRequest("POST", body(rpcRequest(12, u"tools/list"_s)), authed({ { "Mcp-Session-Id", "gone" } }));
    reply = client.waitForReply();
    QCOMPARE(reply.status, 404);
    QCOMPARE(QJsonDocument::fromJson(reply.body).object().value(u"id"_s).toInt(), 12);
}

QTEST_GUILESS_MAIN(TestMcpHttpServer)
#include "tst_mcphttpserver.moc"
