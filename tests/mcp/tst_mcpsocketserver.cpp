// SPDX-License-Identifier: GPL-2.0-or-later
// McpSocketServer over FakeHandlers: the local socket transport end to end.
#include "fakehandlers.h"
#include "mcp/mcpserver.h"
#include "mcptestclient.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class TestMcpSocketServer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void initializeAndListTools();
    void privateDirectoryAndSocket();
    void fiftyClientsAtOnce();
    void disconnectMidRequestCancelsOnlyThatClient();
    void badInput_data();
    void badInput();
    void oversizedLineThenResync();
    void staleSocketReplaced();
    void secondLiveInstanceRefused();
    void activation();
    void resourceListChangedIsPushed();
    void clientsAndTraffic();

private:
    std::unique_ptr<McpServer> startServer(McpServerConfig config = {});
    std::unique_ptr<QTemporaryDir> m_dir;
    FakeHandlers *m_handlers = nullptr;
    QString m_path;
};

void TestMcpSocketServer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath(u"run/tracedesk/mcp.sock"_s);
}

void TestMcpSocketServer::cleanup()
{
    m_dir.reset();
}

std::unique_ptr<McpServer> TestMcpSocketServer::startServer(McpServerConfig config)
{
    config.socketPath = m_path;
    config.httpEnabled = false;
    config.tokenPath = m_dir->filePath(u"token"_s);
    return startFakeServer(config, &m_handlers);
}

void TestMcpSocketServer::initializeAndListTools()
{
    auto server = startServer();
    QVERIFY(server);
    LineClient client;
    QVERIFY(client.connectTo(server->socketPath()));
    const QJsonObject init = client.call(1, u"initialize"_s, initializeParams());
    const QJsonObject result = init.value(u"result"_s).toObject();
    QCOMPARE(result.value(u"protocolVersion"_s).toString(), u"2025-11-25"_s);
    QCOMPARE(result.value(u"serverInfo"_s).toObject().value(u"name"_s).toString(), u"tracedesk"_s);
    QVERIFY(result.value(u"capabilities"_s).toObject().contains(u"tools"_s));
    client.send(QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, u"notifications/initialized"_s } });

    const QJsonObject list = client.call(2, u"tools/list"_s);
    QCOMPARE(list.value(u"result"_s).toObject().value(u"tools"_s).toArray().size(), 3);
    const QJsonObject echo = client.call(3, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"hi"_s } } } });
    QCOMPARE(
        echo.value(u"result"_s).toObject().value(u"content"_s).toArray().at(0).toObject().value(u"text"_s).toString(),
        u"hi"_s);
}

void TestMcpSocketServer::privateDirectoryAndSocket()
{
    auto server = startServer();
    QVERIFY(server);
    struct stat info;
    QCOMPARE(::stat(QFile::encodeName(QFileInfo(m_path).absolutePath()).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, 0700u);
    QCOMPARE(::stat(QFile::encodeName(m_path).constData(), &info), 0);
    QVERIFY(S_ISSOCK(info.st_mode));
    QCOMPARE(info.st_mode & 0077, 0u); // UserAccessOption: nobody else
}

void TestMcpSocketServer::fiftyClientsAtOnce()
{
    auto server = startServer();
    QVERIFY(server);
    constexpr int Count = 50;
    std::vector<std::unique_ptr<LineClient>> clients;
    for (int i = 0; i < Count; ++i) {
        clients.push_back(std::make_unique<LineClient>());
        QVERIFY(clients.back()->connectTo(server->socketPath()));
    }
    // Connected but not initialized: not counted as clients yet.
    QTest::qWait(50);
    QCOMPARE(server->clients().size(), 0);
    // Everyone sends before anyone reads.
    for (int i = 0; i < Count; ++i) {
        clients[i]->send(rpcRequest(1, u"initialize"_s, initializeParams(u"2025-06-18"_s, u"client%1"_s.arg(i))));
        clients[i]->send(rpcRequest(2, u"tools/call"_s,
            QJsonObject {
                { u"name"_s, u"echo"_s }, { u"arguments"_s, QJsonObject { { u"text"_s, u"n%1"_s.arg(i) } } } }));
        clients[i]->send(rpcRequest(3, u"ping"_s));
    }
    for (int i = 0; i < Count; ++i) {
        const QJsonObject init = clients[i]->waitForResponse(1);
        QCOMPARE(init.value(u"result"_s).toObject().value(u"protocolVersion"_s).toString(), u"2025-06-18"_s);
        const QJsonObject echo = clients[i]->waitForResponse(2);
        QCOMPARE(echo.value(u"result"_s)
                     .toObject()
                     .value(u"content"_s)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"text"_s)
                     .toString(),
            u"n%1"_s.arg(i));
        QVERIFY(clients[i]->waitForResponse(3).contains(u"result"_s));
    }
    QTRY_COMPARE(server->clients().size(), Count);
    clients.clear();
    QTRY_COMPARE(server->clients().size(), 0);
}

