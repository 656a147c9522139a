// SPDX-License-Identifier: GPL-2.0-or-later
// Runs with the real bpftrace: what the fakes cannot prove.
#include "engine/engine.h"
#include "engine/runmanager.h"
#include "engine/scriptanalyzer.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;

// Compiling and attaching takes seconds of CPU time; on a loaded machine the waits below are long,
// and they end as soon as the state is reached.
class TestRealBpftrace : public QObject
{
    Q_OBJECT

    std::unique_ptr<RunManager> manager(RunLimits limits = {})
    {
        auto m = std::make_unique<RunManager>();
        m->setPrivilege(Privilege(PrivilegeMode::Direct, Privilege::Environment::detect(u"bpftrace"_s, {})));
        m->setLimits(limits);
        return m;
    }

    static QStringList texts(const Run *run)
    {
        QStringList out;
        for (const OutputLine &line : run->lines(0, 1 << 20))
            out << line.text;
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"bpftrace"_s).isEmpty())
            QSKIP("bpftrace is not installed");
        if (::geteuid() != 0)
            QSKIP("attaching probes needs root (or CAP_BPF + CAP_PERFMON)");
    }

    void syscallCountStoppedAfterOneSecondDeliversItsMap()
    {
        auto m = manager();
        Run *run = m->startPersonRun(u"tracepoint:raw_syscalls:sys_enter { @syscalls[comm] = count(); }"_s);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Running, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(run->attachedProbes() == 1 || isTerminal(run->state()), 60000);
        QVERIFY2(run->state() == RunState::Running, qPrintable(run->failureReason()));
        QTest::qWait(1000);
        QVERIFY(m->stop(run->id()));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Stopped, 60000);
        QCOMPARE(run->exitCode(), 0);
        const QJsonObject map = run->maps().toJson().value("@syscalls"_L1).toObject();
        QCOMPARE(map.value("kind"_L1).toString(), u"map"_s);
        QVERIFY2(!map.value("data"_L1).toObject().isEmpty(), "the map printed on SIGINT arrived");
        QVERIFY(run->diagnostics().isEmpty()); // RLIMIT_MEMLOCK is not reported
        QVERIFY(run->durationSeconds() >= 1.0);
    }

    void compileErrorArrivesAsDiagnosticWithItsLine()
    {
        auto m = manager();
        Run *run = m->startPersonRun(u"BEGIN {\n  printf(\"ok\\n\");\n  nosuchfunction();\n}\n"_s);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Failed, 60000);
        QVERIFY(!run->diagnostics().isEmpty());
        const Diagnostic d = run->diagnostics().first();
        QCOMPARE(d.severity, Diagnostic::Severity::Error);
        QCOMPARE(d.line, 3);
        QCOMPARE(d.column, 3);
        QVERIFY2(d.message.contains(u"nosuchfunction"_s), qPrintable(d.message));
        QVERIFY2(run->failureReason().contains(u"line 3"_s), qPrintable(run->failureReason()));
    }

    // A person's run is analysed with bpftrace's AST as it starts: its keys split by their
    // types and its print-and-clear map kept as a delta series, as a client's run has them.
    void personRunGetsTypedKeysAndASeries()
    {
        auto m = manager();
        ScriptAnalyzer analyzer; // as the Engine gives its own, bpftrace from PATH
        m->setPersonRunAnalyzer(&analyzer);
        Run *run = m->startPersonRun(u"profile:hz:99 { @[comm, kstack(3)] = count(); } "
                                     "tracepoint:raw_syscalls:sys_enter { @s[pid, tid] = count(); } "
                                     "interval:s:1 { print(@s); clear(@s); } interval:s:3 { exit(); }"_s);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 90000);
        QVERIFY2(run->state() == RunState::Finished, qPrintable(run->failureReason()));
        // The analysis may land after the end; it types the maps then.
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().fromAst, 60000);
        const MapResult *stacks = run->maps().find(u"@"_s);
        QVERIFY(stacks);
        QCOMPARE(stacks->keyTypes(), (QStringList { u"string[16]"_s, u"kstack"_s }));
        QVERIFY(!stacks->entries().isEmpty());
        for (const MapEntry &entry : stacks->entries()) {
            QCOMPARE(entry.key.parts.size(), 2);
            QCOMPARE(entry.key.parts.at(1).type, MapKeyPart::Type::Stack);
            QVERIFY(entry.key.parts.at(1).stack.frames.size() <= 3);
        }
        const MapSeries *series = run->maps().series(u"@s"_s);
        QVERIFY(series);
        QVERIFY(series->delta);
        QVERIFY2(series->size() >= 2 && series->size() <= 3, qPrintable(QString::number(series->size())));
        const MapKey &key = series->snapshots.first().map.entries().first().key;
        QCOMPARE(key.parts.size(), 2); // pid and tid: two integers, not one
        QCOMPARE(key.parts.at(0).type, MapKeyPart::Type::Integer);
        QCOMPARE(key.parts.at(1).type, MapKeyPart::Type::Integer);
    }

    void timeoutKeepsTheMaps()
    {
        auto m = manager();
        Run *run = m->startPersonRun(
            u"interval:ms:200 { printf(\"tick\\n\"); } tracepoint:raw_syscalls:sys_enter { @n = count(); @h = hist(cpu); }"_s,
            10); // the timeout runs from the start, so it includes compiling and attaching
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::TimedOut, 60000);
        QVERIFY(run->maps().contains("@n"_L1));
        QCOMPARE(run->maps().toJson().value("@h"_L1).toObject().value("kind"_L1).toString(), u"hist"_s);
        QVERIFY2(texts(run).contains(u"tick"_s), qPrintable(texts(run).join(u'|')));
    }

    void unsafeBuiltinGetsUnsafeFlag()
    {
        auto m = manager();
        Run *run = m->startPersonRun(u"BEGIN { system(\"echo from-system\"); exit(); }"_s);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 60000);
        QVERIFY2(run->state() == RunState::Finished, qPrintable(run->failureReason()));
        QVERIFY2(texts(run).contains(u"from-system"_s), qPrintable(texts(run).join(u'|')));
    }

    // The facade: a client run approved by policy, saved, and reloaded by a second engine.
    void engineSavesAndReloadsHistory()
    {
        QTemporaryDir dir;
        EngineConfig config;
        config.stateDirectory = dir.filePath(u"state"_s);
        config.cacheDirectory = dir.filePath(u"cache"_s);
        config.approvalPolicy = ApprovalPolicy::AllowAll;
        config.privilege = PrivilegeMode::Direct;
        QString id;
        {
            Engine engine(config);
            QCOMPARE(engine.privilege().mode(), PrivilegeMode::Direct);
            engine.start();
            RunRequest request;
            request.script = u"BEGIN { printf(\"hi\\n\"); @m = 7; exit(); }"_s;
            request.client.name = u"test-client"_s;
            Run *run = engine.runs()->submitClientRun(request);
            QVERIFY(run);
            id = run->id();
            QCOMPARE(run->decision(), Decision::ApprovedByPolicy);
            QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 60000);
            QCOMPARE(engine.audit()->readAll().size(), 1);
        }
        Engine engine(config);
        engine.start();
        Run *back = engine.runs()->run(id);
        QVERIFY(back);
        QCOMPARE(back->state(), RunState::Finished);
        QCOMPARE(back->client().name, u"test-client"_s);
        QCOMPARE(back->maps().toJson().value("@m"_L1).toObject().value("data"_L1).toInt(), 7);
        QVERIFY(texts(back).contains(u"hi"_s));
    }
};

QTEST_GUILESS_MAIN(TestRealBpftrace)
#include "tst_realbpftrace.moc"
