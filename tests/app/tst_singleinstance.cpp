// SPDX-License-Identifier: GPL-2.0-or-later
// One instance per socket: the activation handshake in-process, and the real binary started
// twice with isolated XDG directories.
#include "app/singleinstance.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

class TestSingleInstance : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static QString binary() { return QStringLiteral(TRACEDESK_BINARY_DIR "/bin/tracedesk"); }

    QProcessEnvironment isolatedEnvironment(const QString &name) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        const QString root = m_dir.filePath(name);
        QDir().mkpath(root);
        env.insert(u"XDG_RUNTIME_DIR"_s, root + u"/run"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, root + u"/config"_s);
        env.insert(u"XDG_STATE_HOME"_s, root + u"/state"_s);
        env.insert(u"XDG_CACHE_HOME"_s, root + u"/cache"_s);
        QDir().mkpath(root + u"/run"_s);
        QFile::setPermissions(
            root + u"/run"_s, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        for (const char *variable : { "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM" })
            env.remove(QLatin1StringView(variable));
        return env;
    }

    // Answers one activation request the way the server would.
    void serveActivation(QLocalServer &server, const QByteArray &answer, QByteArray *request)
    {
        connect(&server, &QLocalServer::newConnection, this, [&server, answer, request] {
            QLocalSocket *socket = server.nextPendingConnection();
            connect(socket, &QLocalSocket::readyRead, socket, [socket, answer, request] {
                *request += socket->readAll();
                if (request->endsWith('\n'))
                    socket->write(answer);
            });
        });
    }

    static bool waitForLine(QProcess &process, const QByteArray &text, QByteArray *seen, int timeoutMs = 15000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            *seen += process.readAllStandardOutput();
            if (seen->contains(text))
                return true;
            if (process.state() == QProcess::NotRunning)
                return false;
            process.waitForReadyRead(100);
        }
        return false;
    }

    static void terminate(QProcess &process)
    {
        if (process.state() == QProcess::NotRunning)
            return;
        ::kill(pid_t(process.processId()), SIGTERM);
        if (!process.waitForFinished(15000)) {
            process.kill();
            process.waitForFinished(3000);
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void activation_data()
    {
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<int>("outcome");
        QTest::newRow("window raised") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"activated\":true}}\n")
                                       << int(InstanceActivator::Outcome::Activated);
        QTest::newRow("headless") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"activated\":false,"
                                                "\"reason\":\"headless instance\"}}\n")
                                  << int(InstanceActivator::Outcome::Headless);
        QTest::newRow("error") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":"
                                             "\"Method not found\"}}\n")
                               << int(InstanceActivator::Outcome::Failed);
        QTest::newRow("garbage") << QByteArray("HTTP/1.1 400 Bad Request\r\n\r\n\n")
                                 << int(InstanceActivator::Outcome::Failed);
    }

    void activation()
    {
        QFETCH(QByteArray, answer);
        QFETCH(int, outcome);
        QLocalServer server;
        const QString path = m_dir.filePath(
            u"activate-%1.sock"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'-'));
        QVERIFY(server.listen(path));
        QByteArray request;
        serveActivation(server, answer, &request);
        InstanceActivator activator(path);
        QSignalSpy finished(&activator, &InstanceActivator::finished);
        activator.start();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).value<InstanceActivator::Outcome>(), InstanceActivator::Outcome(outcome));
        QCOMPARE(request, QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tracedesk/activate\"}\n"));
        if (outcome != int(InstanceActivator::Outcome::Activated))
            QVERIFY(!finished.constFirst().at(1).toString().isEmpty());
    }

    void nobodyListens()
    {
        InstanceActivator activator(m_dir.filePath(u"none.sock"_s));
        QSignalSpy finished(&activator, &InstanceActivator::finished);
        activator.start();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(
            finished.constFirst().at(0).value<InstanceActivator::Outcome>(), InstanceActivator::Outcome::NoInstance);
    }

    void silentPeerTimesOut()
    {
        QLocalServer server;
        const QString path = m_dir.filePath(u"silent.sock"_s);
        QVERIFY(server.listen(path));
        InstanceActivator activator(path);
        activator.setTimeoutMs(300);
        QSignalSpy finished(&activator, &InstanceActivator::finished);
        activator.start();
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
        QCOMPARE(finished.constFirst().at(0).value<InstanceActivator::Outcome>(), InstanceActivator::Outcome::Failed);
        QVERIFY(finished.constFirst().at(1).toString().contains(u"did not answer"_s));
    }

    // The real binary: a second headless instance on the same socket refuses; a second window
    // start finds the headless one and says so; SIGTERM removes the socket.
    void secondInstances()
    {
        const QProcessEnvironment env = isolatedEnvironment(u"two"_s);
        const QString socketPath = env.value(u"XDG_RUNTIME_DIR"_s) + u"/tracedesk/mcp.sock"_s;

        QProcess first;
        first.setProcessEnvironment(env);
        first.setStandardInputFile(QProcess::nullDevice());
        first.start(binary(), { u"--headless"_s, u"--no-http"_s });
        QByteArray firstOut;
        QVERIFY2(waitForLine(first, "http: off\n", &firstOut), firstOut.constData());
        QVERIFY2(firstOut.contains(socketPath.toLocal8Bit()), firstOut.constData());
        QVERIFY(firstOut.contains("approval policy: deny"));
        QVERIFY(firstOut.contains("http: off"));
        QVERIFY(QFile::exists(socketPath));

        QProcess second;
        second.setProcessEnvironment(env);
        second.setStandardInputFile(QProcess::nullDevice());
        second.start(binary(), { u"--headless"_s, u"--no-http"_s });
        QVERIFY(second.waitForFinished(15000));
        const QString secondErr = QString::fromLocal8Bit(second.readAllStandardError());
        QCOMPARE(second.exitCode(), 1);
        QVERIFY2(secondErr.contains(u"already running"_s), qPrintable(secondErr));
        QVERIFY2(secondErr.contains(socketPath), qPrintable(secondErr));

        QProcess window;
        QProcessEnvironment windowEnv = env;
        windowEnv.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        window.setProcessEnvironment(windowEnv);
        window.start(binary(), {});
        QVERIFY(window.waitForFinished(15000));
        const QString windowErr = QString::fromLocal8Bit(window.readAllStandardError());
        QCOMPARE(window.exitCode(), 1);
        QVERIFY2(windowErr.contains(u"headless"_s), qPrintable(windowErr));

        // The first one is still serving, and shuts down cleanly on SIGTERM.
        QCOMPARE(first.state(), QProcess::Running);
        ::kill(pid_t(first.processId()), SIGTERM);
        QVERIFY(first.waitForFinished(15000));
        QCOMPARE(first.exitStatus(), QProcess::NormalExit);
        QCOMPARE(first.exitCode(), 0);
        QVERIFY(!QFile::exists(socketPath));
    }

    // Two window starts: the second raises the first and exits 0.
    void secondWindowRaisesFirst()
    {
        QProcessEnvironment env = isolatedEnvironment(u"window"_s);
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        const QString socketPath = env.value(u"XDG_RUNTIME_DIR"_s) + u"/tracedesk/mcp.sock"_s;

        QProcess first;
        first.setProcessEnvironment(env);
        first.start(binary(), { u"--http-port"_s, u"0"_s });
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socketPath) || first.state() == QProcess::NotRunning, 15000);
        QVERIFY2(first.state() == QProcess::Running, first.readAllStandardError().constData());
        // The socket file appears before the first instance's event loop answers on it. Ask it
        // ourselves with a generous timeout, so `second` below (5 s) meets an instance that is
        // known to answer, however loaded the machine.
        InstanceActivator probe(socketPath);
        probe.setTimeoutMs(60000);
        QSignalSpy probed(&probe, &InstanceActivator::finished);
        probe.start();
        QTRY_VERIFY_WITH_TIMEOUT(!probed.isEmpty(), 65000);
        QVERIFY2(probed.constFirst().at(0).value<InstanceActivator::Outcome>() == InstanceActivator::Outcome::Activated,
            qPrintable(probed.constFirst().at(1).toString()));

        QProcess second;
        second.setProcessEnvironment(env);
        second.start(binary(), {});
        QVERIFY(second.waitForFinished(15000));
        const QString err = QString::fromLocal8Bit(second.readAllStandardError());
        QVERIFY2(second.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains(u"raised the window"_s), qPrintable(err));
        QCOMPARE(first.state(), QProcess::Running);
        terminate(first);
        QCOMPARE(first.exitCode(), 0);
    }

    // The real window with unsaved text from an earlier session waiting in its recovery file:
    // SIGTERM ends it within 2 s (no question, no offer blocks), and the text is still there
    // for the next start.
    void windowEndsPromptlyOnSigterm()
    {
        QProcessEnvironment env = isolatedEnvironment(u"sigterm"_s);
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        const QString socketPath = env.value(u"XDG_RUNTIME_DIR"_s) + u"/tracedesk/mcp.sock"_s;
        const QString stateDir = env.value(u"XDG_STATE_HOME"_s) + u"/tracedesk"_s;
        QVERIFY(QDir().mkpath(stateDir));
        const QString recoveryPath = stateDir + u"/recovery.json"_s;
        const QJsonObject recovery { { u"version"_s, 1 }, { u"file"_s, QString() },
            { u"text"_s, u"BEGIN { printf(\"unsaved\\n\"); }\n"_s } };
        QFile seed(recoveryPath);
        QVERIFY(seed.open(QIODevice::WriteOnly));
        seed.write(QJsonDocument(recovery).toJson());
        seed.close();

        QProcess window;
        window.setProcessEnvironment(env);
        window.setStandardInputFile(QProcess::nullDevice());
        window.start(binary(), { u"--no-http"_s });
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socketPath) || window.state() == QProcess::NotRunning, 15000);
        QVERIFY2(window.state() == QProcess::Running, window.readAllStandardError().constData());
        QTest::qWait(500); // the window is up and showing the offer
        QElapsedTimer clock;
        clock.start();
        ::kill(pid_t(window.processId()), SIGTERM);
        QVERIFY(window.waitForFinished(2000));
        QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(window.exitStatus(), QProcess::NormalExit);
        QCOMPARE(window.exitCode(), 0);
        QVERIFY(!QFile::exists(socketPath));
        QFile kept(recoveryPath);
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(kept.readAll()).object().value(u"text"_s).toString(),
            u"BEGIN { printf(\"unsaved\\n\"); }\n"_s);
    }
};

QTEST_GUILESS_MAIN(TestSingleInstance)
#include "tst_singleinstance.moc"
