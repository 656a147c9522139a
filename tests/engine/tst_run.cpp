// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/run.h"
#include "engine/runmanager.h"
#include "runtestutil.h"

#include "engine/results/fleetresults.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

class TestRun : public QObject
{
    Q_OBJECT

    static QJsonObject savedRun(int lines, qint64 firstOffset)
    {
        QJsonArray output;
        for (int i = 0; i < lines; ++i)
            output.append(
                OutputLine { firstOffset + i, 10 * i, OutputLine::Stream::Stdout, u"line %1"_s.arg(firstOffset + i) }
                    .toJson());
        return QJsonObject {
            { u"id"_s, u"run-abc"_s },
            { u"origin"_s, u"client"_s },
            { u"client"_s, ClientInfo { u"Claude"_s, u"1.0"_s, u"http"_s, u"s1"_s }.toJson() },
            { u"reason"_s, u"why"_s },
            { u"script"_s, u"BEGIN { exit(); }"_s },
            { u"originalScript"_s, u"BEGIN { }"_s },
            { u"state"_s, u"timed_out"_s },
            { u"decision"_s, u"approved_edited"_s },
            { u"decidedBy"_s, u"person"_s },
            { u"createdAt"_s, u"2026-11-24T10:00:00.000Z"_s },
            { u"startedAt"_s, u"2026-11-24T10:00:01.000Z"_s },
            { u"endedAt"_s, u"2026-11-24T10:00:11.500Z"_s },
            { u"timeoutSeconds"_s, 10 },
            { u"exitCode"_s, 0 },
            { u"attachedProbes"_s, 4 },
            { u"lostEvents"_s, 2 },
            { u"droppedByRate"_s, 7 },
            { u"firstOffset"_s, firstOffset },
            { u"totalLines"_s, firstOffset + lines },
            { u"maps"_s, QJsonObject { { u"@x"_s, QJsonObject { { u"kind"_s, u"map"_s }, { u"data"_s, 3 } } } } },
            { u"diagnostics"_s,
                QJsonArray { Diagnostic { Diagnostic::Severity::Warning, 2, 3, 5, u"hm"_s }.toJson() } },
            { u"output"_s, output },
        };
    }

private Q_SLOTS:
    void names()
    {
        for (RunState s :
            { RunState::PendingApproval, RunState::Starting, RunState::Running, RunState::Stopping, RunState::Finished,
                RunState::Failed, RunState::Stopped, RunState::TimedOut, RunState::Denied, RunState::Expired }) {
            QCOMPARE(runStateFromName(runStateName(s)), s);
            QVERIFY(!(isTerminal(s) && isActive(s)));
        }
        QCOMPARE(runStateName(RunState::PendingApproval), u"pending_approval"_s);
        QCOMPARE(runStateName(RunState::TimedOut), u"timed_out"_s);
        QVERIFY(isActive(RunState::Stopping) && !isActive(RunState::PendingApproval)
            && !isTerminal(RunState::PendingApproval));
        QVERIFY(!runStateFromName(u"bogus"_s));
        for (Decision d : { Decision::NotRequired, Decision::Pending, Decision::Approved, Decision::ApprovedEdited,
                 Decision::ApprovedForSession, Decision::ApprovedByPolicy, Decision::Denied, Decision::DeniedByPolicy,
                 Decision::Expired })
            QCOMPARE(decisionFromName(decisionName(d)), d);
        QCOMPARE(ClientInfo().displayName(), u"unknown client"_s);
        QCOMPARE((ClientInfo { u"Claude"_s, u"1.0"_s, {}, {} }.displayName()), u"Claude 1.0"_s);
        const Diagnostic d { Diagnostic::Severity::Error, 3, 4, 9, u"bad"_s };
        QCOMPARE(Diagnostic::fromJson(d.toJson()), d);
    }

