// SPDX-License-Identifier: GPL-2.0-or-later
// The bridge between a client's stdin/stdout and the instance's socket, driven through pipes
// against an in-process QLocalServer. For the "starts an instance" cases this binary doubles as
// the instance: with TST_BRIDGE_LISTEN=PATH it listens there (after TST_BRIDGE_DELAY_MS) and
// answers each line with "echo:" + the line.
#include "mcp/stdiobridge.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

struct Pipe
{
    int fds[2] = { -1, -1 };
    Pipe() { QVERIFY(::pipe2(fds, O_CLOEXEC) == 0); }
    ~Pipe()
    {
        closeRead();
        closeWrite();
    }
    int readEnd() const { return fds[0]; }
    int writeEnd() const { return fds[1]; }
    void closeRead()
    {
        if (fds[0] >= 0)
            ::close(fds[0]);
        fds[0] = -1;
    }
    void closeWrite()
    {
        if (fds[1] >= 0)
            ::close(fds[1]);
        fds[1] = -1;
    }
    void writeAll(const QByteArray &data) const
    {
        qsizetype done = 0;
        while (done < data.size()) {
            const ssize_t n = ::write(fds[1], data.constData() + done, size_t(data.size() - done));
            if (n > 0)
                done += n;
            else if (errno != EINTR && errno != EAGAIN)
                return;
        }
    }
    // Non-blocking drain of what is there now.
    QByteArray readAvailable() const
    {
        const int flags = fcntl(fds[0], F_GETFL);
        fcntl(fds[0], F_SETFL, flags | O_NONBLOCK);
        QByteArray data;
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0)
            data.append(buffer, n);
        return data;
    }
};

int runListenHelper(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLocalServer server;
    const QString path = qEnvironmentVariable("TST_BRIDGE_LISTEN");
    QTimer::singleShot(qEnvironmentVariableIntValue("TST_BRIDGE_DELAY_MS"), &app, [&] {
        if (!server.listen(path))
            QCoreApplication::exit(3);
    });
    QObject::connect(&server, &QLocalServer::newConnection, &app, [&] {
        QLocalSocket *socket = server.nextPendingConnection();
        QObject::connect(socket, &QLocalSocket::readyRead, socket, [socket] {
            while (socket->canReadLine())
                socket->write("echo:" + socket->readLine());
        });
    });
    // Never outlive the test by much.
    QTimer::singleShot(20000, &app, &QCoreApplication::quit);
    return app.exec();
}

} // namespace