void TestMcpSocketServer::disconnectMidRequestCancelsOnlyThatClient()
{
    auto server = startServer();
    QVERIFY(server);
    LineClient leaving;
    LineClient staying;
    QVERIFY(leaving.connectTo(server->socketPath()));
    QVERIFY(staying.connectTo(server->socketPath()));
    QVERIFY(leaving.initialize());
    QVERIFY(staying.initialize());

    leaving.send(rpcRequest(9, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 5000 } } } }));
    staying.send(rpcRequest(9, u"tools/call"_s,
        QJsonObject { { u"name"_s, u"slow"_s }, { u"arguments"_s, QJsonObject { { u"ms"_s, 300 } } } }));
    // Both calls must have reached the handlers before the disconnect, or nothing is cancelled.
    QTRY_COMPARE(m_handlers->startedSlowCalls, 2);
    leaving.socket.abort();
    QTRY_COMPARE(m_handlers->cancelledCalls, 1);
    // The other client is served as before, and its own long call completes.
    QVERIFY(staying.call(10, u"ping"_s).contains(u"result"_s));
    const QJsonObject slow = staying.waitForResponse(9);
    QCOMPARE(
        slow.value(u"result"_s).toObject().value(u"content"_s).toArray().at(0).toObject().value(u"text"_s).toString(),
        u"slow done"_s);
    QCOMPARE(m_handlers->completedSlowCalls, 1);
}

void TestMcpSocketServer::badInput_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("code");
    QTest::addColumn<QJsonValue>("id");

    const QJsonValue null(QJsonValue::Null);
    QTest::newRow("garbage") << QByteArray("this is not json\n") << -32700 << null;
    QTest::newRow("half message then newline") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":4,\"met\n") << -32700 << null;
    QTest::newRow("invalid utf-8") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"p\xff\"}\n") << -32700
                                   << null;
    QTest::newRow("null id") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}\n") << -32600 << null;
    QTest::newRow("wrong jsonrpc") << QByteArray("{\"jsonrpc\":\"1\",\"id\":4,\"method\":\"ping\"}\n") << -32600
                                   << QJsonValue(4);
    QTest::newRow("method wrong type") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":[]}\n") << -32600
                                       << QJsonValue(4);
    QTest::newRow("unknown method") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"nope\"}\n") << -32601
                                    << QJsonValue(4);
    QTest::newRow("unknown tool") << QByteArray(
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}\n")
                                  << -32602 << QJsonValue(4);
    QTest::newRow("arguments wrong type") << QByteArray(
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":3}}\n")
                                          << -32602 << QJsonValue(4);
    QTest::newRow("batch refused in 2025-11-25")
        << QByteArray("[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}]\n") << -32600 << null;
}

void TestMcpSocketServer::badInput()
{
    QFETCH(QByteArray, line);
    QFETCH(int, code);
    QFETCH(QJsonValue, id);

    auto server = startServer();
    QVERIFY(server);
    LineClient client;
    QVERIFY(client.connectTo(server->socketPath()));
    QVERIFY(client.initialize());
    client.sendRaw(line);
    const QJsonObject answer = client.waitForResponse(id);
    QCOMPARE(answer.value(u"error"_s).toObject().value(u"code"_s).toInt(), code);
    // The connection survives and keeps serving.
    QVERIFY(client.call(u"after"_s, u"ping"_s).contains(u"result"_s));
}

void TestMcpSocketServer::oversizedLineThenResync()
{
    McpServerConfig config;
    config.maxLineBytes = 4096;
    auto server = startServer(config);
    QVERIFY(server);
    LineClient client;
    QVERIFY(client.connectTo(server->socketPath()));
    QVERIFY(client.initialize());
    // Sent in pieces, as a real client would: the server never holds more than the limit.
    const QByteArray huge
        = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\",\"params\":{\"x\":\"" + QByteArray(100000, 'a');
    for (qsizetype i = 0; i < huge.size(); i += 8192) {
        client.sendRaw(huge.mid(i, 8192));
        QTest::qWait(1);
    }
    client.sendRaw("\"}}\n");
    const QJsonObject error = client.waitForResponse(QJsonValue(QJsonValue::Null));
    QCOMPARE(error.value(u"error"_s).toObject().value(u"code"_s).toInt(), -32600);
    QVERIFY(error.value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"4096"_s));
    // Nothing of the oversized message is answered; the next one is.
    QVERIFY(client.call(6, u"ping"_s).contains(u"result"_s));
    QVERIFY(client.waitForResponse(5, 200).isEmpty());
}