    void fromJsonRestoresEverything()
    {
        std::unique_ptr<Run> run(Run::fromJson(savedRun(3, 100)));
        QVERIFY(run);
        QCOMPARE(run->id(), u"run-abc"_s);
        QCOMPARE(run->origin(), RunOrigin::Client);
        QCOMPARE(run->client().transport, u"http"_s);
        QCOMPARE(run->state(), RunState::TimedOut);
        QCOMPARE(run->decision(), Decision::ApprovedEdited);
        QVERIFY(run->scriptEdited());
        QCOMPARE(run->originalScript(), u"BEGIN { }"_s);
        QCOMPARE(run->timeoutSeconds(), 10);
        QCOMPARE(run->exitCode(), 0);
        QCOMPARE(run->durationSeconds(), 10.5);
        QCOMPARE(run->attachedProbes(), 4);
        QCOMPARE(run->lostEvents(), 2);
        QCOMPARE(run->droppedByRate(), 7);
        QCOMPARE(run->maps().toJson().value("@x"_L1).toObject().value("data"_L1).toInt(), 3);
        QCOMPARE(run->diagnostics().size(), 1);
        QCOMPARE(run->diagnostics().first().line, 2);
        QCOMPARE(run->scriptHash(), QCryptographicHash::hash("BEGIN { exit(); }", QCryptographicHash::Sha256).toHex());
    }

    void linesKeepAbsoluteOffsets()
    {
        std::unique_ptr<Run> run(Run::fromJson(savedRun(3, 100)));
        QCOMPARE(run->firstOffset(), 100);
        QCOMPARE(run->droppedByCap(), 100);
        QCOMPARE(run->totalLines(), 103);
        QCOMPARE(run->lines(0, 2).first().text, u"line 100"_s); // clamped to the first kept line
        QCOMPARE(run->lines(101, 10).size(), 2);
        QCOMPARE(run->lines(102, 10).first().offset, 102);
        QVERIFY(run->lines(103, 10).isEmpty());
        QVERIFY(run->lines(100, 0).isEmpty());
    }

    void batchesKeepTheRingExact()
    {
        // A batch from the output reader: its cut lines count as if they had gone through the
        // ring, in order, and the ring keeps exactly the newest maxKept lines.
        Run run(u"r"_s, RunOrigin::Person);
        QSignalSpy appended(&run, &Run::outputAppended);
        QSignalSpy stats(&run, &Run::statsChanged);
        auto batchOf = [](int from, int count, qint64 cut) {
            OutputBatch batch;
            for (int i = from; i < from + count; ++i) {
                const QString text = u"line %1 \u00e9"_s.arg(i);
                batch.lines.append(OutputLine::Stream::Stdout, i, text.toUtf8());
                batch.textSize += text.size();
            }
            batch.linesCut = cut;
            return batch;
        };
        run.appendBatch(batchOf(0, 3, 0), 5);
        QCOMPARE(run.totalLines(), 3);
        QCOMPARE(stats.size(), 0);
        run.appendBatch(batchOf(3, 3, 0), 5); // one over the cap
        QCOMPARE(run.totalLines(), 6);
        QCOMPARE(run.droppedByCap(), 1);
        QCOMPARE(stats.size(), 1);
        QCOMPARE(run.lines(0, 10).first().text, u"line 1 \u00e9"_s);
        // 100 cut before 5 kept (lines 106..110 after lines 6..105 that were never copied).
        run.appendBatch(batchOf(106, 5, 100), 5);
        QCOMPARE(run.totalLines(), 111);
        QCOMPARE(run.droppedByCap(), 106);
        const QList<OutputLine> kept = run.lines(0, 100);
        QCOMPARE(kept.size(), 5);
        QCOMPARE(kept.first().offset, 106);
        QCOMPARE(kept.first().msSinceStart, 106);
        QCOMPARE(kept.last().text, u"line 110 \u00e9"_s);
        // A batch bigger than the cap by itself.
        run.appendBatch(batchOf(111, 8, 0), 5);
        QCOMPARE(run.totalLines(), 119);
        QCOMPARE(run.lines(0, 100).first().text, u"line 114 \u00e9"_s);
        QCOMPARE(appended.size(), 4);
        QCOMPARE(appended.at(2).at(0).toLongLong(), 6);
        QCOMPARE(appended.at(2).at(1).toInt(), 105);
        qint64 bytes = 0;
        for (int i = 0; i < 119; ++i) {
            if (i < 6 || i >= 106)
                bytes += u"line %1 \u00e9"_s.arg(i).size();
        }
        QCOMPARE(run.totalBytes(), bytes); // the cut lines here came with a textSize of 0
        run.appendBatch(OutputBatch {}, 5); // empty: nothing, no signal
        QCOMPARE(appended.size(), 4);
    }