class TestStdioBridge : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString socketPath(const char *name) const { return m_dir.filePath(QLatin1StringView(name)); }

    struct Rig
    {
        Pipe input; // test writes, bridge reads
        Pipe output; // bridge writes, test reads
        QLocalServer server;
        QList<QLocalSocket *> clients;
        QByteArray received;
    };

    void listen(Rig &rig, const QString &path)
    {
        QVERIFY(rig.server.listen(path));
        connect(&rig.server, &QLocalServer::newConnection, this, [&rig] {
            QLocalSocket *socket = rig.server.nextPendingConnection();
            rig.clients.append(socket);
            connect(socket, &QLocalSocket::readyRead, socket, [&rig, socket] { rig.received += socket->readAll(); });
        });
    }

    StdioBridge::Options options(Rig &rig, const QString &path) const
    {
        StdioBridge::Options o;
        o.socketPath = path;
        o.inputFd = rig.input.readEnd();
        o.outputFd = rig.output.writeEnd();
        return o;
    }

    /// A bridge between a rig's pipes and its server, connected at both ends.
    struct Relay
    {
        Rig rig;
        std::unique_ptr<StdioBridge> bridge;
        std::unique_ptr<QSignalSpy> finished;
    };

    // Null (with the test failed) when the two ends did not connect.
    std::unique_ptr<Relay> startRelay(const char *socketName, qint64 maxBufferedBytes = 0)
    {
        auto relay = std::make_unique<Relay>();
        const QString path = socketPath(socketName);
        listen(relay->rig, path);
        StdioBridge::Options o = options(relay->rig, path);
        if (maxBufferedBytes > 0)
            o.maxBufferedBytes = maxBufferedBytes;
        relay->bridge = std::make_unique<StdioBridge>(o);
        relay->finished = std::make_unique<QSignalSpy>(relay->bridge.get(), &StdioBridge::finished);
        QSignalSpy connected(relay->bridge.get(), &StdioBridge::connected);
        relay->bridge->start();
        if (!QTest::qWaitFor([&] { return !connected.isEmpty(); }, 5000)
            || !QTest::qWaitFor([&] { return relay->rig.clients.size() == 1; }, 5000)) { // accepted too
            qWarning("the bridge did not connect to the test server");
            return nullptr;
        }
        return relay;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void relaysBothWays_data()
    {
        QTest::addColumn<QList<QByteArray>>("chunks");
        QTest::newRow("one line") << QList<QByteArray> { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n" };
        QTest::newRow("partial line") << QList<QByteArray> { "{\"jsonrpc\":\"2.0\",",
            "\"id\":2,\"method\":\"ping\"}\n" };
        QTest::newRow("two in one write") << QList<QByteArray> { "{\"id\":1}\n{\"id\":2}\n" };
        QTest::newRow("invalid utf-8 passes untouched") << QList<QByteArray> { "{\"x\":\"\xff\xfe\"}\n" };
        QTest::newRow("no trailing newline yet") << QList<QByteArray> { "{\"id\":3" };
    }

    void relaysBothWays()
    {
        QFETCH(QList<QByteArray>, chunks);
        auto relay = startRelay("relay.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;

        QByteArray sent;
        for (const QByteArray &chunk : chunks) {
            rig.input.writeAll(chunk);
            sent += chunk;
            QTRY_COMPARE_WITH_TIMEOUT(rig.received, sent, 5000);
        }
        QCOMPARE(rig.clients.size(), 1);

        // Server to client, split across writes, byte for byte.
        rig.clients.constFirst()->write("{\"result\":");
        rig.clients.constFirst()->write("{}}\n{\"id\":9}\n");
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += rig.output.readAvailable()) == "{\"result\":{}}\n{\"id\":9}\n", 5000);
        QCOMPARE(finished.size(), 0);
    }

    void largeTransfersWithBackpressure()
    {
        auto relay = startRelay("large.sock", 64 * 1024); // small buffers, so backpressure really kicks in
        QVERIFY(relay);
        Rig &rig = relay->rig;

        // 4 MiB from the server while the test reads the output pipe only now and then.
        QByteArray big;
        for (int i = 0; big.size() < 4 * 1024 * 1024; ++i)
            big += "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"n\":"
                + QByteArray::number(i) + "}}\n";
        rig.clients.constFirst()->write(big);
        QByteArray out;
        QElapsedTimer clock;
        clock.start();
        while (out.size() < big.size() && clock.elapsed() < 20000) {
            QTest::qWait(5);
            out += rig.output.readAvailable();
        }
        QCOMPARE(out.size(), big.size());
        QVERIFY(out == big);

        // And 2 MiB the other way.
        const QByteArray up = big.left(2 * 1024 * 1024);
        const int flags = fcntl(rig.input.writeEnd(), F_GETFL);
        fcntl(rig.input.writeEnd(), F_SETFL, flags | O_NONBLOCK);
        qsizetype written = 0;
        clock.restart();
        while ((written < up.size() || rig.received.size() < up.size()) && clock.elapsed() < 20000) {
            if (written < up.size()) {
                const ssize_t n = ::write(rig.input.writeEnd(), up.constData() + written, size_t(up.size() - written));
                if (n > 0)
                    written += n;
            }
            QTest::qWait(2);
        }
        QCOMPARE(rig.received.size(), up.size());
        QVERIFY(rig.received == up);
    }

    void eofOnInputExitsZero()
    {
        auto relay = startRelay("eof.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        rig.input.writeAll("{\"id\":1}\n");
        rig.input.closeWrite();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 0);
        QVERIFY(finished.constFirst().at(1).toString().isEmpty());
        // Everything sent before the EOF arrived, and the server sees the close.
        QTRY_COMPARE(rig.received, QByteArray("{\"id\":1}\n"));
        QTRY_COMPARE(rig.clients.constFirst()->state(), QLocalSocket::UnconnectedState);
    }

    // A piped client (`printf '...' | tracedesk --mcp-stdio`) closes its input right after the
    // requests: their answers must still reach it before the bridge ends.
    void answersAfterInputEof()
    {
        auto relay = startRelay("answers.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        const QByteArray requests = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}\n"
                                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                                    "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"method\":\"ping\"}\n";
        rig.input.writeAll(requests);
        rig.input.closeWrite();
        QTRY_COMPARE(rig.received, requests);
        QLocalSocket *server = rig.clients.constFirst();

        // A request from the server with the same id is no answer; neither is numeric 7 for "7".
        const QByteArray first = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"roots/list\"}\n"
                                 "{\"jsonrpc\":\"2.0\",\"id\":7,";
        const QByteArray second = "\"result\":{\"tools\":[]}}\n";
        // The answer to 7 arrives split, so the bridge holds half a line in between.
        server->write(first);
        server->flush();
        QByteArray out;
        QTRY_COMPARE((out += rig.output.readAvailable()), first);
        server->write(second);
        QTRY_COMPARE((out += rig.output.readAvailable()), first + second);
        // By the time the answer is out, a bridge that counted it for "7" would have finished.
        QVERIFY(finished.isEmpty());

        const QByteArray last = "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":{}}\n";
        server->write(last);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 0);
        QCOMPARE(out + rig.output.readAvailable(), first + second + last);
        QTRY_COMPARE(server->state(), QLocalSocket::UnconnectedState);
    }

    void batchAndCancelledRequests()
    {
        auto relay = startRelay("batch.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        // A 2025-03-26 batch of two requests, and a third that the client then cancels.
        rig.input.writeAll("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                           "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]\n"
                           "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\"}\n"
                           "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                           "\"params\":{\"requestId\":3}}\n");
        rig.input.closeWrite();
        QTRY_VERIFY(rig.received.endsWith("}}\n"));
        rig.clients.constFirst()->write("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}]\n");
        QByteArray out;
        QTRY_VERIFY(!(out += rig.output.readAvailable()).isEmpty());
        QVERIFY(finished.isEmpty()); // 2 is still unanswered
        rig.clients.constFirst()->write("{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-1,\"message\":\"x\"}}\n");
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 0);
    }

    // Ids the server answers with "id": null are not waited for; a reused id is answered twice.
    void invalidAndReusedIds()
    {
        auto relay = startRelay("ids.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        rig.input.writeAll("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}\n"
                           "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}\n"
                           "{\"jsonrpc\":\"2.0\",\"id\":1e300,\"method\":\"ping\"}\n"
                           "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}\n"
                           "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}\n"
                           "not json at all, \"id\": 4\n");
        rig.input.closeWrite();
        QTRY_VERIFY(rig.received.endsWith("\"id\": 4\n"));
        QLocalSocket *server = rig.clients.constFirst();
        server->write("{\"error\":{\"code\":-32600,\"message\":\"x\"},\"id\":9,\"jsonrpc\":\"2.0\"}\n");
        QByteArray out;
        QTRY_VERIFY(!(out += rig.output.readAvailable()).isEmpty());
        QVERIFY(finished.isEmpty()); // the second 9 is still owed
        server->write("{\"id\":9,\"jsonrpc\":\"2.0\",\"result\":{}}\n");
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 0);
    }

    // An answer larger than the bridge looks into is still matched, by the id our server puts first.
    void oversizeAnswer()
    {
        auto relay = startRelay("oversize.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        rig.input.writeAll("{\"jsonrpc\":\"2.0\",\"id\":\"big\",\"method\":\"resources/read\"}\n");
        rig.input.closeWrite();
        QTRY_VERIFY(!rig.received.isEmpty());
        const QByteArray answer = "{\"id\":\"big\",\"jsonrpc\":\"2.0\",\"result\":{\"text\":\""
            + QByteArray(17 * 1024 * 1024, 'x') + "\"}}\n";
        rig.clients.constFirst()->write(answer);
        qsizetype received = 0;
        QElapsedTimer clock;
        clock.start();
        while (finished.isEmpty() && clock.elapsed() < 30000) {
            received += rig.output.readAvailable().size();
            QTest::qWait(5);
        }
        received += rig.output.readAvailable().size();
        QCOMPARE(received, answer.size());
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.constFirst().at(0).toInt(), 0);
    }

    // A client that closed both pipes and went away: the bridge does not wait for answers nobody reads.
    void clientGoneAfterEof()
    {
        auto relay = startRelay("gone.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        rig.input.writeAll("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}\n");
        rig.input.closeWrite();
        QTRY_VERIFY(!rig.received.isEmpty());
        QTest::qWait(200);
        QVERIFY(finished.isEmpty()); // still owed an answer, and someone could read it
        rig.output.closeRead();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QVERIFY2(finished.constFirst().at(1).toString().contains(u"1 request(s) left unanswered"_s),
            qPrintable(finished.constFirst().at(1).toString()));
        QTRY_COMPARE(rig.clients.constFirst()->state(), QLocalSocket::UnconnectedState);
    }

    void serverClosingWithRequestsUnanswered()
    {
        auto relay = startRelay("unanswered.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        rig.input.writeAll("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}\n");
        rig.input.closeWrite();
        QTRY_VERIFY(!rig.received.isEmpty());
        rig.clients.constFirst()->disconnectFromServer();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 1);
        QVERIFY2(finished.constFirst().at(1).toString().contains(u"1 request(s) unanswered"_s),
            qPrintable(finished.constFirst().at(1).toString()));
    }

    void serverClosingExitsNonZero()
    {
        auto relay = startRelay("close.sock");
        QVERIFY(relay);
        Rig &rig = relay->rig;
        QSignalSpy &finished = *relay->finished;
        rig.clients.constFirst()->write("{\"last\":true}\n");
        rig.clients.constFirst()->flush();
        rig.clients.constFirst()->disconnectFromServer();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 1);
        QVERIFY(finished.constFirst().at(1).toString().contains(u"closed the connection"_s));
        // What came before the close still reached the client.
        QCOMPARE(rig.output.readAvailable(), QByteArray("{\"last\":true}\n"));
    }

    void noInstanceAndNothingToStart()
    {
        Rig rig;
        StdioBridge bridge(options(rig, socketPath("nobody.sock")));
        QSignalSpy finished(&bridge, &StdioBridge::finished);
        bridge.start();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 1);
        QVERIFY(finished.constFirst().at(1).toString().contains(u"no TraceDesk instance is listening"_s));
        QVERIFY(rig.output.readAvailable().isEmpty());
    }

    void startsAnInstanceAndWaitsForIt()
    {
        Rig rig;
        const QString path = socketPath("spawned.sock");
        StdioBridge::Options o = options(rig, path);
        o.program = QCoreApplication::applicationFilePath();
        o.instanceLogPath = m_dir.filePath(u"spawned.log"_s);
        // Inherited by the started copy of this binary, which then plays the instance.
        qputenv("TST_BRIDGE_LISTEN", path.toLocal8Bit());
        qputenv("TST_BRIDGE_DELAY_MS", "700"); // the bridge must keep retrying meanwhile
        auto cleanup = qScopeGuard([] {
            qunsetenv("TST_BRIDGE_LISTEN");
            qunsetenv("TST_BRIDGE_DELAY_MS");
        });
        StdioBridge bridge(o);
        QSignalSpy connected(&bridge, &StdioBridge::connected);
        QSignalSpy finished(&bridge, &StdioBridge::finished);
        bridge.start();
        QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty(), 8000);
        QVERIFY(bridge.startedInstance());
        rig.input.writeAll("{\"id\":1}\n");
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += rig.output.readAvailable()) == "echo:{\"id\":1}\n", 5000);
        rig.input.closeWrite();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 0);
    }

    void startedInstanceNeverListens()
    {
        Rig rig;
        StdioBridge::Options o = options(rig, socketPath("never.sock"));
        o.program = u"/bin/sh"_s;
        o.arguments = { u"-c"_s, u"echo 'cannot open display' >&2"_s };
        o.instanceLogPath = m_dir.filePath(u"never.log"_s);
        // Long enough for the shell to have written its complaint to the log on a loaded machine.
        o.startTimeoutMs = 2000;
        StdioBridge bridge(o);
        QSignalSpy finished(&bridge, &StdioBridge::finished);
        QElapsedTimer clock;
        clock.start();
        bridge.start();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 15000);
        QVERIFY(clock.elapsed() >= 1900);
        QCOMPARE(finished.constFirst().at(0).toInt(), 1);
        const QString message = finished.constFirst().at(1).toString();
        QVERIFY2(message.contains(u"did not appear within 2 s"_s), qPrintable(message));
        // The instance's own complaint is passed on.
        QVERIFY2(message.contains(u"cannot open display"_s), qPrintable(message));
    }

    void programCannotStart()
    {
        Rig rig;
        StdioBridge::Options o = options(rig, socketPath("nostart.sock"));
        o.program = m_dir.filePath(u"does-not-exist"_s);
        o.instanceLogPath = m_dir.filePath(u"nostart.log"_s);
        StdioBridge bridge(o);
        QSignalSpy finished(&bridge, &StdioBridge::finished);
        bridge.start();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 1);
        QVERIFY(finished.constFirst().at(1).toString().contains(u"failed"_s));
    }

    void staleSocketFileCountsAsNobody()
    {
        // A socket file left by a crashed instance: connect() is refused, nothing must hang.
        const QString path = socketPath("stale.sock");
        {
            // Bound but never listening, then closed without unlinking: what a crash leaves.
            const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            QVERIFY(fd >= 0);
            sockaddr_un address {};
            address.sun_family = AF_UNIX;
            const QByteArray encoded = path.toLocal8Bit();
            QVERIFY(size_t(encoded.size()) < sizeof(address.sun_path));
            memcpy(address.sun_path, encoded.constData(), size_t(encoded.size()));
            QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
            ::close(fd);
            QVERIFY(QFile::exists(path));
        }
        Rig rig;
        StdioBridge bridge(options(rig, path));
        QSignalSpy finished(&bridge, &StdioBridge::finished);
        bridge.start();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).toInt(), 1);
        QVERIFY(finished.constFirst().at(1).toString().contains(u"no TraceDesk instance is listening"_s));
    }
};

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet("TST_BRIDGE_LISTEN"))
        return runListenHelper(argc, argv);
    QCoreApplication app(argc, argv);
    TestStdioBridge test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_stdiobridge.moc"
