// SPDX-License-Identifier: GPL-2.0-or-later
// McpServer over a real Engine (a fake bpftrace, temporary state): the transports, the
// dispatcher and the tools working together end to end.
#include "engine/engine.h"
#include "mcp/mcpserver.h"
#include "mcptestclient.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMcpServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void toolsOverSocket();
    void investigationOverSocket();
    void cancelledLongPollAnswersPromptly();
    void resourcesAndPromptsOverHttp();
    void clientsSeparatedAcrossTransports();

private:
    QJsonObject callTool(LineClient &client, const QJsonValue &id, const QString &name, const QJsonObject &arguments,
        int timeoutMs = 10000);

    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<McpServer> m_server;
};

void TestMcpServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    EngineConfig config;
    config.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/tests/mcp/fakes/fake-bpftrace.sh"_s;
    config.privilege = PrivilegeMode::Direct;
    config.stateDirectory = m_dir.filePath(u"state"_s);
    config.cacheDirectory = m_dir.filePath(u"cache"_s);
    config.loadHistory = false;
    config.approvalPolicy = ApprovalPolicy::AllowAll;
    config.limits.batchIntervalMs = 20;
    m_engine = std::make_unique<Engine>(config);
    m_engine->start();

    McpServerConfig serverConfig;
    serverConfig.socketPath = m_dir.filePath(u"run/mcp.sock"_s);
    serverConfig.tokenPath = m_dir.filePath(u"config/http-token"_s);
    serverConfig.httpPort = 0;
    m_server = std::make_unique<McpServer>(m_engine.get(), serverConfig);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
}

void TestMcpServer::cleanupTestCase()
{
    m_server.reset();
    m_engine.reset();
}

QJsonObject TestMcpServer::callTool(
    LineClient &client, const QJsonValue &id, const QString &name, const QJsonObject &arguments, int timeoutMs)
{
    return client
        .call(id, u"tools/call"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments } }, timeoutMs)
        .value(u"result"_s)
        .toObject();
}

void TestMcpServer::toolsOverSocket()
{
    LineClient client;
    QVERIFY(client.connectTo(m_server->socketPath()));
    QVERIFY(client.initialize());
    const QJsonArray tools = client.call(1, u"tools/list"_s).value(u"result"_s).toObject().value(u"tools"_s).toArray();
    QStringList names;
    for (const QJsonValue &tool : tools)
        names.append(tool.toObject().value(u"name"_s).toString());
    for (const QString &name : { u"list_probes"_s, u"describe_probe"_s, u"bpf_info"_s, u"list_helpers"_s,
             u"validate_program"_s, u"exec_program"_s, u"get_result"_s, u"stop_execution"_s, u"list_executions"_s })
        QVERIFY2(names.contains(name), qPrintable(name));
    // Bad arguments are a tool result with isError, not a protocol error.
    const QJsonObject bad = callTool(client, 2, u"get_result"_s, QJsonObject { { u"execution_id"_s, 5 } });
    QVERIFY(bad.value(u"isError"_s).toBool());
}

void TestMcpServer::investigationOverSocket()
{
    LineClient client;
    QVERIFY(client.connectTo(m_server->socketPath()));
    QVERIFY(client.initialize());
    const QJsonObject started = callTool(client, 1, u"exec_program"_s,
        QJsonObject { { u"program"_s, u"tracepoint:syscalls:sys_enter_openat { @calls[comm] = count(); }"_s },
            { u"reason"_s, u"transport test"_s } });
    const QString id = started.value(u"structuredContent"_s).toObject().value(u"execution_id"_s).toString();
    QVERIFY2(!id.isEmpty(), QJsonDocument(started).toJson().constData());

    QJsonObject result;
    for (int i = 0; i < 20; ++i) {
        result = callTool(
            client, 100 + i, u"get_result"_s, QJsonObject { { u"execution_id"_s, id }, { u"wait_seconds"_s, 5 } })
                     .value(u"structuredContent"_s)
                     .toObject();
        if (result.value(u"terminal"_s).toBool())
            break;
    }
    QVERIFY2(result.value(u"terminal"_s).toBool(), QJsonDocument(result).toJson().constData());
    QCOMPARE(result.value(u"state"_s).toString(), u"finished"_s);
    // The run knows which client asked (from initialize's clientInfo).
    const QList<Run *> runs = m_engine->runs()->runs();
    bool found = false;
    for (Run *run : runs) {
        if (run->id() == id) {
            QCOMPARE(run->client().name, u"test-client"_s);
            QCOMPARE(run->client().transport, u"socket"_s);
            found = true;
        }
    }
    QVERIFY(found);
}