    void roundTrip()
    {
        std::unique_ptr<Run> run(Run::fromJson(savedRun(5, 0)));
        const QJsonObject full = run->toJson(true);
        QCOMPARE(full.value("output"_L1).toArray().size(), 5);
        QVERIFY(!run->toJson(false).contains("output"_L1));
        std::unique_ptr<Run> again(Run::fromJson(full));
        QCOMPARE(again->toJson(true), full);
    }

    void activeRunInHistoryCountsAsFailed()
    {
        QJsonObject object = savedRun(0, 0);
        object.insert(u"state"_s, u"running"_s);
        std::unique_ptr<Run> run(Run::fromJson(object));
        QCOMPARE(run->state(), RunState::Failed);
        QVERIFY(!run->failureReason().isEmpty());
        QVERIFY(!Run::fromJson(QJsonObject { { u"state"_s, u"finished"_s } })); // no id
    }

    void liveRunSerialises()
    {
        RunManager manager;
        manager.setPrivilege(directPrivilege(fakePath(u"canned.sh"_s)));
        Run *run = manager.startPersonRun(u"BEGIN { }"_s);
        QTRY_VERIFY(run->totalLines() >= 5);
        QVERIFY(run->durationSeconds() > 0);
        QCOMPARE(run->toJson(false).value("state"_L1).toString(), u"running"_s);
        manager.stop(run->id());
        QTRY_COMPARE(run->state(), RunState::Stopped);
        const QJsonObject json = run->toJson(true);
        QCOMPARE(json.value("origin"_L1).toString(), u"person"_s);
        QCOMPARE(json.value("decision"_L1).toString(), u"not_required"_s);
        QVERIFY(json.value("maps"_L1).toObject().contains("@syscalls"_L1));
        QCOMPARE(json.value("output"_L1).toArray().first().toObject().value("text"_L1).toString(), u"hello"_s);
        std::unique_ptr<Run> back(Run::fromJson(json));
        QCOMPARE(lineTexts(back.get()), lineTexts(run));
        QCOMPARE(back->maps(), run->maps());
    }

