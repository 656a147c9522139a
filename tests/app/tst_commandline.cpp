// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/commandline.h"
#include "engine/engine.h"
#include "mcp/mcpserver.h"

#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestCommandLine : public QObject
{
    Q_OBJECT

private:
    static QStringList args(const QString &line)
    {
        QStringList list { u"tracedesk"_s };
        if (!line.isEmpty())
            list += QProcess::splitCommand(line);
        return list;
    }
    static QString tracedeskBinary() { return QStringLiteral(TRACEDESK_BINARY_DIR "/bin/tracedesk"); }

private Q_SLOTS:
    void defaults()
    {
        const CommandLineResult result = parseCommandLine(args({}));
        QCOMPARE(result.status, CommandLineResult::Status::Run);
        const CommandLineOptions &o = result.options;
        QCOMPARE(o.mode, CommandLineOptions::Mode::Window);
        QVERIFY(!o.approvalPolicy);
        QVERIFY(!o.httpPort);
        QVERIFY(!o.noHttp);
        QVERIFY(!o.httpInsecureNoAuth);
        QVERIFY(!o.privilege);
        QVERIFY(o.forwardedArguments.isEmpty());
    }

    void eachOption_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expected");

        QTest::newRow("headless") << u"--headless"_s << u"mode"_s << u"headless"_s;
        QTest::newRow("mcp-stdio") << u"--mcp-stdio"_s << u"mode"_s << u"stdio"_s;
        QTest::newRow("policy deny") << u"--headless --approval-policy deny"_s << u"policy"_s << u"deny"_s;
        QTest::newRow("policy low") << u"--approval-policy allow-low-risk"_s << u"policy"_s << u"allow-low-risk"_s;
        QTest::newRow("policy all") << u"--approval-policy=allow-all"_s << u"policy"_s << u"allow-all"_s;
        QTest::newRow("timeout") << u"--approval-timeout 45"_s << u"timeout"_s << u"45"_s;
        QTest::newRow("port") << u"--http-port 9000"_s << u"port"_s << u"9000"_s;
        QTest::newRow("port 0") << u"--http-port 0"_s << u"port"_s << u"0"_s;
        QTest::newRow("address v4") << u"--http-address 127.0.0.2"_s << u"address"_s << u"127.0.0.2"_s;
        QTest::newRow("address v6") << u"--http-address ::1"_s << u"address"_s << u"::1"_s;
        QTest::newRow("address localhost") << u"--http-address localhost"_s << u"address"_s << u"127.0.0.1"_s;
        QTest::newRow("no-http") << u"--no-http"_s << u"nohttp"_s << u"true"_s;
        QTest::newRow("insecure") << u"--http-insecure-no-auth"_s << u"insecure"_s << u"true"_s;
        QTest::newRow("insecure on loopback")
            << u"--http-insecure-no-auth --http-address 127.0.0.1"_s << u"insecure"_s << u"true"_s;
        QTest::newRow("privilege auto") << u"--privilege auto"_s << u"privilege"_s << u"auto"_s;
        QTest::newRow("privilege direct") << u"--privilege direct"_s << u"privilege"_s << u"direct"_s;
        QTest::newRow("privilege pkexec") << u"--privilege pkexec"_s << u"privilege"_s << u"pkexec"_s;
        QTest::newRow("privilege sudo") << u"--privilege sudo"_s << u"privilege"_s << u"sudo"_s;
        QTest::newRow("bpftrace") << u"--bpftrace /opt/bt/bpftrace"_s << u"bpftrace"_s << u"/opt/bt/bpftrace"_s;
        QTest::newRow("max runs") << u"--max-concurrent-runs 7"_s << u"maxruns"_s << u"7"_s;
        QTest::newRow("state dir") << u"--state-dir /tmp/x"_s << u"statedir"_s << u"/tmp/x"_s;
        QTest::newRow("socket") << u"--socket /tmp/x.sock"_s << u"socket"_s << u"/tmp/x.sock"_s;
        QTest::newRow("print token") << u"--headless --print-token"_s << u"printtoken"_s << u"true"_s;
        QTest::newRow("share my runs") << u"--clients-read-my-runs yes"_s << u"sharemine"_s << u"true"_s;
        QTest::newRow("keep my runs") << u"--clients-read-my-runs no"_s << u"sharemine"_s << u"false"_s;
        QTest::newRow("my runs by default") << QString() << u"sharemine"_s << QString();
        QTest::newRow("qt platform") << u"-platform offscreen"_s << u"platform"_s << u"offscreen"_s;
        QTest::newRow("forwarded") << u"--mcp-stdio --http-port 0 --approval-policy allow-all"_s << u"forwarded"_s
                                   << u"--http-port 0 --approval-policy allow-all"_s;
    }

    void eachOption()
    {
        QFETCH(QString, line);
        QFETCH(QString, field);
        QFETCH(QString, expected);
        const CommandLineResult result = parseCommandLine(args(line));
        QVERIFY2(result.status == CommandLineResult::Status::Run, qPrintable(result.error));
        const CommandLineOptions &o = result.options;
        QString actual;
        if (field == "mode"_L1)
            actual = o.mode == CommandLineOptions::Mode::Headless ? u"headless"_s
                : o.mode == CommandLineOptions::Mode::StdioBridge ? u"stdio"_s
                                                                  : u"window"_s;
        else if (field == "policy"_L1)
            actual = o.approvalPolicy ? approvalPolicyName(*o.approvalPolicy) : QString();
        else if (field == "timeout"_L1)
            actual = o.approvalTimeoutSeconds ? QString::number(*o.approvalTimeoutSeconds) : QString();
        else if (field == "port"_L1)
            actual = o.httpPort ? QString::number(*o.httpPort) : QString();
        else if (field == "address"_L1)
            actual = o.httpAddress ? o.httpAddress->toString() : QString();
        else if (field == "nohttp"_L1)
            actual = o.noHttp ? u"true"_s : u"false"_s;
        else if (field == "insecure"_L1)
            actual = o.httpInsecureNoAuth ? u"true"_s : u"false"_s;
        else if (field == "privilege"_L1)
            actual = o.privilege ? privilegeModeName(*o.privilege) : QString();
        else if (field == "bpftrace"_L1)
            actual = o.bpftracePath;
        else if (field == "maxruns"_L1)
            actual = o.maxConcurrentRuns ? QString::number(*o.maxConcurrentRuns) : QString();
        else if (field == "statedir"_L1)
            actual = o.stateDirectory;
        else if (field == "socket"_L1)
            actual = o.socketPath;
        else if (field == "printtoken"_L1)
            actual = o.printToken ? u"true"_s : u"false"_s;
        else if (field == "platform"_L1)
            actual = o.platform;
        else if (field == "sharemine"_L1)
            actual = o.clientsReadPersonRuns ? (*o.clientsReadPersonRuns ? u"true"_s : u"false"_s) : QString();
        else if (field == "forwarded"_L1)
            actual = o.forwardedArguments.join(u' ');
        QCOMPARE(actual, expected);
    }

    void badValues_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("message");

        QTest::newRow("unknown option") << u"--bogus"_s << u"Unknown option 'bogus'"_s;
        QTest::newRow("positional") << u"extra"_s << u"unexpected argument 'extra'"_s;
        QTest::newRow("policy") << u"--approval-policy maybe"_s << u"invalid --approval-policy 'maybe'"_s;
        QTest::newRow("policy ask") << u"--approval-policy ask"_s << u"invalid --approval-policy 'ask'"_s;
        QTest::newRow("policy missing value") << u"--approval-policy"_s << u"Missing value after"_s;
        QTest::newRow("port big") << u"--http-port 70000"_s << u"invalid --http-port '70000'"_s;
        QTest::newRow("port negative") << u"--http-port -1"_s << u"invalid --http-port '-1'"_s;
        QTest::newRow("port text") << u"--http-port http"_s << u"invalid --http-port 'http'"_s;
        QTest::newRow("address") << u"--http-address not-an-ip"_s << u"invalid --http-address 'not-an-ip'"_s;
        QTest::newRow("insecure off loopback v4")
            << u"--http-insecure-no-auth --http-address 0.0.0.0"_s << u"refused on the non-loopback address 0.0.0.0"_s;
        QTest::newRow("insecure off loopback lan")
            << u"--http-address 192.0.2.7 --http-insecure-no-auth"_s << u"refused on the non-loopback address"_s;
        QTest::newRow("insecure off loopback v6")
            << u"--http-insecure-no-auth --http-address ::"_s << u"refused on the non-loopback address ::"_s;
        QTest::newRow("privilege") << u"--privilege root"_s << u"invalid --privilege 'root'"_s;
        QTest::newRow("timeout zero") << u"--approval-timeout 0"_s << u"invalid --approval-timeout '0'"_s;
        QTest::newRow("timeout text") << u"--approval-timeout soon"_s << u"invalid --approval-timeout 'soon'"_s;
        QTest::newRow("share my runs maybe")
            << u"--clients-read-my-runs maybe"_s << u"invalid --clients-read-my-runs 'maybe'"_s;
        QTest::newRow("max runs zero") << u"--max-concurrent-runs 0"_s << u"invalid --max-concurrent-runs '0'"_s;
        QTest::newRow("state dir empty") << u"--state-dir="_s << u"--state-dir needs a directory"_s;
        QTest::newRow("both modes") << u"--headless --mcp-stdio"_s << u"exclude each other"_s;
        QTest::newRow("no-http and port") << u"--no-http --http-port 1"_s << u"--no-http contradicts"_s;
        QTest::newRow("repeated") << u"--http-port 1 --http-port 2"_s << u"given more than once"_s;
    }

    void badValues()
    {
        QFETCH(QString, line);
        QFETCH(QString, message);
        const CommandLineResult result = parseCommandLine(args(line));
        QCOMPARE(result.status, CommandLineResult::Status::Error);
        QVERIFY2(result.error.contains(message), qPrintable(result.error));
        QVERIFY(result.error.startsWith(u"tracedesk: "_s));
        QVERIFY(result.error.contains(u"tracedesk --help"_s));
    }

    void helpNamesEveryOption()
    {
        const CommandLineResult result = parseCommandLine(args(u"--help"_s));
        QCOMPARE(result.status, CommandLineResult::Status::Exit);
        QVERIFY(result.output.startsWith(u"Usage: tracedesk [options]"_s));
        for (const char *option : { "--headless", "--mcp-stdio", "--approval-policy", "--approval-timeout",
                 "--http-port", "--http-address", "--no-http", "--http-insecure-no-auth", "--privilege", "--bpftrace",
                 "--max-concurrent-runs", "--state-dir", "--socket", "--clients-read-my-runs", "--print-token",
                 "--help", "--version", "deny|allow-low-risk|allow-all" })
            QVERIFY2(result.output.contains(QLatin1StringView(option)), option);
        // Qt's pass-through options stay out of our help.
        QVERIFY(!result.output.contains(u"--qwindowgeometry"_s));
        QCOMPARE(commandLineHelpText(), result.output);
    }

    void version()
    {
        const CommandLineResult result = parseCommandLine(args(u"--version"_s));
        QCOMPARE(result.status, CommandLineResult::Status::Exit);
        QCOMPARE(result.output, u"tracedesk "_s + QLatin1StringView(TRACEDESK_VERSION_STRING) + u'\n');
    }

    void configuration()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(u"tracedesk.conf"_s), QSettings::IniFormat);
        settings.setValue(Setting::privilege, u"sudo"_s);
        settings.setValue(Setting::bpftracePath, u"/usr/local/bin/bpftrace"_s);
        settings.setValue(Setting::approvalTimeoutSeconds.key, 60);
        settings.setValue(Setting::maxConcurrentRuns.key, 2);
        settings.setValue(Setting::httpPort.key, 9100);
        settings.setValue(Setting::httpEnabled, false);
        settings.setValue(Setting::clientsReadPersonRuns, true);

        // Settings alone.
        {
            EngineConfig engine;
            McpServerConfig server;
            applyConfiguration(parseCommandLine(args({})).options, &settings, &engine, &server);
            QCOMPARE(engine.privilege, PrivilegeMode::Sudo);
            QCOMPARE(engine.bpftracePath, u"/usr/local/bin/bpftrace"_s);
            QCOMPARE(engine.approvalTimeoutSeconds, 60);
            QCOMPARE(engine.limits.maxConcurrentRuns, 2);
            QVERIFY(engine.clientsReadPersonRuns);
            QCOMPARE(server.httpPort, quint16(9100));
            QVERIFY(!server.httpEnabled);
            QVERIFY(server.httpRequireToken);
            QVERIFY(server.tokenPath.endsWith(u"/tracedesk/http-token"_s));
        }
        // The command line wins.
        {
            EngineConfig engine;
            McpServerConfig server;
            const CommandLineOptions options = parseCommandLine(
                args(
                    u"--privilege direct --bpftrace /bt --approval-timeout 5 --max-concurrent-runs 9 "
                    "--http-port 0 --http-insecure-no-auth --state-dir /s --socket /r/m.sock --clients-read-my-runs no"_s))
                                                   .options;
            applyConfiguration(options, &settings, &engine, &server);
            QCOMPARE(engine.privilege, PrivilegeMode::Direct);
            QCOMPARE(engine.bpftracePath, u"/bt"_s);
            QCOMPARE(engine.approvalTimeoutSeconds, 5);
            QCOMPARE(engine.limits.maxConcurrentRuns, 9);
            QCOMPARE(engine.stateDirectory, u"/s"_s);
            QVERIFY(!engine.clientsReadPersonRuns);
            QCOMPARE(server.socketPath, u"/r/m.sock"_s);
            QCOMPARE(server.httpPort, quint16(0));
            QVERIFY(server.httpEnabled);
            QVERIFY(!server.httpRequireToken);
            QVERIFY(refusedInsecureAddress(server).isEmpty());
        }
        // A saved non-loopback address with --http-insecure-no-auth is refused as well.
        {
            settings.setValue(Setting::httpAddress, u"0.0.0.0"_s);
            settings.setValue(Setting::httpEnabled, true);
            EngineConfig engine;
            McpServerConfig server;
            applyConfiguration(
                parseCommandLine(args(u"--http-insecure-no-auth"_s)).options, &settings, &engine, &server);
            QVERIFY(!refusedInsecureAddress(server).isEmpty());
        }
    }

    void headlessPolicy()
    {
        const CommandLineOptions plain = parseCommandLine(args(u"--headless"_s)).options;
        QCOMPARE(headlessApprovalPolicy(plain, false), ApprovalPolicy::Deny);
        QCOMPARE(headlessApprovalPolicy(plain, true), ApprovalPolicy::Ask);
        const CommandLineOptions all = parseCommandLine(args(u"--headless --approval-policy allow-all"_s)).options;
        QCOMPARE(headlessApprovalPolicy(all, false), ApprovalPolicy::AllowAll);
        QCOMPARE(headlessApprovalPolicy(all, true), ApprovalPolicy::AllowAll);
    }

    // The real binary: exit codes and where the text goes.
    void binary_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stdoutContains");
        QTest::addColumn<QString>("stderrContains");

        QTest::newRow("help") << QStringList { u"--help"_s } << 0 << u"--mcp-stdio"_s << QString();
        QTest::newRow("version") << QStringList { u"--version"_s } << 0 << u"tracedesk 0"_s << QString();
        QTest::newRow("unknown") << QStringList { u"--frobnicate"_s } << 2 << QString()
                                 << u"Unknown option 'frobnicate'"_s;
        QTest::newRow("bad port") << QStringList { u"--headless"_s, u"--http-port"_s, u"99999"_s } << 2 << QString()
                                  << u"invalid --http-port"_s;
        QTest::newRow("insecure lan") << QStringList { u"--headless"_s, u"--http-insecure-no-auth"_s,
            u"--http-address"_s, u"0.0.0.0"_s }
                                      << 2 << QString() << u"refused on the non-loopback address"_s;
        QTest::newRow("no display") << QStringList {} << 1 << QString() << u"tracedesk --headless"_s;
    }

    void binary()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, stdoutContains);
        QFETCH(QString, stderrContains);
        QTemporaryDir home;
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : { "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM" })
            env.remove(QLatin1StringView(name));
        for (const char *name : { "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME" })
            env.insert(QLatin1StringView(name), home.path());
        process.setProcessEnvironment(env);
        process.start(tracedeskBinary(), arguments);
        QVERIFY(process.waitForFinished(20000));
        const QString out = QString::fromLocal8Bit(process.readAllStandardOutput());
        const QString err = QString::fromLocal8Bit(process.readAllStandardError());
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == exitCode, qPrintable(err));
        if (!stdoutContains.isEmpty())
            QVERIFY2(out.contains(stdoutContains), qPrintable(out));
        if (!stderrContains.isEmpty())
            QVERIFY2(err.contains(stderrContains), qPrintable(err));
        if (exitCode != 0)
            QVERIFY2(out.isEmpty(), qPrintable(out));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