void TestMcpSocketServer::staleSocketReplaced()
{
    QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
    // A socket file whose owner died: bound, then closed without unlinking.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    const QByteArray native = QFile::encodeName(m_path);
    std::memcpy(address.sun_path, native.constData(), native.size());
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
    ::close(fd);
    QVERIFY(QFileInfo::exists(m_path));

    auto server = startServer();
    QVERIFY(server);
    LineClient client;
    QVERIFY(client.connectTo(m_path));
    QVERIFY(client.call(1, u"ping"_s).contains(u"result"_s));
}

void TestMcpSocketServer::secondLiveInstanceRefused()
{
    auto first = startServer();
    QVERIFY(first);
    McpServerConfig config;
    config.socketPath = m_path;
    config.httpEnabled = false;
    McpServer second(std::make_unique<FakeHandlers>(), config);
    QVERIFY(!second.start());
    QVERIFY2(second.errorString().contains(u"another TraceDesk instance"_s), qPrintable(second.errorString()));
    // The first one is untouched.
    LineClient client;
    QVERIFY(client.connectTo(m_path));
    QVERIFY(client.call(1, u"ping"_s).contains(u"result"_s));
}

void TestMcpSocketServer::activation()
{
    auto server = startServer();
    QVERIFY(server);
    LineClient client;
    QVERIFY(client.connectTo(server->socketPath()));
    // Allowed before initialize: a second `tracedesk` just wants the window raised.
    QJsonObject answer = client.call(1, u"tracedesk/activate"_s).value(u"result"_s).toObject();
    QCOMPARE(answer.value(u"activated"_s).toBool(), false);
    QCOMPARE(answer.value(u"reason"_s).toString(), u"headless instance"_s);

    int raised = 0;
    server->setActivationHandler([&raised] { ++raised; });
    answer = client.call(2, u"tracedesk/activate"_s).value(u"result"_s).toObject();
    QCOMPARE(answer.value(u"activated"_s).toBool(), true);
    QCOMPARE(raised, 1);
}

void TestMcpSocketServer::resourceListChangedIsPushed()
{
    auto server = startServer();
    QVERIFY(server);
    LineClient ready;
    LineClient fresh;
    QVERIFY(ready.connectTo(server->socketPath()));
    QVERIFY(fresh.connectTo(server->socketPath()));
    QVERIFY(ready.initialize());
    QVERIFY(fresh.call(1, u"ping"_s).contains(u"result"_s));
    m_handlers->announceResourceChange();
    QTRY_COMPARE(ready.notifications(u"notifications/resources/list_changed"_s).size(), 1);
    QVERIFY(fresh.call(2, u"ping"_s).contains(u"result"_s));
    QCOMPARE(fresh.notifications(u"notifications/resources/list_changed"_s).size(), 0); // not initialized
}

void TestMcpSocketServer::clientsAndTraffic()
{
    auto server = startServer();
    QVERIFY(server);
    QSignalSpy clientsChanged(server.get(), &McpServer::clientsChanged);
    QSignalSpy traffic(server.get(), &McpServer::trafficLogged);
    LineClient client;
    QVERIFY(client.connectTo(server->socketPath()));
    QVERIFY(client.initialize());
    QVERIFY(client.call(2, u"nope"_s).contains(u"error"_s));
    QTRY_VERIFY(clientsChanged.size() >= 2); // connected, then initialized
    const QList<McpClientInfo> clients = server->clients();
    QCOMPARE(clients.size(), 1);
    QCOMPARE(clients[0].name, u"test-client"_s);
    QCOMPARE(clients[0].transport, u"socket"_s);
    QCOMPARE(clients[0].protocolVersion, u"2025-11-25"_s);
    QCOMPARE(clients[0].requestCount, 2);

    QTRY_VERIFY(traffic.size() >= 3);
    bool sawError = false;
    for (const QList<QVariant> &arguments : std::as_const(traffic)) {
        const auto entry = arguments.at(0).value<McpTrafficEntry>();
        if (entry.method == "nope"_L1) {
            QVERIFY(entry.isError);
            QVERIFY(entry.error.contains(u"Method not found"_s));
            sawError = true;
        }
    }
    QVERIFY(sawError);
}

QTEST_GUILESS_MAIN(TestMcpSocketServer)
#include "tst_mcpsocketserver.moc"