    // Every change goes through a mutator, and each mutator tells listeners.
    void mutatorsEmitTheirSignals()
    {
        RunRequest request;
        request.script = u"BEGIN { }"_s;
        request.reason = u"why"_s;
        request.client.name = u"Claude"_s;
        request.timeoutSeconds = 5;
        Run run(u"run-1"_s, RunOrigin::Client, request);
        QCOMPARE(run.script(), request.script);
        QCOMPARE(run.originalScript(), request.script);
        QCOMPARE(run.reason(), u"why"_s);
        QCOMPARE(run.client().name, u"Claude"_s);
        QCOMPARE(run.timeoutSeconds(), std::optional<int>(5));
        QCOMPARE(run.decision(), Decision::Pending);
        QVERIFY(run.decidedBy().isEmpty());

        QSignalSpy state(&run, &Run::stateChanged);
        QSignalSpy decision(&run, &Run::decisionChanged);
        QSignalSpy script(&run, &Run::scriptChanged);
        QSignalSpy stats(&run, &Run::statsChanged);
        QSignalSpy output(&run, &Run::outputAppended);
        QSignalSpy diagnostics(&run, &Run::diagnosticsChanged);
        QSignalSpy analysis(&run, &Run::analysisChanged);

        run.setEditedScript(u"BEGIN { exit(); }"_s);
        QCOMPARE(script.size(), 1);
        QVERIFY(run.scriptEdited());
        QCOMPARE(run.originalScript(), request.script);
        run.setEditedScript(u"BEGIN { exit(); }"_s);
        QCOMPARE(script.size(), 1); // unchanged: no signal

        run.setDecision(Decision::ApprovedEdited, u"person"_s, u"edited"_s);
        QCOMPARE(decision.size(), 1);
        QCOMPARE(run.decision(), Decision::ApprovedEdited);
        QCOMPARE(run.decidedBy(), u"person"_s);
        QCOMPARE(run.decisionMessage(), u"edited"_s);
        QVERIFY(run.decidedAt().isValid());

        run.setAnalysis(ScriptAnalysis());
        QCOMPARE(analysis.size(), 1);

        run.setState(RunState::Running);
        QCOMPARE(state.size(), 1);
        QVERIFY(run.startedAt().isValid());

        run.setCounters(3, 1, 0);
        QCOMPARE(stats.size(), 1);
        QCOMPARE(run.attachedProbes(), 3);
        QCOMPARE(run.lostEvents(), qint64(1));
        run.setCounters(3, 1, 0);
        QCOMPARE(stats.size(), 1); // unchanged: no signal

        QList<OutputLine> lines(3);
        run.appendLines(std::move(lines), 2);
        QCOMPARE(output.size(), 1);
        QCOMPARE(run.droppedByCap(), qint64(1));
        QCOMPARE(stats.size(), 2); // the ring dropped a line

        Diagnostic d;
        d.message = u"careful"_s;
        run.addDiagnostics({ d });
        QCOMPARE(diagnostics.size(), 1);

        run.setEnded(RunState::Finished, 0);
        QCOMPARE(state.size(), 2);
        QCOMPARE(run.state(), RunState::Finished);
        QCOMPARE(run.exitCode(), std::optional<int>(0));
        QVERIFY(run.endedAt().isValid());
        QVERIFY(run.failureReason().isEmpty());
    }

    void failedKeepsItsReason()
    {
        Run run(u"run-2"_s, RunOrigin::Person, RunRequest { u"BEGIN { }"_s, {}, {}, std::nullopt });
        QCOMPARE(run.decidedBy(), u"person"_s);
        QCOMPARE(run.decision(), Decision::NotRequired);
        QSignalSpy state(&run, &Run::stateChanged);
        run.setEnded(RunState::Failed, 1, u"bpftrace exited with status 1"_s);
        QCOMPARE(state.size(), 1);
        QCOMPARE(run.failureReason(), u"bpftrace exited with status 1"_s);
        QCOMPARE(run.exitCode(), std::optional<int>(1));
    }