void TestMcpServer::cancelledLongPollAnswersPromptly()
{
    LineClient client;
    QVERIFY(client.connectTo(m_server->socketPath()));
    QVERIFY(client.initialize());
    // A run waiting for the person: a long-poll on it sees neither output nor a change of state.
    m_engine->approvals()->setPolicy(ApprovalPolicy::Ask);
    const QJsonObject started = callTool(
        client, 1, u"exec_program"_s, QJsonObject { { u"program"_s, u"BEGIN { printf(\"waiting\\n\"); }"_s } });
    const QString id = started.value(u"structuredContent"_s).toObject().value(u"execution_id"_s).toString();
    QVERIFY2(!id.isEmpty(), QJsonDocument(started).toJson().constData());

    QTest::qWait(300); // let the analysis settle: it changes the run and would answer a long-poll
    QSignalSpy traffic(m_server.get(), &McpServer::trafficLogged);
    // Long-poll, then cancel it.
    client.send(rpcRequest(u"poll"_s, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"get_result"_s },
            { u"arguments"_s, QJsonObject { { u"execution_id"_s, id }, { u"wait_seconds"_s, 30 } } } }));
    const QJsonObject early = client.waitForResponse(u"poll"_s, 300);
    QVERIFY2(early.isEmpty(), QJsonDocument(early).toJson().constData()); // it is waiting
    QElapsedTimer timer;
    timer.start();
    client.send(JsonRpc::notification(u"notifications/cancelled"_s, QJsonObject { { u"requestId"_s, u"poll"_s } }));
    auto cancelledEntry = [&] {
        for (const QList<QVariant> &arguments : std::as_const(traffic)) {
            const auto entry = arguments.at(0).value<McpTrafficEntry>();
            if (entry.method == "tools/call get_result"_L1 && entry.error.contains(u"cancelled"_s))
                return true;
        }
        return false;
    };
    if (!QTest::qWaitFor(cancelledEntry, 3000)) {
        for (const QList<QVariant> &arguments : std::as_const(traffic)) {
            const auto entry = arguments.at(0).value<McpTrafficEntry>();
            qWarning() << entry.method << entry.durationMs << entry.isError << entry.error;
        }
        QFAIL("the cancelled get_result did not end");
    }
    QVERIFY(timer.elapsed() < 3000);
    // The session goes on; no response ever came for the cancelled request.
    QVERIFY(client.call(2, u"ping"_s).contains(u"result"_s));
    QVERIFY(client.waitForResponse(u"poll"_s, 100).isEmpty());
    QVERIFY(m_engine->approvals()->deny(id, u"test over"_s));
    m_engine->approvals()->setPolicy(ApprovalPolicy::AllowAll);
}

