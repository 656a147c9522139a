// SPDX-License-Identifier: GPL-2.0-or-later
// The exact ssh and kubectl argument lists, and the remote shell string taken apart by a real sh:
// what arrives as bpftrace's argv is exactly what was wrapped, for hostile scripts too, and the
// stop wrapper turns "INT" on stdin into SIGINT for bpftrace.
#include "engine/targets/targettransport.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
bool writeExecutable(const QString &path, const QByteArray &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        return false;
    file.close();
    return file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

// Runs the remote string as sshd would: the login shell's `-c STRING`.
struct ShellRun
{
    QByteArray out;
    QByteArray err;
    int exitCode = -1;
    bool finished = false;
};

ShellRun runRemote(const QString &remote, const QByteArray &input = {}, int closeAfterMs = 0, int waitMs = 10000)
{
    QProcess sh;
    sh.start(u"/bin/sh"_s, { u"-c"_s, remote });
    ShellRun r;
    if (!sh.waitForStarted(5000))
        return r;
    if (!input.isEmpty()) {
        if (closeAfterMs > 0)
            QTest::qWait(closeAfterMs);
        sh.write(input);
    }
    if (closeAfterMs >= 0)
        sh.closeWriteChannel();
    r.finished = sh.waitForFinished(waitMs);
    if (!r.finished) {
        sh.kill();
        sh.waitForFinished(2000);
    }
    r.out = sh.readAllStandardOutput();
    r.err = sh.readAllStandardError();
    r.exitCode = sh.exitCode();
    return r;
}
} // namespace