    void fleetFollowsItsHosts()
    {
        RunRequest request;
        request.script = u"BEGIN { @c = count(); }"_s;
        request.client.sessionId = u"s1"_s;
        request.timeoutSeconds = 30;
        Run fleet(u"run-f"_s, RunOrigin::Client, request);
        fleet.setFleetTargets({ u"a"_s, u"b"_s, u"c"_s });
        QVERIFY(fleet.isFleet());
        QCOMPARE(fleet.targets(), (QStringList { u"a"_s, u"b"_s, u"c"_s }));
        Run *a = fleet.hostRun(u"a"_s);
        Run *b = fleet.hostRun(u"b"_s);
        Run *c = fleet.hostRun(u"c"_s);
        QVERIFY(a && b && c && !fleet.hostRun(u"d"_s));
        QCOMPARE(b->id(), u"run-f/b"_s);
        QCOMPARE(b->fleet(), &fleet);
        QVERIFY(!b->isFleet());
        QCOMPARE(b->client().sessionId, u"s1"_s);
        QCOMPARE(b->timeoutSeconds(), 30);

        // One decision and one edit cover every target.
        fleet.setEditedScript(u"BEGIN { @c = count(); exit(); }"_s);
        fleet.setDecision(Decision::ApprovedEdited, u"person"_s, u"edited"_s);
        for (const Run *host : fleet.hostRuns()) {
            QCOMPARE(host->decision(), Decision::ApprovedEdited);
            QCOMPARE(host->script(), fleet.script());
        }

        fleet.setState(RunState::Starting);
        a->setState(RunState::Running);
        a->setCounters(1, 0, 0);
        b->setState(RunState::Starting);
        b->setCounters(1, 2, 3);
        fleet.updateFromHosts();
        QCOMPARE(fleet.state(), RunState::Running);
        QCOMPARE(fleet.attachedProbes(), 2);
        QCOMPARE(fleet.lostEvents(), 2);
        QCOMPARE(fleet.droppedByRate(), 3);

        RunResults five;
        five.insert(MapResult::fromBpftraceJson(u"@c"_s, u"map"_s, QJsonValue(5)));
        RunResults seven;
        seven.insert(MapResult::fromBpftraceJson(u"@c"_s, u"map"_s, QJsonValue(7)));
        a->updateMaps(five);
        b->updateMaps(seven);
        a->setEnded(RunState::Stopped, 0);
        b->setState(RunState::Running);
        b->setEnded(RunState::TimedOut, 0);
        // c never got to run: ssh could not reach it.
        c->setEnded(RunState::Failed, 255, u"ssh: connect to host c port 22: Connection refused"_s);
        QVERIFY(!isTerminal(fleet.state())); // only once it looked at its hosts again
        fleet.updateFromHosts();
        QCOMPARE(fleet.state(), RunState::TimedOut);
        QVERIFY(fleet.failureReason().isEmpty());
        QVERIFY(fleet.maps().find(u"@c"_s));
        QCOMPARE(fleet.maps().find(u"@c"_s)->value().integer(), 12);
        const FleetResults results = fleet.fleetResults();
        QCOMPARE(results.coverage(), u"2 of 3 hosts"_s);
        QCOMPARE(results.hosts().at(0).state, HostRunState::Stopped);
        QCOMPARE(results.hosts().at(2).state, HostRunState::Unreachable);
        QVERIFY2(results.summary().contains(u"Connection refused"_s), qPrintable(results.summary()));
        bool named = false;
        for (const Diagnostic &d : fleet.diagnostics())
            named = named || (d.message.contains(u"Target c"_s) && d.message.contains(u"refused"_s));
        QVERIFY(named);

        // Saved and read back, the per-host breakdown is still there.
        std::unique_ptr<Run> back(Run::fromJson(fleet.toJson(false)));
        QVERIFY(back && back->isFleet());
        QCOMPARE(back->targets(), fleet.targets());
        QCOMPARE(back->hostRun(u"b"_s)->fleet(), back.get());
        QCOMPARE(back->hostRun(u"b"_s)->state(), RunState::TimedOut);
        QCOMPARE(back->fleetResults().coverage(), u"2 of 3 hosts"_s);
        QCOMPARE(back->maps().find(u"@c"_s)->value().integer(), 12);
    }