void TestMcpServer::resourcesAndPromptsOverHttp()
{
    HttpClient client;
    QVERIFY(client.connectTo(m_server->httpPort()));
    const QList<QPair<QByteArray, QByteArray>> base { { "Authorization", "Bearer " + m_server->token().toLatin1() },
        { "Content-Type", "application/json" }, { "Accept", "application/json, text/event-stream" } };
    client.sendRequest("POST", JsonRpc::serialize(rpcRequest(1, u"initialize"_s, initializeParams())), base);
    const HttpReply init = client.waitForReply();
    QCOMPARE(init.status, 200);
    auto headers = base;
    headers.emplaceBack("Mcp-Session-Id", init.header("mcp-session-id"));
    headers.emplaceBack("MCP-Protocol-Version", "2025-11-25");

    client.sendRequest("POST", JsonRpc::serialize(rpcRequest(2, u"resources/list"_s)), headers);
    const QJsonArray resources
        = client.waitForReply().json().value(u"result"_s).toObject().value(u"resources"_s).toArray();
    QVERIFY2(resources.size() >= 15, qPrintable(QString::number(resources.size())));
    const QString uri = resources.at(0).toObject().value(u"uri"_s).toString();
    QVERIFY(uri.startsWith(u"tracedesk://"_s));
    client.sendRequest(
        "POST", JsonRpc::serialize(rpcRequest(3, u"resources/read"_s, QJsonObject { { u"uri"_s, uri } })), headers);
    QVERIFY(client.waitForReply().json().value(u"result"_s).toObject().contains(u"contents"_s));
    client.sendRequest("POST",
        JsonRpc::serialize(
            rpcRequest(4, u"resources/read"_s, QJsonObject { { u"uri"_s, u"tracedesk://examples/no-such"_s } })),
        headers);
    QCOMPARE(client.waitForReply().json().value(u"error"_s).toObject().value(u"code"_s).toInt(), -32002);
    client.sendRequest("POST", JsonRpc::serialize(rpcRequest(5, u"prompts/list"_s)), headers);
    QVERIFY(client.waitForReply().json().value(u"result"_s).toObject().value(u"prompts"_s).toArray().size() >= 3);
    client.sendRequest("POST", JsonRpc::serialize(rpcRequest(6, u"resources/templates/list"_s)), headers);
    QVERIFY(
        !client.waitForReply().json().value(u"result"_s).toObject().value(u"resourceTemplates"_s).toArray().isEmpty());
}

