// SPDX-License-Identifier: GPL-2.0-or-later
// QueryProcess: one report per query, with its output, and nothing left behind by a departed owner.
#include "engine/queryprocess.h"

#include <QFile>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <optional>

using namespace Qt::StringLiterals;

class TestQueryProcess : public QObject
{
    Q_OBJECT

private:
    struct Outcome
    {
        int calls = 0;
        std::optional<QueryResult> result;
    };
    static QueryProcess::Callback recorder(Outcome &outcome)
    {
        return [&outcome](const QueryResult &result) {
            ++outcome.calls;
            outcome.result = result;
        };
    }
    static bool isZombie(pid_t pid)
    {
        QFile stat(u"/proc/%1/stat"_s.arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return true;
        const QByteArray text = stat.readAll();
        const qsizetype paren = text.lastIndexOf(')');
        return paren > 0 && text.mid(paren + 2, 1) == "Z";
    }
    static QStringList shell(const char *script) { return { u"-c"_s, QString::fromUtf8(script) }; }
    static LaunchCommand cmd(const QString &program, const QStringList &arguments, bool viaHelper = false)
    {
        return LaunchCommand { program, arguments, viaHelper };
    }

private Q_SLOTS:
    void init() { QTest::failOnWarning(QRegularExpression(u".*"_s)); }

    void outputAndExitCode()
    {
        QObject owner;
        Outcome outcome;
        QueryProcess::run(&owner,
            cmd(u"/bin/sh"_s, shell("echo out; echo 'some: ERROR: bad' >&2; echo last >&2; exit 3")), 10'000,
            recorder(outcome));
        QTRY_COMPARE(outcome.calls, 1);
        const QueryResult &r = *outcome.result;
        QVERIFY(r.started);
        QVERIFY(!r.crashed);
        QVERIFY(!r.timedOut);
        QCOMPARE(r.exitCode, 3);
        QVERIFY(!r.ok());
        QCOMPARE(r.out, QByteArray("out\n"));
        QCOMPARE(r.errorLine(), u"some: ERROR: bad"_s);
        // The process object is gone once it has reported.
        QTRY_COMPARE(owner.findChildren<QueryProcess *>().size(), 0);
    }

    void successAndLastLine()
    {
        QObject owner;
        Outcome outcome;
        QueryProcess::run(
            &owner, cmd(u"/bin/sh"_s, shell("echo first >&2; echo 'second one' >&2; echo")), 10'000, recorder(outcome));
        QTRY_COMPARE(outcome.calls, 1);
        QVERIFY(outcome.result->ok());
        // No ERROR line: the last thing it said.
        QCOMPARE(outcome.result->errorLine(), u"second one"_s);
    }

    void inputIsWrittenAndClosed()
    {
        QObject owner;
        Outcome outcome;
        QueryProcess::run(&owner, cmd(u"/bin/cat"_s, {}), 10'000, recorder(outcome), QByteArray("kprobe:x { }\n"));
        QTRY_COMPARE(outcome.calls, 1);
        QVERIFY(outcome.result->ok());
        QCOMPARE(outcome.result->out, QByteArray("kprobe:x { }\n"));
    }

    void cannotStart()
    {
        QObject owner;
        Outcome outcome;
        QueryProcess::run(&owner, cmd(u"/nonexistent/bpftrace"_s, { u"--version"_s }), 10'000, recorder(outcome));
        QCOMPARE(outcome.calls, 0); // never from inside run(), even when the start fails at once
        QTRY_COMPARE(outcome.calls, 1);
        QVERIFY(!outcome.result->started);
        QVERIFY(!outcome.result->ok());
        QVERIFY(!outcome.result->startError.isEmpty());
        // Still exactly one report after the event loop had every chance to deliver another.
        QTest::qWait(100);
        QCOMPARE(outcome.calls, 1);
    }

    void timeLimitKills()
    {
        QObject owner;
        Outcome outcome;
        QueryProcess::run(&owner, cmd(u"/bin/sleep"_s, { u"30"_s }), 200, recorder(outcome));
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 10'000);
        QVERIFY(outcome.result->started);
        QVERIFY(outcome.result->timedOut);
        QVERIFY(outcome.result->crashed);
        QVERIFY(!outcome.result->ok());
    }

    void timeLimitEndsTheChildrenToo()
    {
        // A shell waiting on a command substitution, as the health check over ssh does: killing
        // the shell alone left the substitution's subshell and its program running for good.
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(u"pid"_s);
        QObject owner;
        Outcome outcome;
        const QString script = u"echo \"v=$(sh -c 'echo $$ > %1; exec sleep 60' | head -n 1)\""_s.arg(pidFile);
        QueryProcess::run(&owner, cmd(u"/bin/sh"_s, { u"-c"_s, script }), 500, recorder(outcome));
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 10'000);
        QVERIFY(outcome.result->timedOut);
        QFile file(pidFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const pid_t grandchild = pid_t(file.readAll().trimmed().toLongLong());
        QVERIFY(grandchild > 0);
        // Gone (or a zombie until init reaps it): no signal reaches a live process.
        QTRY_VERIFY_WITH_TIMEOUT(::kill(grandchild, 0) != 0 || isZombie(grandchild), 5000);
    }

    void ownerGoneEndsTheProgramQuietly()
    {
        // failOnWarning (init) turns QProcess's "Destroyed while process is still running" into a
        // failure; the callback must not run for an owner that no longer exists.
        Outcome outcome;
        qint64 pid = 0;
        {
            QObject owner;
            QueryProcess *process = QueryProcess::run(&owner, cmd(u"/bin/sleep"_s, { u"30"_s }), 0, recorder(outcome));
            QVERIFY(process->waitForStarted(5000));
            pid = process->processId();
            QVERIFY(pid > 0);
        }
        QCOMPARE(outcome.calls, 0);
        // Killed and reaped: no such process any more, not even a zombie.
        QCOMPARE(::kill(pid_t(pid), 0), -1);
        QCOMPARE(errno, ESRCH);
        QTest::qWait(50);
        QCOMPARE(outcome.calls, 0);
    }

    void callbackMayDeleteTheOwner()
    {
        for (const QString &program : { u"/bin/true"_s, u"/nonexistent/bpftrace"_s }) {
            auto *owner = new QObject;
            QPointer<QObject> guard(owner);
            int calls = 0;
            QueryProcess::run(owner, cmd(program, {}), 10'000, [&calls, owner](const QueryResult &) {
                ++calls;
                delete owner; // and with it the query process, whose signal we are not inside
            });
            QTRY_VERIFY(guard.isNull());
            QTest::qWait(20);
            QCOMPARE(calls, 1);
        }
    }

    // Through the elevated helper, stdin carries stop requests: no input is written, and the time
    // limit ends the program with a "KILL" line (a root child would ignore our signal).
    void helperStoppedByItsStdin()
    {
        QObject owner;
        Outcome outcome;
        // cat stands in for the helper: it echoes what arrives on its stdin until EOF.
        QueryProcess::run(&owner, cmd(u"/bin/cat"_s, {}, true), 300, recorder(outcome), QByteArray("kprobe:x { }"));
        QTRY_COMPARE_WITH_TIMEOUT(outcome.calls, 1, 10'000);
        QVERIFY(outcome.result->timedOut);
        QVERIFY(!outcome.result->crashed); // ended by itself, after KILL and EOF
        QCOMPARE(outcome.result->out, QByteArray("KILL\n"));
    }

    void failureText()
    {
        QueryResult silent;
        silent.started = true;
        silent.exitCode = 4;
        QCOMPARE(silent.failureText(), u"exit code 4"_s);
        silent.crashed = true;
        QCOMPARE(silent.failureText(), u"killed by a signal"_s);
        silent.err = "WARNING: x\nERROR: y\n";
        QCOMPARE(silent.failureText(), u"ERROR: y"_s);
    }

    void callbackMayStartTheNextQuery()
    {
        QObject owner;
        QStringList seen;
        QueryProcess::run(&owner, cmd(u"/bin/echo"_s, { u"one"_s }), 10'000, [&](const QueryResult &first) {
            seen << QString::fromUtf8(first.out).trimmed();
            QueryProcess::run(&owner, cmd(u"/bin/echo"_s, { u"two"_s }), 10'000,
                [&](const QueryResult &second) { seen << QString::fromUtf8(second.out).trimmed(); });
        });
        QTRY_COMPARE(seen, (QStringList { u"one"_s, u"two"_s }));
    }
};

QTEST_GUILESS_MAIN(TestQueryProcess)
#include "tst_queryprocess.moc"