    // fleetResults() is merged once and kept, so every change of a host must show in the next one.
    void fleetResultsFollowEveryHostChange()
    {
        RunRequest request;
        request.script = u"BEGIN { @c = count(); }"_s;
        Run fleet(u"run-k"_s, RunOrigin::Person, request);
        fleet.setFleetTargets({ u"a"_s, u"b"_s });
        Run *a = fleet.hostRun(u"a"_s);
        Run *b = fleet.hostRun(u"b"_s);
        fleet.setState(RunState::Starting);
        a->setState(RunState::Running);
        b->setState(RunState::Running);
        auto count = [](int n) {
            RunResults results;
            results.insert(MapResult::fromBpftraceJson(u"@c"_s, u"map"_s, QJsonValue(n)));
            return results;
        };
        auto merged = [&fleet] {
            const RunResults results = fleet.fleetResults().mergedResults();
            const MapResult *map = results.find(u"@c"_s);
            return map ? map->value().integer() : -1;
        };

        a->updateMaps(count(5));
        QCOMPARE(merged(), 5);
        QCOMPARE(merged(), 5); // asked again, the same
        b->updateMaps(count(7));
        QCOMPARE(merged(), 12);
        a->updateMaps(count(6));
        QCOMPARE(merged(), 13);

        QCOMPARE(fleet.fleetResults().hosts().at(1).state, HostRunState::Running);
        b->setEnded(RunState::Failed, 255, u"ssh: connection reset"_s);
        QCOMPARE(fleet.fleetResults().hosts().at(1).state, HostRunState::Unreachable);
        QCOMPARE(fleet.fleetResults().hosts().at(1).message, u"ssh: connection reset"_s);
        b->setEnded(RunState::Failed, 255, u"ssh: broken pipe"_s); // the same state, a new reason
        QCOMPARE(fleet.fleetResults().hosts().at(1).message, u"ssh: broken pipe"_s);
        b->setCounters(1, 0, 0); // it had attached: the connection was lost, not never made
        QCOMPARE(fleet.fleetResults().hosts().at(1).state, HostRunState::Failed);

        // The analysis says how a plain map merges: @c is a max() after all, not summed.
        b->updateMaps(count(7));
        b->setEnded(RunState::Stopped, 0);
        QCOMPARE(merged(), 13);
        ScriptAnalysis typed = fleet.analysis();
        typed.mapDetails = { ScriptMap { u"@c"_s, {}, u"max_t"_s, false } };
        fleet.setAnalysis(typed);
        QCOMPARE(merged(), 7);
        ScriptAnalysis summed = typed;
        summed.mapDetails = { ScriptMap { u"@c"_s, {}, u"sum_t"_s, false } };
        a->setAnalysis(summed); // a host's analysis counts too, the fleet's first
        fleet.setAnalysis(ScriptAnalysis());
        QCOMPARE(merged(), 13);
    }

    void fleetFailsOnlyWhenNoHostRan()
    {
        RunRequest request;
        request.script = u"BEGIN { }"_s;
        Run fleet(u"run-g"_s, RunOrigin::Person, request);
        fleet.setFleetTargets({ u"a"_s, u"b"_s });
        fleet.setState(RunState::Starting);
        fleet.hostRun(u"a"_s)->setEnded(RunState::Failed, 255, u"no route to host"_s);
        fleet.hostRun(u"b"_s)->setState(RunState::Running);
        fleet.hostRun(u"b"_s)->setEnded(RunState::Failed, 1, u"ERROR: unknown function"_s);
        fleet.updateFromHosts();
        QCOMPARE(fleet.state(), RunState::Failed);
        QVERIFY2(fleet.failureReason().contains(u"a: no route to host"_s)
                && fleet.failureReason().contains(u"b: ERROR: unknown function"_s),
            qPrintable(fleet.failureReason()));
        QCOMPARE(fleet.fleetResults().hosts().at(1).state, HostRunState::Failed);
    }

    void deniedFleetEndsItsHosts()
    {
        RunRequest request;
        request.script = u"BEGIN { }"_s;
        Run fleet(u"run-h"_s, RunOrigin::Client, request);
        fleet.setFleetTargets({ u"a"_s, u"local"_s });
        QCOMPARE(fleet.hostRun(u"local"_s)->target(), QString()); // this machine, as everywhere
        QCOMPARE(fleet.targets(), (QStringList { u"a"_s, u"local"_s }));
        fleet.setDecision(Decision::Denied, u"person"_s, u"no"_s);
        fleet.setState(RunState::Denied);
        for (const Run *host : fleet.hostRuns()) {
            QCOMPARE(host->state(), RunState::Denied);
            QCOMPARE(host->decisionMessage(), u"no"_s);
        }
        // Nothing a host does afterwards moves a fleet that has ended.
        fleet.updateFromHosts();
        QCOMPARE(fleet.state(), RunState::Denied);
    }
};

QTEST_GUILESS_MAIN(TestRun)
#include "tst_run.moc"
