// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/runcontroller.h"
#include "engine/runmanager.h"

#include "engine/results/fleetresults.h"
#include "engine/runstore.h"
#include "engine/scriptcheck.h"
#include "engine/targets/targetregistry.h"
#include "runtestutil.h"
#include <cerrno>

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TestRunManager : public QObject
{
    Q_OBJECT

    static constexpr auto script = "BEGIN { printf(\"hello\\n\"); }";

    std::unique_ptr<RunManager> manager(const QString &fake, RunLimits limits = {})
    {
        auto m = std::make_unique<RunManager>();
        m->setPrivilege(directPrivilege(fake));
        m->setLimits(limits);
        return m;
    }

private Q_SLOTS:
    void missingBpftraceFailsClearly()
    {
        auto m = manager(u"/nonexistent/bin/bpftrace"_s);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->state(), RunState::Failed);
        QVERIFY2(run->failureReason().contains(u"Could not start /nonexistent/bin/bpftrace"_s),
            qPrintable(run->failureReason()));
        QCOMPARE(m->activeRunCount(), 0);
    }

    void finishesByItself()
    {
        auto m = manager(fakePath(u"quick.sh"_s));
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QCOMPARE(run->origin(), RunOrigin::Person);
        QCOMPARE(run->decision(), Decision::NotRequired);
        QTRY_COMPARE(run->state(), RunState::Finished);
        QCOMPARE(run->exitCode(), 0);
        QStringList texts = lineTexts(run);
        texts.sort(); // stdout and stderr are separate pipes: their relative order is not defined
        QCOMPARE(texts, (QStringList { u"done"_s, u"something on stderr"_s }));
        QVERIFY(run->startedAt().isValid() && run->endedAt().isValid());
    }

    void nonZeroExitFailsWithStatusAndStderr()
    {
        ScopedEnv exit("FAKE_EXIT", "3");
        auto m = manager(fakePath(u"quick.sh"_s));
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->state(), RunState::Failed);
        QCOMPARE(run->exitCode(), 3);
        QVERIFY2(run->failureReason().contains(u"status 3"_s), qPrintable(run->failureReason()));
        QVERIFY(run->failureReason().contains(u"something on stderr"_s));
    }

    void crashFails()
    {
        auto m = manager(fakePath(u"crash.sh"_s));
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->state(), RunState::Failed);
        QVERIFY2(run->failureReason().contains(u"crashed"_s), qPrintable(run->failureReason()));
        QCOMPARE(run->attachedProbes(), 2);
        QCOMPARE(lineTexts(run), QStringList { u"about to crash"_s });
    }

    void compileErrorBecomesDiagnostic()
    {
        auto m = manager(fakePath(u"compile-error.sh"_s));
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->state(), RunState::Failed);
        QCOMPARE(run->diagnostics().size(), 1);
        QCOMPARE(run->diagnostics().first().line, 2);
        QCOMPARE(run->diagnostics().first().column, 3);
        QCOMPARE(run->diagnostics().first().message, u"Unknown function: foo"_s);
        QVERIFY2(run->failureReason().contains(u"line 2"_s), qPrintable(run->failureReason()));
        for (const QString &line : lineTexts(run))
            QVERIFY2(!line.contains(u"RLIMIT_MEMLOCK"_s), qPrintable(line));
    }

    void eventsAndMapsSurviveStop()
    {
        // A long batch interval: the fake's lines must land in one batch even when its shell is
        // preempted between two printf commands on a loaded machine.
        RunLimits limits;
        limits.batchIntervalMs = 1000;
        auto m = manager(fakePath(u"canned.sh"_s), limits);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QSignalSpy appended(run, &Run::outputAppended);
        QSignalSpy states(run, &Run::stateChanged);
        // Whoever wakes on new output (a get_result long-poll) reads the whole run: the batch's
        // counters must already be in place when its lines are announced.
        QList<int> probesWhenAppended;
        QObject::connect(run, &Run::outputAppended, run, [&] { probesWhenAppended.append(run->attachedProbes()); });
        QTRY_VERIFY(run->totalLines() >= 5);
        QCOMPARE(probesWhenAppended.value(0), 3);
        QCOMPARE(run->state(), RunState::Running);
        QCOMPARE(run->attachedProbes(), 3);
        QCOMPARE(run->lostEvents(), 5);
        QVERIFY(run->maps().isEmpty());
        QVERIFY(m->stop(run->id()));
        QCOMPARE(run->state(), RunState::Stopping);
        QTRY_COMPARE(run->state(), RunState::Stopped);
        const QJsonObject maps = run->maps().toJson();
        QCOMPARE(maps.value("@syscalls"_L1).toObject().value("kind"_L1).toString(), u"map"_s);
        QCOMPARE(maps.value("@syscalls"_L1).toObject().value("data"_L1).toObject().value("bash"_L1).toInt(), 18);
        QCOMPARE(maps.value("@bytes"_L1).toObject().value("kind"_L1).toString(), u"hist"_s);
        QCOMPARE(maps.value("@s"_L1).toObject().value("kind"_L1).toString(), u"stats"_s);
        const QStringList texts = lineTexts(run);
        QCOMPARE(
            texts.mid(0, 5), (QStringList { u"hello"_s, u"two"_s, u"lines"_s, u"23:24:01"_s, u"this is not json"_s }));
        QVERIFY(texts.last().startsWith(u"stop: sending SIGINT"_s));
        QVERIFY(run->diagnostics().isEmpty()); // the RLIMIT_MEMLOCK warning is not one
        QVERIFY2(appended.size() <= 3, "output must arrive in batches");
        QCOMPARE(states.size(), 3); // running (started() is asynchronous), stopping, stopped
        QCOMPARE(states.at(1).first().value<RunState>(), RunState::Stopping);
        QCOMPARE(states.at(2).first().value<RunState>(), RunState::Stopped);
        QVERIFY(!m->stop(run->id()));
    }

    void ringCapCountsDropped()
    {
        ScopedEnv lines("FAKE_LINES", "50000");
        RunLimits limits;
        limits.maxLinesKept = 1000;
        limits.maxLinesPerSecond = 0;
        limits.maxBytesPerSecond = 0;
        auto m = manager(fakePath(u"flood.sh"_s), limits);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QSignalSpy appended(run, &Run::outputAppended);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 20000);
        QCOMPARE(run->totalLines(), 50000);
        QCOMPARE(run->droppedByCap(), 49000);
        QCOMPARE(run->droppedByRate(), 0);
        const QList<OutputLine> first = run->lines(0, 5);
        QCOMPARE(first.size(), 5);
        QCOMPARE(first.first().offset, 49000);
        QCOMPARE(run->lines(49990, 100).size(), 10);
        QCOMPARE(run->maps().toJson().value("@count"_L1).toObject().value("data"_L1).toInt(), 42);
        QVERIFY2(appended.size() < 500, qPrintable(QString::number(appended.size())));
    }

    void childHoldingStdoutDoesNotHoldTheRun()
    {
        // bpftrace's stdout is read on its own thread until bpftrace exits, not until the pipe
        // ends: a child it left behind (20 s of sleep here) must not keep the run going.
        auto m = manager(fakePath(u"lingering.sh"_s));
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QElapsedTimer timer;
        timer.start();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(run->attachedProbes(), 1);
        QCOMPARE(lineTexts(run), (QStringList { u"before exit"_s, u"last line without newline"_s }));
    }

    void lineRateDrops()
    {
        ScopedEnv lines("FAKE_LINES", "50000");
        RunLimits limits;
        limits.maxLinesPerSecond = 1000;
        auto m = manager(fakePath(u"flood.sh"_s), limits);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 20000);
        QCOMPARE(run->totalLines() + run->droppedByRate(), 50000);
        QVERIFY2(run->droppedByRate() >= 40000, qPrintable(QString::number(run->droppedByRate())));
        QCOMPARE(run->droppedByCap(), 0);
    }

    void byteRateDrops()
    {
        ScopedEnv lines("FAKE_LINES", "5000");
        RunLimits limits;
        limits.maxLinesPerSecond = 0;
        limits.maxBytesPerSecond = 1000; // "flood line" is 10 characters: about 100 lines a second
        auto m = manager(fakePath(u"flood.sh"_s), limits);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 20000);
        // 100 lines in each one-second window the flood spans; the run lasts at least as long as
        // the flood, and one window more covers the rounding of the two clocks.
        const qint64 windows = qint64(run->startedAt().msecsTo(run->endedAt()) / 1000) + 2;
        QVERIFY2(run->totalLines() <= 100 * windows,
            qPrintable(u"%1 lines kept in %2 windows"_s.arg(run->totalLines()).arg(windows)));
        QVERIFY(run->droppedByRate() > 0);
        QCOMPARE(run->totalLines() + run->droppedByRate(), 5000);
    }

    void ignoredSigintEscalatesToSigterm()
    {
        RunLimits limits;
        limits.sigintGraceMs = 300;
        // The fake's shell runs its TERM trap only after its current `sleep` returns, which on a
        // loaded machine can take far longer than the sleep: a grace long enough that SIGKILL
        // never overtakes it.
        limits.sigtermGraceMs = 5000;
        auto m = manager(fakePath(u"stubborn.sh"_s), limits);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->state(), RunState::Running);
        QTRY_COMPARE(run->attachedProbes(), 1);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(m->stop(run->id()));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Stopped, 20000);
        // SIGTERM only after the SIGINT grace, and the run ended before SIGKILL was due.
        QVERIFY2(timer.elapsed() >= 280, qPrintable(QString::number(timer.elapsed())));
        QVERIFY2(timer.elapsed() < 5300, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(run->maps().contains("@after_term"_L1));
        const QStringList texts = lineTexts(run);
        QVERIFY(texts.filter(u"SIGINT"_s).size() == 1 && texts.filter(u"SIGTERM"_s).size() == 1);
        QVERIFY(texts.filter(u"SIGKILL"_s).isEmpty());
    }

    void ignoredSigtermEscalatesToSigkill()
    {
        ScopedEnv ignore("FAKE_IGNORE_TERM", "1");
        RunLimits limits;
        limits.sigintGraceMs = 300;
        limits.sigtermGraceMs = 300;
        auto m = manager(fakePath(u"stubborn.sh"_s), limits);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->attachedProbes(), 1);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(m->stop(run->id()));
        QTRY_COMPARE(run->state(), RunState::Stopped);
        QVERIFY2(timer.elapsed() >= 580, qPrintable(QString::number(timer.elapsed())));
        QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(lineTexts(run).filter(u"SIGKILL"_s).size() == 1);
        QVERIFY(run->maps().isEmpty()); // SIGKILL loses them, as with the real bpftrace
    }

    // Recorded `interval:s:1 { print(@s); clear(@s); print(@h); }` prints, replayed 0.5 s apart.
    Run *startIntervalReplay(RunManager *m)
    {
        Run *run = m->startPersonRun(u"interval:s:1 { print(@s); clear(@s); print(@h); }"_s);
        // As a person's run gets it while it starts: the AST's key types and clear-after-print.
        run->setAnalysis(recordedAnalysis(u"interval"_s));
        return run;
    }

    void intervalPrintsBecomeASeriesWithoutTheExitDump()
    {
        ScopedEnv replay("FAKE_REPLAY", recordedResultsPath(u"interval-exit.replay"_s).toLocal8Bit());
        auto m = manager(fakePath(u"replay.sh"_s));
        Run *run = startIntervalReplay(m.get());
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 20000);
        const RunResults &maps = run->maps();
        // Three interval prints of each; the dump bpftrace made as it exited is the end state only.
        QCOMPARE(maps.seriesNames(), (QStringList { u"@h"_s, u"@s"_s }));
        const MapSeries *s = maps.series(u"@s"_s);
        QCOMPARE(s->size(), 3);
        QVERIFY(s->delta); // clear(@s) follows print(@s)
        QVERIFY(!maps.series(u"@h"_s)->delta);
        QVERIFY(s->snapshots.at(0).msSinceStart < s->snapshots.at(1).msSinceStart);
        QVERIFY(s->snapshots.at(1).msSinceStart < s->snapshots.at(2).msSinceStart);
        QCOMPARE(s->snapshots.at(0).map.entryCount(), 29);
        QCOMPARE(s->snapshots.at(0).map.keyTypes(), QStringList { u"string[16]"_s });
        QCOMPARE(maps.find(u"@s"_s)->entryCount(), 1); // {"bpftrace": 10}, printed at exit
        QVERIFY(!maps.series(u"@never"_s)); // only the exit dump printed it
        QVERIFY(maps.contains(u"@never"_s));
    }

    void stopDumpIsNotASnapshot()
    {
        ScopedEnv replay("FAKE_REPLAY", recordedResultsPath(u"interval-stop.replay"_s).toLocal8Bit());
        ScopedEnv dump("FAKE_REPLAY_DUMP", recordedResultsPath(u"interval-dump.json"_s).toLocal8Bit());
        auto m = manager(fakePath(u"replay.sh"_s));
        Run *run = startIntervalReplay(m.get());
        QTRY_VERIFY_WITH_TIMEOUT(run->maps().series(u"@h"_s) && run->maps().series(u"@h"_s)->size() == 3, 20000);
        QVERIFY(m->stop(run->id()));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Stopped, 20000);
        QCOMPARE(run->maps().series(u"@s"_s)->size(), 3);
        QCOMPARE(run->maps().series(u"@h"_s)->size(), 3);
        QCOMPARE(run->maps().find(u"@s"_s)->entryCount(), 1);
    }

    void neverPrintedMapsAreEmptyOnceTheRunEnded()
    {
        ScopedEnv replay("FAKE_REPLAY", recordedResultsPath(u"interval-exit.replay"_s).toLocal8Bit());
        auto m = manager(fakePath(u"replay.sh"_s));
        Run *run = m->startPersonRun(u"interval:s:1 { print(@s); clear(@s); print(@h); }"_s);
        ScriptAnalysis analysis = recordedAnalysis(u"cxx"_s); // declares @reboot, which never fires
        run->setAnalysis(analysis);
        QVERIFY(!run->maps().contains(u"@reboot"_s));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 20000);
        const MapResult *reboot = run->maps().find(u"@reboot"_s);
        QVERIFY(reboot);
        QVERIFY(reboot->isEmpty());
        QVERIFY(reboot->isKeyed());
        QCOMPARE(reboot->keyTypes(), QStringList { u"string[16]"_s });
    }

    void timeoutTakesTheStopPathAndKeepsMaps()
    {
        auto m = manager(fakePath(u"canned.sh"_s));
        QElapsedTimer timer;
        timer.start();
        Run *run = m->startPersonRun(QString::fromLatin1(script), 1);
        QCOMPARE(run->timeoutSeconds(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::TimedOut, 5000);
        QVERIFY(timer.elapsed() >= 950);
        QVERIFY(run->maps().contains("@syscalls"_L1));
    }

    void personRunsHaveNoTimeoutByDefault()
    {
        auto m = manager(fakePath(u"quick.sh"_s));
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QVERIFY(!run->timeoutSeconds());
        QTRY_VERIFY(isTerminal(run->state()));
    }

    void invalidRequests()
    {
        auto m = manager(fakePath(u"quick.sh"_s));
        QCOMPARE(m->startPersonRun(QString::fromLatin1(script), 0)->state(), RunState::Failed);
        QCOMPARE(m->startPersonRun(QString::fromLatin1(script), 3601)->state(), RunState::Failed);
        Run *empty = m->startPersonRun(u"   "_s);
        QCOMPARE(empty->state(), RunState::Failed);
        QVERIFY(!empty->failureReason().isEmpty());
        QCOMPARE(m->startPersonRun(QString(maxScriptBytes + 1, u'x'))->state(), RunState::Failed);

        QString error;
        RunRequest request;
        QVERIFY(!m->submitClientRun(request, &error));
        QVERIFY(!error.isEmpty());
        request.script = QString::fromLatin1(script);
        request.timeoutSeconds = 4000;
        QVERIFY(!m->submitClientRun(request, &error));
        QVERIFY(error.contains(u"3600"_s));
        request.timeoutSeconds.reset();
        request.reason = u"why"_s;
        request.client.name = u"Claude"_s;
        request.client.version = u"1.0"_s;
        Run *client = m->submitClientRun(request, &error);
        QVERIFY(client);
        QCOMPARE(client->timeoutSeconds(), 10); // the client default
        QCOMPARE(client->state(), RunState::PendingApproval);
        QCOMPARE(client->decision(), Decision::Pending);
        QVERIFY(!m->stop(u"no-such-run"_s, &error));
        QVERIFY(m->stop(client->id(), &error)); // a pending run is denied instead
        QCOMPARE(client->state(), RunState::Denied);
    }

    void concurrencyLimit()
    {
        RunLimits limits;
        limits.maxConcurrentRuns = 1;
        auto m = manager(fakePath(u"canned.sh"_s), limits);
        QSignalSpy active(m.get(), &RunManager::activeRunCountChanged);
        Run *first = m->startPersonRun(QString::fromLatin1(script));
        QCOMPARE(m->activeRunCount(), 1);
        Run *second = m->startPersonRun(QString::fromLatin1(script));
        QCOMPARE(second->state(), RunState::Failed);
        QVERIFY2(second->failureReason().contains(u"Too many runs"_s), qPrintable(second->failureReason()));
        QVERIFY(m->stop(first->id()));
        QTRY_COMPARE(first->state(), RunState::Stopped);
        QCOMPARE(m->activeRunCount(), 0);
        QVERIFY(active.size() >= 2);
        QCOMPARE(active.last().first().toInt(), 0);
        QCOMPARE(m->runs().first(), second); // newest first
    }

    void commandLine()
    {
        QTemporaryDir dir;
        const QString argsFile = dir.filePath(u"args"_s);
        ScopedEnv args("FAKE_ARGS_FILE", argsFile.toUtf8());
        auto m = manager(fakePath(u"canned.sh"_s));
        const QString safe = u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s;
        Run *run = m->startPersonRun(safe);
        QTRY_VERIFY(QFile::exists(argsFile) && run->totalLines() > 0);
        QFile file(argsFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()), u"-f\njson\n-e\n"_s + safe + u'\n');
        QVERIFY(m->stop(run->id()));
        QTRY_VERIFY(isTerminal(run->state()));

        QCOMPARE(RunManager::bpftraceArguments(u"BEGIN { system(\"ls\"); }"_s),
            (QStringList { u"-f"_s, u"json"_s, u"--unsafe"_s, u"-e"_s, u"BEGIN { system(\"ls\"); }"_s }));
    }

    void finishedRunsAreSaved()
    {
        QTemporaryDir dir;
        RunStore store(dir.path());
        auto m = manager(fakePath(u"quick.sh"_s));
        m->setStore(&store);
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->state(), RunState::Finished);
        const auto saved = store.load(run->id());
        QVERIFY(saved);
        QCOMPARE(saved->value("state"_L1).toString(), u"finished"_s);
        std::unique_ptr<Run> back(Run::fromJson(*saved));
        QVERIFY(back);
        QCOMPARE(lineTexts(back.get()), lineTexts(run));

        RunManager other;
        other.adoptHistory({ back.release() });
        QCOMPARE(other.runs().size(), 1);
        QCOMPARE(other.run(run->id())->state(), RunState::Finished);
        QVERIFY(!other.stop(run->id()));
    }

    void destroyingTheManagerKillsTheProcess()
    {
        auto m = manager(fakePath(u"stubborn.sh"_s));
        Run *run = m->startPersonRun(QString::fromLatin1(script));
        QTRY_COMPARE(run->attachedProbes(), 1);
        const qint64 pid = m->controller(run->id())->processId();
        QVERIFY(pid > 0);
        m.reset();
        QTRY_VERIFY(::kill(pid_t(pid), 0) != 0);
    }

    // Quitting with several runs active: every process is killed and reaped by the time the
    // manager is gone (no zombie, no "destroyed while running" from QProcess).
    void destroyingTheManagerReapsEveryRun()
    {
        QTest::failOnWarning(QRegularExpression(u"Destroyed while process"_s));
        RunLimits limits;
        limits.maxConcurrentRuns = 4;
        auto m = manager(fakePath(u"stubborn.sh"_s), limits);
        QList<qint64> pids;
        for (int i = 0; i < 3; ++i) {
            Run *run = m->startPersonRun(QString::fromLatin1(script) + QString(i, u' '));
            QTRY_COMPARE(run->attachedProbes(), 1);
            pids.append(m->controller(run->id())->processId());
        }
        m.reset();
        for (qint64 pid : std::as_const(pids)) {
            QVERIFY(pid > 0);
            QCOMPARE(::kill(pid_t(pid), 0), -1); // gone at once: not even a zombie is left
            QCOMPARE(errno, ESRCH);
        }
    }

    void fleetRunsEachTargetAndStopsThemAll()
    {
        // ssh stands in for itself here: it runs the remote command on this machine, and a host
        // whose name says "refuse" fails the way ssh does when nothing listens there.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TargetRegistry registry;
        registry.setOptions(fakeSshOptions(dir.path()));
        for (const QString &spec : { u"a=ssh://root@a"_s, u"b=ssh://root@b"_s, u"r=ssh://root@refuse"_s }) {
            Target target = *Target::parseWithName(spec);
            target.privilege = RemotePrivilege::Login;
            target.bpftracePath = fakePath(u"canned.sh"_s);
            QVERIFY(registry.addTarget(target));
        }
        QVERIFY(registry.setGroup(u"all"_s, { u"a"_s, u"b"_s, u"r"_s }));
        RunLimits limits;
        limits.maxFleetConnections = 1;
        limits.sigintGraceMs = 300;
        auto m = manager(fakePath(u"canned.sh"_s), limits);
        m->setTargets(&registry);

        Run *run = m->startPersonRun(QString::fromLatin1(script), std::nullopt, QStringList { u"all"_s, u"a"_s });
        QVERIFY(run->isFleet());
        QCOMPARE(run->targets(), (QStringList { u"a"_s, u"b"_s, u"r"_s })); // the group, each target once
        QCOMPARE(m->activeRunCount(), 1); // a fleet is one run against the limit
        // One connection at a time: b waits until a's bpftrace has attached.
        QCOMPARE(run->hostRun(u"a"_s)->state(), RunState::Starting);
        QCOMPARE(run->hostRun(u"b"_s)->state(), RunState::PendingApproval);
        QTRY_COMPARE(run->attachedProbes(), 6);
        QTRY_COMPARE(run->hostRun(u"r"_s)->state(), RunState::Failed);
        QCOMPARE(run->state(), RunState::Running);

        QVERIFY(m->stop(run->id()));
        QTRY_VERIFY(isTerminal(run->state()));
        QCOMPARE(run->state(), RunState::Stopped);
        QCOMPARE(run->hostRun(u"a"_s)->state(), RunState::Stopped);
        QCOMPARE(run->hostRun(u"b"_s)->state(), RunState::Stopped);
        // Each host printed its maps as it stopped; the fleet's are their sums.
        const MapResult *syscalls = run->maps().find(u"@syscalls"_s);
        QVERIFY(syscalls);
        QCOMPARE(syscalls->entries().size(), 2);
        for (const MapEntry &entry : syscalls->entries())
            QCOMPARE(entry.value.integer(), entry.key.text() == "bash"_L1 ? 36 : 14);
        const FleetResults fleet = run->fleetResults();
        QCOMPARE(fleet.coverage(), u"2 of 3 hosts"_s);
        QCOMPARE(fleet.hosts().at(2).state, HostRunState::Unreachable);
        QVERIFY2(fleet.summary().contains(u"r unreachable: "_s)
                && fleet.summary().contains(u"ssh: connect to host refuse port 22: Connection refused"_s),
            qPrintable(fleet.summary()));
        QVERIFY(lineTexts(run).contains(u"a | hello"_s));
        QVERIFY(lineTexts(run).contains(u"b | hello"_s));
        QCOMPARE(m->activeRunCount(), 0);
    }

    void fleetNamesOnlyConfiguredTargets()
    {
        TargetRegistry registry;
        QVERIFY(registry.addTarget(*Target::parseWithName(u"a=ssh://root@a"_s)));
        auto m = manager(fakePath(u"canned.sh"_s));
        m->setTargets(&registry);
        Run *run = m->startPersonRun(QString::fromLatin1(script), std::nullopt, QStringList { u"a"_s, u"nope"_s });
        QCOMPARE(run->state(), RunState::Failed);
        QVERIFY2(run->failureReason().contains(u"Unknown target 'nope'"_s), qPrintable(run->failureReason()));
        RunRequest request;
        request.script = QString::fromLatin1(script);
        request.client.sessionId = u"s"_s;
        request.targets = { u"ssh://root@evil"_s, u"a"_s };
        QString error;
        QVERIFY(!m->submitClientRun(request, &error));
        QVERIFY2(error.contains(u"Unknown target 'ssh://root@evil'"_s), qPrintable(error));
        // One target named in the list is a plain run there, not a fleet of one.
        request.targets = { u"a"_s };
        Run *single = m->submitClientRun(request, &error);
        QVERIFY(single && !single->isFleet());
        QCOMPARE(single->target(), u"a"_s);
    }
};

QTEST_GUILESS_MAIN(TestRunManager)
#include "tst_runmanager.moc"
