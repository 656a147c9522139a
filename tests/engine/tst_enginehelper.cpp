// SPDX-License-Identifier: GPL-2.0-or-later
// tracedesk-helper (app/helper) on its own, and the elevated run path end to end with fake
// pkexec and sudo that just exec their arguments.
#include "engine/runcontroller.h"
#include "engine/runmanager.h"
#include "runtestutil.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestEngineHelper : public QObject
{
    Q_OBJECT

    // Starts the helper the way the engine does: its stdin is the control channel.
    std::unique_ptr<QProcess> startHelper(const QStringList &arguments, const QByteArray &testBpftrace = {})
    {
        auto process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"PKEXEC_UID"_s);
        env.remove(u"SUDO_UID"_s);
        env.remove(u"SUDO_USER"_s);
        if (!testBpftrace.isEmpty())
            env.insert(u"TRACEDESK_HELPER_TEST_BPFTRACE"_s, QString::fromUtf8(testBpftrace));
        if (!m_extraEnv.first.isEmpty())
            env.insert(m_extraEnv.first, m_extraEnv.second);
        process->setProcessEnvironment(env);
        process->start(helperBinary(), arguments);
        return process;
    }

    QPair<QString, QString> m_extraEnv;

    Privilege elevated(PrivilegeMode mode, const QString &bpftrace)
    {
        Privilege::Environment env;
        env.pkexecPath = fakePath(u"pkexec.sh"_s);
        env.sudoPath = fakePath(u"sudo.sh"_s);
        env.helperPath = helperBinary();
        env.bpftracePath = bpftrace;
        return Privilege(mode, env);
    }

