// SPDX-License-Identifier: GPL-2.0-or-later
// Round-trip latency (p50, p99) and sequential requests per second of ping, tools/list and get_result
// through McpServer over a real Engine (fake bpftrace), on the local socket and HTTP, next to a
// raw newline echo over a QLocalSocket in the same process as the baseline. The client runs in
// its own thread with blocking sockets so the server's event loop is measured, not the client's.
//
// Output: one human line per measurement with its ratio to the echo, and one machine-readable
//   BENCH_MCP {"transport":...,"method":...,"n":...,"p50_us":...,"p99_us":...,"rps":...,"vs_echo_p50":...}
// line each. TRACEDESK_BENCH_SCALE multiplies the request count (default 300).
#include "engine/engine.h"
#include "mcp/jsonrpc.h"
#include "mcp/mcpserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

struct Measurement
{
    QString transport;
    QString method;
    QList<qint64> nanos;
    qint64 totalNanos = 0;
    int failures = 0;

    double percentileUs(double p) const
    {
        if (nanos.isEmpty())
            return 0;
        QList<qint64> sorted = nanos;
        std::sort(sorted.begin(), sorted.end());
        const qsizetype index = qMin<qsizetype>(sorted.size() - 1, qsizetype(p * double(sorted.size())));
        return double(sorted.at(index)) / 1000.0;
    }
    double rps() const { return totalNanos > 0 ? double(nanos.size()) * 1e9 / double(totalNanos) : 0; }
};

// ---- blocking clients (bench thread only) ------------------------------------------------------

class LineChannel
{
public:
    bool connect(const QString &path)
    {
        m_socket.connectToServer(path);
        return m_socket.waitForConnected(5000);
    }
    QByteArray roundTrip(const QByteArray &line)
    {
        m_socket.write(line);
        while (!m_socket.canReadLine()) {
            if (!m_socket.waitForReadyRead(10000))
                return {};
        }
        return m_socket.readLine();
    }

private:
    QLocalSocket m_socket;
};

class HttpChannel
{
public:
    bool connect(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.waitForConnected(5000);
    }
    void setHeader(const QByteArray &header) { m_extra += header + "\r\n"; }
    /// One POST on the kept-alive connection; returns the body and fills *sessionId when given.
    QByteArray post(const QByteArray &body, QByteArray *sessionId = nullptr)
    {
        m_socket.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Accept: application/json, text/event-stream\r\n"
            + m_extra + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        qsizetype headerEnd = -1;
        while ((headerEnd = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!m_socket.waitForReadyRead(10000))
                return {};
            m_buffer += m_socket.readAll();
        }
        const QByteArray head = m_buffer.left(headerEnd).toLower();
        qsizetype length = 0;
        for (const QByteArray &line : head.split('\n')) {
            if (line.startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
            if (sessionId && line.startsWith("mcp-session-id:"))
                *sessionId = line.mid(15).trimmed();
        }
        while (m_buffer.size() < headerEnd + 4 + length) {
            if (!m_socket.waitForReadyRead(10000))
                return {};
            m_buffer += m_socket.readAll();
        }
        const QByteArray body_ = m_buffer.mid(headerEnd + 4, length);
        m_buffer.remove(0, headerEnd + 4 + length);
        return body_;
    }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_extra;
};

bool isSuccess(const QByteArray &response)
{
    const QJsonObject object = QJsonDocument::fromJson(response).object();
    return object.contains(u"result"_s) && !object.value(u"result"_s).toObject().value(u"isError"_s).toBool();
}

QByteArray request(int id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject message { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"method"_s, method } };
    if (!params.isEmpty())
        message.insert(u"params"_s, params);
    return JsonRpc::serialize(message);
}

QJsonObject initializeParams()
{
    return QJsonObject { { u"protocolVersion"_s, u"2025-11-25"_s }, { u"capabilities"_s, QJsonObject {} },
        { u"clientInfo"_s, QJsonObject { { u"name"_s, u"bench"_s }, { u"version"_s, u"1"_s } } } };
}