class TestTargetTransport : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_dump; ///< prints its argv, NUL after each
    QString m_fakeBpftrace; ///< prints "attached", waits; on SIGINT prints "maps" and exits 0

    TargetTransport transportFor(const QString &uri, const QString &bpftrace = u"bpftrace"_s,
        RemotePrivilege privilege = RemotePrivilege::Auto) const
    {
        Target t = *Target::parse(uri);
        t.bpftracePath = bpftrace;
        t.privilege = privilege;
        TargetTransport::Options options;
        options.controlDirectory = m_dir.path() + u"/ctl"_s;
        return TargetTransport(t, options);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_dump = m_dir.path() + u"/argv-dump"_s;
        QVERIFY(writeExecutable(m_dump, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done\n"));
        // Perl, not sh: the wrapper starts bpftrace as an asynchronous list, which POSIX sh starts
        // with SIGINT ignored; a shell could not trap it again, but bpftrace sets its own handler
        // (sigaction), which overrides that, and so does perl.
        m_fakeBpftrace = m_dir.path() + u"/fake-bpftrace"_s;
        QVERIFY(writeExecutable(m_fakeBpftrace,
            "#!/usr/bin/perl\n"
            "$| = 1;\n"
            "$SIG{INT} = sub { print \"maps\\n\"; exit 0; };\n"
            "$SIG{TERM} = sub { print \"terminated\\n\"; exit 143; };\n"
            "print \"attached\\n\";\n"
            "exit $1 if (($ARGV[0] // '') =~ /^exit(\\d+)$/);\n"
            "sleep 1 while 1;\n"));
    }

    void sshArgv()
    {
        Target t = *Target::parse(u"ssh://alice@db1.example.org:2222"_s);
        TargetTransport::Options options;
        options.controlDirectory = m_dir.path() + u"/ctl"_s;
        options.sshConfigFile = u"/etc/tracedesk/ssh_config"_s;
        const TargetTransport transport(t, options);
        const std::optional<LaunchCommand> command = transport.tryWrap({ u"-f"_s, u"json"_s, u"-e"_s, u"BEGIN{}"_s });
        QVERIFY(command);
        QCOMPARE(command->program, u"ssh"_s);
        QVERIFY(command->viaHelper); // stops travel as lines on stdin
        QVERIFY(command->overSsh); // its exit status 255 is ssh's own failure
        QVERIFY(transport.healthCommand() && transport.healthCommand()->overSsh);
        const QStringList expected { u"-T"_s, u"-o"_s, u"BatchMode=yes"_s, u"-o"_s, u"ControlMaster=auto"_s, u"-o"_s,
            u"ControlPath="_s + m_dir.path() + u"/ctl/%C"_s, u"-o"_s, u"ControlPersist=60"_s, u"-o"_s,
            u"ConnectTimeout=10"_s, u"-o"_s, u"ServerAliveInterval=5"_s, u"-o"_s, u"ServerAliveCountMax=3"_s, u"-F"_s,
            u"/etc/tracedesk/ssh_config"_s, u"-p"_s, u"2222"_s, u"-l"_s, u"alice"_s, u"--"_s, u"db1.example.org"_s,
            transport.remoteShellCommand({ u"-f"_s, u"json"_s, u"-e"_s, u"BEGIN{}"_s }) };
        QCOMPARE(command->arguments, expected);
        // Never weakened host key checking, never a password prompt.
        for (const QString &a : command->arguments)
            QVERIFY2(!a.contains(u"StrictHostKeyChecking"_s) && !a.contains(u"UserKnownHostsFile"_s), qPrintable(a));
        // The control directory exists and is private.
        QCOMPARE(QFile::permissions(m_dir.path() + u"/ctl"_s) & 0x0077, QFileDevice::Permissions());
        // Without user and port ssh's own configuration decides.
        const std::optional<LaunchCommand> plain = transportFor(u"ssh://10.0.0.2"_s).tryWrap({ u"--version"_s });
        QVERIFY(plain);
        QVERIFY(!plain->arguments.contains(u"-p"_s));
        QVERIFY(!plain->arguments.contains(u"-l"_s));
        QCOMPARE(plain->arguments.at(plain->arguments.size() - 2), u"10.0.0.2"_s);
        QCOMPARE(plain->arguments.at(plain->arguments.size() - 3), u"--"_s);
    }

    void remotePrivilegeForms()
    {
        const QStringList args { u"--version"_s };
        QVERIFY(transportFor(u"ssh://db1"_s, u"bpftrace"_s, RemotePrivilege::Login)
                .remoteShellCommand(args)
                .startsWith(u"exec sh -c '"_s));
        QVERIFY(transportFor(u"ssh://db1"_s, u"bpftrace"_s, RemotePrivilege::Sudo)
                .remoteShellCommand(args)
                .startsWith(u"exec sudo -n -- sh -c '"_s));
        const QString automatic = transportFor(u"ssh://db1"_s).remoteShellCommand(args);
        QVERIFY(automatic.startsWith(u"[ \"$(id -u)\" = 0 ] || set -- sudo -n --; exec \"$@\" sh -c '"_s));
        QVERIFY(automatic.endsWith(u" tracedesk-target 'bpftrace' '--version'"_s));
    }

    void kubernetesArgv()
    {
        Target t = *Target::parse(u"k8s://prod/node-7"_s);
        t.image = u"registry.example/bpftrace:0.23"_s;
        const TargetTransport transport(t, TargetTransport::Options {});
        const std::optional<LaunchCommand> command = transport.tryWrap({ u"-f"_s, u"json"_s, u"-e"_s, u"BEGIN{}"_s });
        QVERIFY(command);
        QCOMPARE(command->program, u"kubectl"_s);
        QVERIFY(command->viaHelper);
        QVERIFY(!command->overSsh);
        const QStringList expected { u"--context"_s, u"prod"_s, u"debug"_s, u"node/node-7"_s, u"--profile=sysadmin"_s,
            u"--image=registry.example/bpftrace:0.23"_s, u"-i"_s, u"--"_s, u"sh"_s, u"-c"_s,
            TargetTransport::stopWrapperScript(), u"tracedesk-target"_s, u"bpftrace"_s, u"-f"_s, u"json"_s, u"-e"_s,
            u"BEGIN{}"_s };
        QCOMPARE(command->arguments, expected);
        // No terminal: stdout stays bpftrace's clean JSON.
        QVERIFY(!command->arguments.contains(u"-t"_s) && !command->arguments.contains(u"-it"_s));
        Target plain = *Target::parse(u"k8s://node-7"_s);
        const std::optional<LaunchCommand> defaults = TargetTransport(plain, {}).tryWrap({ u"-l"_s });
        QCOMPARE(defaults->arguments.constFirst(), u"debug"_s);
        QVERIFY(defaults->arguments.contains(u"--image="_s + Target::defaultImage()));
    }

    void podCleanup()
    {
        const QString err = u"Creating debugging pod node-debugger-node-7-x2k9q with container debugger on node "
                            "node-7.\nother\n"_s;
        QCOMPARE(TargetTransport::debugPodName(err), u"node-debugger-node-7-x2k9q"_s);
        QCOMPARE(TargetTransport::debugPodName(u"Creating debugging pod $(id) with container x"_s), QString());
        QCOMPARE(TargetTransport::debugPodName(u"nothing"_s), QString());
        const TargetTransport k8s(*Target::parse(u"k8s://prod/node-7"_s), {});
        const std::optional<LaunchCommand> cleanup = k8s.podCleanupCommand(u"node-debugger-node-7-x2k9q"_s);
        QVERIFY(cleanup);
        QCOMPARE(cleanup->program, u"kubectl"_s);
        QCOMPARE(cleanup->arguments,
            QStringList({ u"--context"_s, u"prod"_s, u"delete"_s, u"pod"_s, u"node-debugger-node-7-x2k9q"_s,
                u"--wait=false"_s, u"--ignore-not-found"_s }));
        QVERIFY(!k8s.podCleanupCommand(u"--all"_s));
        QVERIFY(!transportFor(u"ssh://db1"_s).podCleanupCommand(u"pod"_s));
    }

    void localIsThePrivilegeMode()
    {
        Privilege::Environment env;
        env.isRoot = true;
        env.bpftracePath = u"/usr/bin/bpftrace"_s;
        const Privilege privilege(PrivilegeMode::Direct, env);
        const TargetTransport local(privilege);
        QVERIFY(local.isLocal());
        QCOMPARE(local.wrap({ u"-l"_s }), privilege.wrap({ u"-l"_s }));
        QVERIFY(!local.wrap({ u"-l"_s }).overSsh);
        QCOMPARE(local.wrapQuery({ u"-l"_s }), privilege.wrapQuery({ u"-l"_s }));
        QVERIFY(!local.healthCommand());
        QCOMPARE(local.queryLauncher()({ u"--version"_s }), privilege.wrapQuery({ u"--version"_s }));
    }

    void quotingRoundTrip_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("plain") << QStringList { u"-f"_s, u"json"_s, u"-e"_s,
            u"BEGIN { printf(\"hi\\n\"); exit(); }"_s };
        QTest::newRow("single quotes") << QStringList { u"-e"_s, u"'it''s' '\\''"_s, u"'"_s, u"''"_s };
        QTest::newRow("command substitution") << QStringList { u"$(touch /tmp/pwned)"_s, u"${HOME}"_s, u"$0 $@ $1"_s };
        QTest::newRow("backticks") << QStringList { u"`id`"_s, u"a`b"_s };
        QTest::newRow("newlines") << QStringList { u"line1\nline2\n"_s, u"\n"_s, u"a\r\nb"_s };
        QTest::newRow("metacharacters") << QStringList { u"; rm -rf / ; echo"_s, u"a|b&c>d<e"_s, u"*"_s, u"~"_s,
            u"#comment"_s, u"!x"_s };
        QTest::newRow("backslashes") << QStringList { u"\\"_s, u"a\\'b"_s, u"trailing\\"_s, u"\\n"_s };
        QTest::newRow("empty and spaces") << QStringList { QString(), u" "_s, u"  two  spaces  "_s, u"\t"_s };
        QTest::newRow("dashes") << QStringList { u"-c"_s, u"--"_s, u"-oProxyCommand=id"_s };
        QTest::newRow("unicode") << QStringList { u"gr\u00fc\u00dfe \u2603 \U0001F600"_s };
        QTest::newRow("double quotes") << QStringList { u"\"$(id)\""_s, u"\"'\""_s };
    }
    void quotingRoundTrip()
    {
        QFETCH(QStringList, args);
        for (RemotePrivilege privilege : { RemotePrivilege::Login, RemotePrivilege::Auto }) {
            const TargetTransport transport = transportFor(u"ssh://db1"_s, m_dump, privilege);
            // stdin stays open, as the app keeps it: EOF would mean "stop" to the wrapper.
            const ShellRun r = runRemote(transport.remoteShellCommand(args), {}, -1);
            QVERIFY2(r.finished, r.err.constData());
            QCOMPARE(r.exitCode, 0);
            QList<QByteArray> parts = r.out.split('\0');
            QCOMPARE(parts.takeLast(), QByteArray()); // after the last NUL
            QStringList got;
            for (const QByteArray &p : parts)
                got.append(QString::fromUtf8(p));
            QCOMPARE(got, args);
        }
        QVERIFY(!QFile::exists(u"/tmp/pwned"_s));
    }

    void refusesWhatCannotTravel()
    {
        const TargetTransport transport = transportFor(u"ssh://db1"_s);
        QString error;
        QVERIFY(!transport.tryWrap({ u"-e"_s, u"BEGIN{}"_s + QChar(0) + u"x"_s }, &error));
        QVERIFY2(error.contains(u"NUL"_s), qPrintable(error));
        // wrap() then gives a command that fails to start, never a half-made one.
        QVERIFY(transport.wrap({ QString(QChar(0)) }).program.isEmpty());
        // 40,000 quotes take 160,000 characters once quoted: over one argument's limit.
        QVERIFY(!transport.tryWrap({ u"-e"_s, QString(40000, u'\'') }, &error));
        QVERIFY2(error.contains(u"KiB"_s), qPrintable(error));
        QVERIFY(transport.tryWrap({ u"-e"_s, QString(90000, u'x') }, &error));
        // kubectl takes an argument list: no quoting, but NUL still cannot pass.
        const TargetTransport k8s(*Target::parse(u"k8s://n1"_s), {});
        QVERIFY(!k8s.tryWrap({ QString(QChar(0)) }, &error));
    }

    void stopWrapperForwardsInt()
    {
        const TargetTransport transport = transportFor(u"ssh://db1"_s, m_fakeBpftrace, RemotePrivilege::Login);
        // Keep stdin open, send INT after the fake attached: bpftrace's SIGINT handler prints its maps.
        QProcess sh;
        sh.start(u"/bin/sh"_s, { u"-c"_s, transport.remoteShellCommand({ u"-f"_s, u"json"_s }) });
        QVERIFY(sh.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT((sh.waitForReadyRead(100), sh.peek(100).contains("attached")), 5000);
        sh.write("INT\n");
        QVERIFY(sh.waitForFinished(5000));
        QCOMPARE(sh.exitStatus(), QProcess::NormalExit);
        QCOMPARE(sh.exitCode(), 0);
        QCOMPARE(sh.readAllStandardOutput(), QByteArray("attached\nmaps\n"));
        QCOMPARE(sh.readAllStandardError(), QByteArray()); // the wrapper itself says nothing
    }

    void stopWrapperEofTerminates()
    {
        // The app (or the connection) is gone: stdin EOF means TERM.
        const TargetTransport transport = transportFor(u"ssh://db1"_s, m_fakeBpftrace, RemotePrivilege::Login);
        QProcess sh;
        sh.start(u"/bin/sh"_s, { u"-c"_s, transport.remoteShellCommand({}) });
        QVERIFY(sh.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT((sh.waitForReadyRead(100), sh.peek(100).contains("attached")), 5000);
        sh.closeWriteChannel();
        QVERIFY(sh.waitForFinished(5000));
        QCOMPARE(sh.exitCode(), 143);
        QCOMPARE(sh.readAllStandardOutput(), QByteArray("attached\nterminated\n"));
    }

    void stopWrapperKeepsExitStatus()
    {
        // bpftrace ending by itself ends the wrapper at once with its status, stdin still open.
        const TargetTransport transport = transportFor(u"ssh://db1"_s, m_fakeBpftrace, RemotePrivilege::Login);
        QProcess sh;
        QElapsedTimer clock;
        clock.start();
        sh.start(u"/bin/sh"_s, { u"-c"_s, transport.remoteShellCommand({ u"exit3"_s }) });
        QVERIFY(sh.waitForFinished(5000));
        QCOMPARE(sh.exitCode(), 3);
        QVERIFY(clock.elapsed() < 3000);
        QCOMPARE(sh.readAllStandardOutput(), QByteArray("attached\n"));
    }
};

QTEST_GUILESS_MAIN(TestTargetTransport)
#include "tst_targettransport.moc"