private Q_SLOTS:
    void init() { m_extraEnv = {}; }

    void refusesWhatIsNotTheSystemBpftrace_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<bool>("withTestOverride");
        QTest::addColumn<QString>("message");
        const QString canned = fakePath(u"canned.sh"_s);
        QTest::newRow("no arguments") << QStringList {} << false << u"usage"_s;
        QTest::newRow("relative path") << QStringList { u"run"_s, u"bpftrace"_s, u"-e"_s, u"x"_s } << false
                                       << u"absolute path"_s;
        QTest::newRow("a shell") << QStringList { u"run"_s, u"/bin/sh"_s, u"-c"_s, u"id"_s } << false
                                 << u"not the configured system bpftrace"_s;
        QTest::newRow("fake without override")
            << QStringList { u"run"_s, canned } << false << u"not the configured system bpftrace"_s;
        QTest::newRow("-c runs a command as root")
            << QStringList { u"run"_s, canned, u"-c"_s, u"/bin/sh"_s } << true << u"refusing bpftrace argument"_s;
        QTest::newRow("-o writes a file as root")
            << QStringList { u"run"_s, canned, u"-o"_s, u"/etc/passwd"_s } << true << u"refusing"_s;
        QTest::newRow("-f other format") << QStringList { u"run"_s, canned, u"-f"_s, u"yaml"_s } << true
                                         << u"-f takes json or text"_s;
        QTest::newRow("-e without program")
            << QStringList { u"run"_s, canned, u"-e"_s } << true << u"-e needs a program"_s;
        QTest::newRow("file owned by someone else")
            << QStringList { u"run"_s, canned, u"-l"_s, u"/etc/nonexistent.bt"_s } << true << u"refusing"_s;
    }

    void refusesWhatIsNotTheSystemBpftrace()
    {
        QFETCH(QStringList, arguments);
        QFETCH(bool, withTestOverride);
        QFETCH(QString, message);
        auto helper = startHelper(arguments, withTestOverride ? fakePath(u"canned.sh"_s).toUtf8() : QByteArray());
        QVERIFY(helper->waitForFinished(5000));
        QCOMPARE(helper->exitStatus(), QProcess::NormalExit);
        QCOMPARE(helper->exitCode(), 64);
        const QString err = QString::fromUtf8(helper->readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY(helper->readAllStandardOutput().isEmpty()); // nothing ran
    }

    void overrideIgnoredWhenElevated()
    {
        // pkexec sets PKEXEC_UID: from then on only the configured system bpftrace may run.
        m_extraEnv = { u"PKEXEC_UID"_s, u"1000"_s };
        auto helper = startHelper(
            { u"run"_s, fakePath(u"canned.sh"_s), u"-f"_s, u"json"_s }, fakePath(u"canned.sh"_s).toUtf8());
        QVERIFY(helper->waitForFinished(5000));
        QCOMPARE(helper->exitCode(), 64);
    }

    void stopRequestsOnStdin_data()
    {
        QTest::addColumn<QString>("fake");
        QTest::addColumn<QByteArrayList>("requests");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("expectedOutput");
        QTest::newRow("INT prints maps") << u"canned.sh"_s << QByteArrayList { "INT\n" } << 0
                                         << QByteArray("\"@syscalls\"");
        QTest::newRow("INT ignored, then TERM")
            << u"stubborn.sh"_s << QByteArrayList { "INT\n", "TERM\n" } << 0 << QByteArray("\"@after_term\"");
        QTest::newRow("KILL") << u"stubborn-hard.sh"_s << QByteArrayList { "INT\n", "TERM\n", "KILL\n" } << 128 + 9
                              << QByteArray();
        QTest::newRow("split and unknown lines")
            << u"canned.sh"_s << QByteArrayList { "HELLO\nI", "NT\n" } << 0 << QByteArray("\"@bytes\"");
    }

    void stopRequestsOnStdin()
    {
        QFETCH(QString, fake);
        QFETCH(QByteArrayList, requests);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, expectedOutput);
        const QString path = fakePath(fake);
        auto helper = startHelper({ u"run"_s, path, u"-f"_s, u"json"_s, u"-e"_s, u"BEGIN {}"_s }, path.toUtf8());
        QVERIFY(helper->waitForStarted());
        QByteArray out;
        QTRY_VERIFY((out += helper->readAllStandardOutput()).contains("attached_probes"));
        for (const QByteArray &request : std::as_const(requests)) {
            helper->write(request);
            QTest::qWait(200); // a stubborn fake must really ignore the first requests
        }
        QTRY_COMPARE_WITH_TIMEOUT(helper->state(), QProcess::NotRunning, 5000);
        out += helper->readAllStandardOutput();
        QCOMPARE(helper->exitStatus(), QProcess::NormalExit);
        QCOMPARE(helper->exitCode(), exitCode);
        if (!expectedOutput.isEmpty())
            QVERIFY2(out.contains(expectedOutput), out.constData());
    }

    void exitStatusIsBpftraces()
    {
        auto quick = startHelper(
            { u"run"_s, fakePath(u"quick-exit3.sh"_s), u"-f"_s, u"json"_s }, fakePath(u"quick-exit3.sh"_s).toUtf8());
        QVERIFY(quick->waitForFinished(5000));
        QCOMPARE(quick->exitCode(), 3);
        auto crash = startHelper({ u"run"_s, fakePath(u"crash.sh"_s) }, fakePath(u"crash.sh"_s).toUtf8());
        QVERIFY(crash->waitForFinished(5000));
        QCOMPARE(crash->exitCode(), 128 + 11); // SIGSEGV
    }

    void stdinEofMeansTheAppDied()
    {
        // TERM first (the stubborn fake prints its map on TERM) ...
        auto helper = startHelper({ u"run"_s, fakePath(u"stubborn.sh"_s) }, fakePath(u"stubborn.sh"_s).toUtf8());
        QByteArray out;
        QTRY_VERIFY((out += helper->readAllStandardOutput()).contains("attached_probes"));
        helper->closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(helper->state(), QProcess::NotRunning, 3000);
        QCOMPARE(helper->exitCode(), 0);
        QVERIFY(helper->readAllStandardOutput().contains("@after_term"));
    }

    void stdinEofEscalatesToKill()
    {
        // ... then KILL after the helper's 5 s grace when TERM is ignored too.
        auto helper
            = startHelper({ u"run"_s, fakePath(u"stubborn-hard.sh"_s) }, fakePath(u"stubborn-hard.sh"_s).toUtf8());
        QByteArray out;
        QTRY_VERIFY((out += helper->readAllStandardOutput()).contains("attached_probes"));
        QElapsedTimer timer;
        timer.start();
        helper->closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(helper->state(), QProcess::NotRunning, 8000);
        QCOMPARE(helper->exitCode(), 128 + 9);
        QVERIFY(timer.elapsed() >= 4000);
    }

    // The whole elevated path: RunManager -> fake pkexec/sudo -> tracedesk-helper -> fake bpftrace,
    // and Stop travelling as a line on the helper's stdin.
    void elevatedRunEndToEnd_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("elevator");
        QTest::newRow("pkexec") << int(PrivilegeMode::Pkexec) << u"pkexec"_s;
        QTest::newRow("sudo -n") << int(PrivilegeMode::Sudo) << u"sudo"_s;
    }

    void elevatedRunEndToEnd()
    {
        QFETCH(int, mode);
        QFETCH(QString, elevator);
        QTemporaryDir dir;
        const QString log = dir.filePath(u"elevation.log"_s);
        ScopedEnv logEnv("FAKE_ELEVATION_LOG", log.toUtf8());
        ScopedEnv allow("TRACEDESK_HELPER_TEST_BPFTRACE", fakePath(u"canned.sh"_s).toUtf8());
        RunManager manager;
        manager.setPrivilege(elevated(PrivilegeMode(mode), fakePath(u"canned.sh"_s)));
        QVERIFY2(manager.privilege().problem().isEmpty(), qPrintable(manager.privilege().problem()));
        Run *run = manager.startPersonRun(u"tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }"_s);
        QVERIFY(manager.controller(run->id())->command().viaHelper);
        QTRY_COMPARE(run->attachedProbes(), 3);
        QCOMPARE(run->state(), RunState::Running);
        QVERIFY(manager.stop(run->id()));
        QTRY_COMPARE(run->state(), RunState::Stopped);
        QCOMPARE(run->exitCode(), 0);
        QVERIFY2(run->maps().contains("@syscalls"_L1), "the INT line reached bpftrace, which printed its maps");
        QFile file(log);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString logged = QString::fromUtf8(file.readAll());
        QVERIFY2(logged.startsWith(
                     elevator + u' ' + helperBinary() + u" run "_s + fakePath(u"canned.sh"_s) + u" -f json -e "_s),
            qPrintable(logged));
    }

    void elevatedEscalationOverStdin()
    {
        ScopedEnv allow("TRACEDESK_HELPER_TEST_BPFTRACE", fakePath(u"stubborn.sh"_s).toUtf8());
        RunLimits limits;
        limits.sigintGraceMs = 200;
        // TERM travels as a line to the helper, which signals the fake, whose shell runs its trap
        // only after the current `sleep` returns: on a loaded machine that can take a while, and
        // the run must not be killed (losing its maps) meanwhile.
        limits.sigtermGraceMs = 5000;
        RunManager manager;
        manager.setLimits(limits);
        manager.setPrivilege(elevated(PrivilegeMode::Pkexec, fakePath(u"stubborn.sh"_s)));
        Run *run = manager.startPersonRun(u"BEGIN {}"_s);
        QTRY_COMPARE(run->attachedProbes(), 1);
        QVERIFY(manager.stop(run->id()));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Stopped, 20000);
        QVERIFY(run->maps().contains("@after_term"_L1));
        const QStringList texts = lineTexts(run);
        QVERIFY2(texts.filter(u"SIGTERM"_s).size() == 1 && texts.filter(u"SIGKILL"_s).isEmpty(),
            qPrintable(texts.join(u'|')));
    }

    void elevationRefused()
    {
        // A helper that refuses (here: bpftrace not allowed) fails the run with its reason.
        RunManager manager;
        manager.setPrivilege(elevated(PrivilegeMode::Sudo, fakePath(u"canned.sh"_s)));
        Run *run = manager.startPersonRun(u"BEGIN {}"_s);
        QTRY_COMPARE(run->state(), RunState::Failed);
        QVERIFY2(
            run->failureReason().contains(u"not the configured system bpftrace"_s), qPrintable(run->failureReason()));
    }
};

QTEST_GUILESS_MAIN(TestEngineHelper)
#include "tst_enginehelper.moc"