class BenchThread : public QThread
{
public:
    QString socketPath;
    QString echoPath;
    quint16 httpPort = 0;
    QByteArray token;
    QString executionId;
    int n = 300;
    QList<Measurement> results;
    QString error;

protected:
    void run() override
    {
        const QByteArray toolsList = request(0, u"tools/list"_s);
        const QByteArray ping = request(0, u"ping"_s);
        const QByteArray getResult = request(0, u"tools/call"_s,
            QJsonObject { { u"name"_s, u"get_result"_s },
                { u"arguments"_s, QJsonObject { { u"execution_id"_s, executionId } } } });

        // Baseline: the same bytes echoed back by a bare QLocalServer.
        LineChannel echo;
        if (!echo.connect(echoPath)) {
            error = u"echo server unreachable"_s;
            return;
        }
        measure(u"socket-echo"_s, u"echo"_s, [&] { return !echo.roundTrip(toolsList + '\n').isEmpty(); });

        LineChannel socket;
        if (!socket.connect(socketPath)
            || !isSuccess(socket.roundTrip(request(1, u"initialize"_s, initializeParams()) + '\n'))) {
            error = u"socket initialize failed"_s;
            return;
        }
        measure(u"socket"_s, u"ping"_s, [&] { return isSuccess(socket.roundTrip(ping + '\n')); });
        measure(u"socket"_s, u"tools/list"_s, [&] { return isSuccess(socket.roundTrip(toolsList + '\n')); });
        measure(u"socket"_s, u"get_result"_s, [&] { return isSuccess(socket.roundTrip(getResult + '\n')); });

        HttpChannel http;
        http.setHeader("Authorization: Bearer " + token);
        QByteArray session;
        if (!http.connect(httpPort)
            || !isSuccess(http.post(request(1, u"initialize"_s, initializeParams()), &session))) {
            error = u"HTTP initialize failed"_s;
            return;
        }
        http.setHeader("Mcp-Session-Id: " + session);
        http.setHeader("MCP-Protocol-Version: 2025-11-25");
        measure(u"http"_s, u"ping"_s, [&] { return isSuccess(http.post(ping)); });
        measure(u"http"_s, u"tools/list"_s, [&] { return isSuccess(http.post(toolsList)); });
        measure(u"http"_s, u"get_result"_s, [&] { return isSuccess(http.post(getResult)); });
    }

private:
    template<typename F> void measure(const QString &transport, const QString &method, F roundTrip)
    {
        for (int i = 0; i < n / 10; ++i) // warm-up
            roundTrip();
        Measurement m { transport, method, {}, 0, 0 };
        QElapsedTimer total;
        total.start();
        for (int i = 0; i < n; ++i) {
            QElapsedTimer one;
            one.start();
            if (!roundTrip())
                ++m.failures;
            m.nanos.append(one.nsecsElapsed());
        }
        m.totalNanos = total.nsecsElapsed();
        results.append(m);
    }
};

} // namespace

class BenchMcp : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrips();
};

void BenchMcp::roundTrips()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    EngineConfig config;
    config.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/tests/mcp/fakes/fake-bpftrace.sh"_s;
    config.privilege = PrivilegeMode::Direct;
    config.stateDirectory = dir.filePath(u"state"_s);
    config.cacheDirectory = dir.filePath(u"cache"_s);
    config.loadHistory = false;
    config.approvalPolicy = ApprovalPolicy::AllowAll;
    config.limits.batchIntervalMs = 20;
    // get_result is measured on a run the person started, which clients may read only when
    // the person allows it.
    config.clientsReadPersonRuns = true;
    Engine engine(config);
    engine.start();

    McpServerConfig serverConfig;
    serverConfig.socketPath = dir.filePath(u"run/mcp.sock"_s);
    serverConfig.tokenPath = dir.filePath(u"token"_s);
    serverConfig.httpPort = 0;
    McpServer server(&engine, serverConfig);
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    // The echo baseline lives in this thread's event loop, like the MCP server.
    QLocalServer echoServer;
    const QString echoPath = dir.filePath(u"echo.sock"_s);
    QVERIFY(echoServer.listen(echoPath));
    connect(&echoServer, &QLocalServer::newConnection, this, [&echoServer] {
        while (QLocalSocket *socket = echoServer.nextPendingConnection()) {
            connect(socket, &QLocalSocket::readyRead, socket, [socket] {
                while (socket->canReadLine())
                    socket->write(socket->readLine());
            });
        }
    });

    // A finished run for get_result to describe (3 output lines and three maps from the fake).
    Run *run = engine.runs()->startPersonRun(u"tracepoint:syscalls:sys_enter_openat { @calls[comm] = count(); }"_s);
    QVERIFY(run);
    QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 15000);

    BenchThread bench;
    bench.socketPath = server.socketPath();
    bench.echoPath = echoPath;
    bench.httpPort = server.httpPort();
    bench.token = server.token().toLatin1();
    bench.executionId = run->id();
    bench.n = 300 * qMax(1, qEnvironmentVariableIntValue("TRACEDESK_BENCH_SCALE"));
    QSignalSpy finished(&bench, &QThread::finished);
    bench.start();
    QVERIFY(finished.wait(300000));
    QVERIFY2(bench.error.isEmpty(), qPrintable(bench.error));

    const Measurement &echo = bench.results.constFirst();
    for (const Measurement &m : std::as_const(bench.results)) {
        QCOMPARE(m.failures, 0);
        const double ratio = echo.percentileUs(0.5) > 0 ? m.percentileUs(0.5) / echo.percentileUs(0.5) : 0;
        std::printf("bench_mcp: %-11s %-10s p50 %8.1f us  p99 %8.1f us  %8.0f req/s  (p50 x%.1f the raw socket echo)\n",
            qPrintable(m.transport), qPrintable(m.method), m.percentileUs(0.5), m.percentileUs(0.99), m.rps(), ratio);
        const QJsonObject line { { u"transport"_s, m.transport }, { u"method"_s, m.method }, { u"n"_s, m.nanos.size() },
            { u"p50_us"_s, m.percentileUs(0.5) }, { u"p99_us"_s, m.percentileUs(0.99) }, { u"rps"_s, m.rps() },
            { u"vs_echo_p50"_s, ratio } };
        std::printf("BENCH_MCP %s\n", JsonRpc::serialize(line).constData());
        // Loose sanity bound: a local round trip that takes 50 ms means something is stuck.
        QVERIFY2(m.percentileUs(0.5) < 50000, qPrintable(m.transport + u' ' + m.method));
    }
    std::fflush(stdout);
}

QTEST_GUILESS_MAIN(BenchMcp)
#include "bench_mcp.moc"