// Every transport gives its requests a server-made session, and a run is its session's alone:
// another socket connection (a reconnect too) and an HTTP session neither list nor read it; an
// HTTP client keeps its runs on a new TCP connection because it keeps its Mcp-Session-Id.
void TestMcpServer::clientsSeparatedAcrossTransports()
{
    auto ids = [](const QJsonObject &result) {
        QStringList list;
        const QJsonArray executions = result.value(u"structuredContent"_s).toObject().value(u"executions"_s).toArray();
        for (const QJsonValue &e : executions)
            list.append(e.toObject().value(u"execution_id"_s).toString());
        return list;
    };
    auto socketRun = std::make_unique<LineClient>();
    QVERIFY(socketRun->connectTo(m_server->socketPath()));
    QVERIFY(socketRun->initialize());
    const QString mine
        = callTool(*socketRun, 1, u"exec_program"_s, QJsonObject { { u"program"_s, u"BEGIN { FAKE_LINES=2 }"_s } })
              .value(u"structuredContent"_s)
              .toObject()
              .value(u"execution_id"_s)
              .toString();
    QVERIFY(!mine.isEmpty());
    Run *run = m_engine->runs()->run(mine);
    QVERIFY(run);
    QVERIFY(!run->client().sessionId.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 10000);
    QVERIFY(ids(callTool(*socketRun, 2, u"list_executions"_s, {})).contains(mine));

    LineClient other;
    QVERIFY(other.connectTo(m_server->socketPath()));
    QVERIFY(other.initialize());
    QVERIFY(!ids(callTool(other, 1, u"list_executions"_s, {})).contains(mine));
    QVERIFY(callTool(other, 2, u"get_result"_s, { { u"execution_id"_s, mine } }).value(u"isError"_s).toBool());
    const QJsonObject read
        = other.call(3, u"resources/read"_s, QJsonObject { { u"uri"_s, QString(u"tracedesk://runs/"_s + mine) } });
    QCOMPARE(read.value(u"error"_s).toObject().value(u"code"_s).toInt(), -32002);

    // A socket client that reconnects is a new session.
    socketRun.reset();
    LineClient again;
    QVERIFY(again.connectTo(m_server->socketPath()));
    QVERIFY(again.initialize());
    QVERIFY(!ids(callTool(again, 1, u"list_executions"_s, {})).contains(mine));

    // HTTP: its own session, its own runs, kept across TCP connections.
    const QList<QPair<QByteArray, QByteArray>> base { { "Authorization", "Bearer " + m_server->token().toLatin1() },
        { "Content-Type", "application/json" }, { "Accept", "application/json" } };
    auto http = std::make_unique<HttpClient>();
    QVERIFY(http->connectTo(m_server->httpPort()));
    http->sendRequest("POST", JsonRpc::serialize(rpcRequest(1, u"initialize"_s, initializeParams())), base);
    const HttpReply init = http->waitForReply();
    QCOMPARE(init.status, 200);
    auto headers = base;
    headers.emplaceBack("Mcp-Session-Id", init.header("mcp-session-id"));
    headers.emplaceBack("MCP-Protocol-Version", "2025-11-25");
    auto httpTool = [&headers](HttpClient &c, int id, const QString &name, const QJsonObject &arguments) {
        c.sendRequest("POST",
            JsonRpc::serialize(
                rpcRequest(id, u"tools/call"_s, QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments } })),
            headers);
        return c.waitForReply(10000).json().value(u"result"_s).toObject();
    };
    QVERIFY(!ids(httpTool(*http, 2, u"list_executions"_s, {})).contains(mine));
    QVERIFY(httpTool(*http, 3, u"get_result"_s, { { u"execution_id"_s, mine } }).value(u"isError"_s).toBool());
    const QString theirs = httpTool(*http, 4, u"exec_program"_s, { { u"program"_s, u"BEGIN { FAKE_LINES=1 }"_s } })
                               .value(u"structuredContent"_s)
                               .toObject()
                               .value(u"execution_id"_s)
                               .toString();
    QVERIFY(!theirs.isEmpty());
    QCOMPARE(m_engine->runs()->run(theirs)->client().sessionId, QString::fromLatin1(init.header("mcp-session-id")));
    QCOMPARE(m_engine->runs()->run(theirs)->client().transport, u"http"_s);
    QVERIFY(!ids(callTool(other, 4, u"list_executions"_s, {})).contains(theirs));
    http.reset();
    HttpClient reconnected;
    QVERIFY(reconnected.connectTo(m_server->httpPort()));
    QVERIFY(ids(httpTool(reconnected, 5, u"list_executions"_s, {})).contains(theirs));

    // Stateless (2026-07-28) clients of one transport share an owner: one reaches its run by the
    // execution id it was given, and no other learns that id by listing.
    const QJsonObject meta { { u"io.modelcontextprotocol/protocolVersion"_s, u"2026-07-28"_s },
        { u"io.modelcontextprotocol/clientInfo"_s, QJsonObject { { u"name"_s, u"s"_s }, { u"version"_s, u"1"_s } } },
        { u"io.modelcontextprotocol/clientCapabilities"_s, QJsonObject {} } };
    auto statelessTool = [&meta](LineClient &c, int id, const QString &name, const QJsonObject &arguments) {
        return c
            .call(id, u"tools/call"_s,
                QJsonObject { { u"name"_s, name }, { u"arguments"_s, arguments }, { u"_meta"_s, meta } }, 10000)
            .value(u"result"_s)
            .toObject();
    };
    LineClient statelessA;
    QVERIFY(statelessA.connectTo(m_server->socketPath()));
    const QString handle
        = statelessTool(statelessA, 1, u"exec_program"_s, { { u"program"_s, u"BEGIN { FAKE_LINES=1 }"_s } })
              .value(u"structuredContent"_s)
              .toObject()
              .value(u"execution_id"_s)
              .toString();
    QVERIFY(!handle.isEmpty());
    LineClient statelessB;
    QVERIFY(statelessB.connectTo(m_server->socketPath()));
    QVERIFY(!ids(statelessTool(statelessB, 2, u"list_executions"_s, {})).contains(handle));
    QVERIFY(
        !statelessTool(statelessA, 3, u"get_result"_s, { { u"execution_id"_s, handle } }).value(u"isError"_s).toBool());
}

QTEST_GUILESS_MAIN(TestMcpServer)
#include "tst_mcpserver.moc"
