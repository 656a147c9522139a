// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/approvalqueue.h"
#include "engine/auditlog.h"
#include "engine/engine.h"
#include "engine/runmanager.h"
#include "engine/runstore.h"
#include "engine/scriptanalyzer.h"
#include "engine/scriptcheck.h"
#include "engine/targets/targetregistry.h"
#include "runtestutil.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

class TestApprovalQueue : public QObject
{
    Q_OBJECT

    struct Fixture
    {
        QTemporaryDir dir;
        RunManager runs;
        AuditLog audit { dir.filePath(u"audit.jsonl"_s) };
        ApprovalQueue queue { &audit };

        explicit Fixture(const QString &fake = fakePath(u"quick.sh"_s))
        {
            runs.setPrivilege(directPrivilege(fake));
            Engine::connectApprovals(&runs, &queue);
        }

        Run *submit(const QString &script, const QString &client = u"Claude Code"_s, const QString &session = {},
            const QStringList &targets = {})
        {
            RunRequest request;
            request.script = script;
            request.targets = targets;
            request.reason = u"count opens"_s;
            request.client.name = client;
            request.client.sessionId = session.isEmpty() ? u"session of "_s + client : session;
            request.client.version = u"2.1"_s;
            request.client.transport = u"socket"_s;
            QString error;
            Run *run = runs.submitClientRun(request, &error);
            if (!run)
                qWarning() << error;
            return run;
        }

        // What the full analysis says about a request, as if bpftrace had checked it.
        static void analysed(Run *run, RiskLevel risk, bool checked = true)
        {
            ScriptAnalysis analysis = ScriptAnalyzer::analyzeText(run->script());
            analysis.risk = risk;
            analysis.complete = true;
            analysis.checked = checked;
            if (!checked)
                analysis.uncheckedReason = u"bpftrace could not be run to check the program"_s;
            run->setAnalysis(analysis);
        }

        QStringList auditDecisions() const
        {
            QStringList out;
            for (const QJsonObject &entry : audit.readAll())
                out << entry.value("decision"_L1).toString();
            return out;
        }
    };

    /// A Fixture whose runs and queue use two SSH targets over fakes/ssh.sh, "a" and "b", with
    /// the given fakes (under fakes/) as their bpftrace, and an analyzer for this machine.
    struct FleetFixture
    {
        QTemporaryDir dir;
        TargetRegistry registry;
        ScriptAnalyzer local;
        Fixture f;
        bool ready = false; ///< both targets were added

        FleetFixture(const QString &fakeA, const QString &fakeB)
        {
            registry.setOptions(fakeSshOptions(dir.path()));
            ready = dir.isValid();
            for (const auto &[name, fake] : { std::pair { u"a"_s, fakeA }, std::pair { u"b"_s, fakeB } }) {
                Target target = *Target::parseWithName(QString(name + u"=ssh://root@"_s + name));
                target.privilege = RemotePrivilege::Login;
                target.bpftracePath = fakePath(fake);
                ready = registry.addTarget(target) && ready;
            }
            f.runs.setTargets(&registry);
            f.queue.setTargets(&registry);
            f.queue.setAnalyzer(&local);
        }

        Run *submit(const QString &script) { return f.submit(script, u"Claude Code"_s, {}, { u"a"_s, u"b"_s }); }
        /// The same client asking for `script` on one target only.
        Run *submitOn(const QString &target, const QString &script)
        {
            return f.submit(script, u"Claude Code"_s, {}, { target });
        }
    };

    const QString m_script = u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s;

    /// Removes target a while `run` (allow-low-risk) waits for a's check: the request counts a,
    /// whose analysis `onA` holds, as not checked, and the policy denies it.
    static void removeAWhileChecking(FleetFixture &fleet, Run *run, const Run *onA)
    {
        QCOMPARE(run->state(), RunState::PendingApproval);
        QVERIFY(fleet.registry.removeTarget(u"a"_s));
        QTRY_COMPARE(run->decision(), Decision::DeniedByPolicy);
        QVERIFY(run->analysis().complete);
        QVERIFY(!run->analysis().checked);
        QVERIFY2(onA->analysis().uncheckedReason.contains(u"target a was removed before its bpftrace answered"_s),
            qPrintable(onA->analysis().uncheckedReason));
    }

private Q_SLOTS:
    void approve()
    {
        Fixture f;
        QSignalSpy added(&f.queue, &ApprovalQueue::requestAdded);
        QSignalSpy resolved(&f.queue, &ApprovalQueue::requestResolved);
        Run *run = f.submit(m_script);
        QVERIFY(run);
        QCOMPARE(added.size(), 1);
        QCOMPARE(f.queue.pending(), QList<Run *> { run });
        QCOMPARE(run->state(), RunState::PendingApproval);
        QCOMPARE(run->client().displayName(), u"Claude Code 2.1"_s);
        QCOMPARE(run->reason(), u"count opens"_s);
        const QDateTime expires = f.queue.expiresAt(run->id());
        QVERIFY(expires > QDateTime::currentDateTimeUtc().addSecs(290));
        QVERIFY(f.queue.approve(run->id()));
        QCOMPARE(resolved.size(), 1);
        QVERIFY(f.queue.pending().isEmpty());
        QCOMPARE(run->decision(), Decision::Approved);
        QCOMPARE(run->decidedBy(), u"person"_s);
        QVERIFY(run->decidedAt().isValid());
        QTRY_COMPARE(run->state(), RunState::Finished);
        QString error;
        QVERIFY(!f.queue.approve(run->id(), &error));
        QVERIFY2(error.contains(u"not waiting"_s), qPrintable(error));
        QVERIFY(!f.queue.deny(u"nope"_s, {}, &error));
        QVERIFY(error.contains(u"No run"_s));
        QCOMPARE(f.auditDecisions(), QStringList { u"approved"_s });
        const QJsonObject entry = f.audit.readAll().first();
        QCOMPARE(entry.value("runId"_L1).toString(), run->id());
        QCOMPARE(entry.value("client"_L1).toObject().value("name"_L1).toString(), u"Claude Code"_s);
        QCOMPARE(entry.value("scriptHash"_L1).toString(), QString::fromLatin1(run->scriptHash()));
    }

    void approveEdited()
    {
        QTemporaryDir dir;
        const QString argsFile = dir.filePath(u"args"_s);
        ScopedEnv args("FAKE_ARGS_FILE", argsFile.toUtf8());
        Fixture f(fakePath(u"canned.sh"_s));
        Run *run = f.submit(m_script);
        const QString edited = u"tracepoint:syscalls:sys_enter_openat /pid != 1/ { @[comm] = count(); }"_s;
        QString error;
        QVERIFY(!f.queue.approveEdited(run->id(), u"  "_s, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(f.queue.approveEdited(run->id(), edited));
        QCOMPARE(run->decision(), Decision::ApprovedEdited);
        QCOMPARE(run->script(), edited);
        QCOMPARE(run->originalScript(), m_script);
        QVERIFY(run->scriptEdited());
        QVERIFY2(run->decisionMessage().contains(u"edited"_s), qPrintable(run->decisionMessage()));
        QTRY_VERIFY(QFile::exists(argsFile) && run->totalLines() > 0);
        QFile file(argsFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(file.readAll()).contains(edited)); // the edited text is what runs
        QVERIFY(f.runs.stop(run->id()));
        QTRY_VERIFY(isTerminal(run->state()));
        const QJsonObject entry = f.audit.readAll().first();
        QCOMPARE(entry.value("decision"_L1).toString(), u"approved_edited"_s);
        QCOMPARE(entry.value("originalScript"_L1).toString(), m_script);
        QCOMPARE(entry.value("script"_L1).toString(), edited);
    }

    void deny()
    {
        Fixture f;
        Run *run = f.submit(m_script);
        QVERIFY(f.queue.deny(run->id(), u"too broad"_s));
        QCOMPARE(run->state(), RunState::Denied);
        QCOMPARE(run->decision(), Decision::Denied);
        QCOMPARE(run->decisionMessage(), u"too broad"_s);
        QVERIFY(!run->startedAt().isValid());
        QVERIFY(!f.queue.deny(run->id(), u"again"_s));
        QCOMPARE(f.auditDecisions(), QStringList { u"denied"_s });
        QCOMPARE(f.audit.readAll().first().value("message"_L1).toString(), u"too broad"_s);
    }

    void expire()
    {
        Fixture f;
        f.queue.setExpirySeconds(1);
        Run *run = f.submit(m_script);
        QVERIFY(run);
        const QDateTime runExpires = f.queue.expiresAt(run->id());
        // The expiry applies to requests queued from then on; the later request's deadline lies
        // seconds after the first one's, so even a late timer on a loaded machine cannot expire
        // both at once.
        f.queue.setExpirySeconds(4);
        Run *later = f.submit(m_script + u" "_s);
        QVERIFY(later);
        QCOMPARE(f.queue.expiresAt(run->id()), runExpires);
        QVERIFY(f.queue.expiresAt(later->id()) >= runExpires.addSecs(3));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Expired, 10000);
        QCOMPARE(run->decision(), Decision::Expired);
        QCOMPARE(run->decidedBy(), u"timeout"_s);
        // The message names the time the request was given, not the setting changed since.
        QCOMPARE(run->decisionMessage(), u"Nobody decided within 1 s; the request counts as denied."_s);
        QCOMPARE(later->state(), RunState::PendingApproval); // its own deadline has not passed yet
        QTRY_COMPARE_WITH_TIMEOUT(later->state(), RunState::Expired, 15000);
        QVERIFY(later->decisionMessage().contains(u"within 4 s;"_s));
        QCOMPARE(f.auditDecisions(), (QStringList { u"expired"_s, u"expired"_s }));
    }

    void allowForSession()
    {
        Fixture f;
        Run *first = f.submit(m_script);
        Fixture::analysed(first, RiskLevel::Low);
        QVERIFY(f.queue.approveForSession(first->id()));
        QCOMPARE(first->decision(), Decision::Approved);
        Run *again = f.submit(m_script);
        QCOMPARE(again->decision(), Decision::ApprovedForSession);
        QCOMPARE(again->decidedBy(), u"session-allow"_s);
        QVERIFY(again->state() != RunState::PendingApproval);
        Run *otherClient = f.submit(m_script, u"Other"_s);
        QCOMPARE(otherClient->state(), RunState::PendingApproval);
        // Another session calling itself by the same name inherits nothing.
        Run *sameName = f.submit(m_script, u"Claude Code"_s, u"another session"_s);
        QCOMPARE(sameName->state(), RunState::PendingApproval);
        Run *otherScript = f.submit(m_script + u"\n"_s);
        QCOMPARE(otherScript->state(), RunState::PendingApproval);
        QCOMPARE(f.queue.pending().size(), 3);
        QTRY_VERIFY(isTerminal(first->state()) && isTerminal(again->state()));
        QCOMPARE(f.auditDecisions(), (QStringList { u"approved"_s, u"approved_for_session"_s }));
    }

    // A standing permission needs bpftrace's verdict and never covers a high-risk program.
    void sessionAllowRefused_data()
    {
        QTest::addColumn<int>("risk");
        QTest::addColumn<bool>("complete");
        QTest::addColumn<bool>("checked");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("session");
        QTest::newRow("high risk") << int(RiskLevel::High) << true << true << u"high-risk"_s << QString();
        QTest::newRow("stateless client")
            << int(RiskLevel::Low) << true << true << u"stateless client"_s << u"stateless-http"_s;
        QTest::newRow("not checked") << int(RiskLevel::Low) << true << false << u"Not checked by bpftrace"_s
                                     << QString();
        QTest::newRow("still checking") << int(RiskLevel::Low) << false << false << u"still checking"_s << QString();
    }
    void sessionAllowRefused()
    {
        QFETCH(int, risk);
        QFETCH(bool, complete);
        QFETCH(bool, checked);
        QFETCH(QString, error);
        QFETCH(QString, session);
        Fixture f;
        Run *run = f.submit(m_script, u"Claude Code"_s, session);
        if (complete)
            Fixture::analysed(run, RiskLevel(risk), checked);
        QString message;
        QVERIFY(!f.queue.approveForSession(run->id(), &message));
        QVERIFY2(message.contains(error), qPrintable(message));
        QCOMPARE(run->state(), RunState::PendingApproval);
        QVERIFY(!ApprovalQueue::sessionAllowRefusal(run).isEmpty());
        // Nothing was remembered: the same script again waits for the person.
        QVERIFY(f.queue.approve(run->id()));
        Run *again = f.submit(m_script, u"Claude Code"_s, session);
        QCOMPARE(again->state(), RunState::PendingApproval);
    }

    // allow-low-risk never approves what bpftrace did not check, nor what has no full analysis.
    void allowLowRiskDeniesUnchecked()
    {
        Fixture f;
        ScriptAnalyzer analyzer;
        analyzer.setBpftraceCommand(LaunchCommand { u"/nonexistent/bpftrace"_s, {}, false });
        f.queue.setAnalyzer(&analyzer);
        f.queue.setPolicy(ApprovalPolicy::AllowLowRisk);
        Run *run = f.submit(m_script);
        QTRY_COMPARE_WITH_TIMEOUT(run->decision(), Decision::DeniedByPolicy, 10000);
        QCOMPARE(run->state(), RunState::Denied);
        QVERIFY(!run->analysis().checked);
        QVERIFY2(run->decisionMessage().startsWith(u"Not checked by bpftrace: "_s), qPrintable(run->decisionMessage()));
        QVERIFY(run->decisionMessage().contains(u"checked and rated low risk"_s));
    }

    void answerAfterTheQueueWentIsDropped()
    {
        // The queue goes (the engine tears it down before the runs) while bpftrace still checks
        // a request's script. The answer arrives for a run that lives on: it must not reach the
        // queue that is gone, nor be applied to the run on its behalf.
        QTemporaryDir dir;
        RunManager runs;
        runs.setPrivilege(directPrivilege(fakePath(u"quick.sh"_s)));
        AuditLog audit(dir.filePath(u"audit.jsonl"_s));
        ScriptAnalyzer analyzer;
        // bpftrace that takes a moment to answer.
        analyzer.setBpftraceCommand(LaunchCommand {
            u"/bin/sh"_s, { u"-c"_s, u"sleep 0.3; exec \"$0\" \"$@\""_s, fakePath(u"quick.sh"_s) }, false });
        auto queue = std::make_unique<ApprovalQueue>(&audit);
        Engine::connectApprovals(&runs, queue.get());
        queue->setAnalyzer(&analyzer);
        RunRequest request;
        request.script = m_script;
        request.client.name = u"Claude Code"_s;
        request.client.sessionId = u"s1"_s;
        QString error;
        Run *run = runs.submitClientRun(request, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->state(), RunState::PendingApproval);
        QVERIFY(!run->analysis().complete);

        QCOMPARE(analyzer.cachedCount(), 0);
        queue.reset();
        // The analyzer caches the answer and then calls back, in one go: once it is cached, the
        // check the queue started has answered.
        QTRY_VERIFY_WITH_TIMEOUT(analyzer.cachedCount() == 1, 10000);
        QVERIFY(!run->analysis().complete);
        QCOMPARE(run->state(), RunState::PendingApproval);
    }

    void fleetTargetWhoseAnalyzerGoesIsUnchecked()
    {
        // Target a's check never ends (its bpftrace never exits); b answers at once. When a is
        // removed meanwhile, its analyzer goes with it: the request counts a as not checked and
        // is decided, where it used to wait for a's answer until the person decided.
        FleetFixture fleet(u"stubborn.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        fleet.f.queue.setPolicy(ApprovalPolicy::AllowLowRisk);
        Run *run = fleet.submit(m_script);
        QVERIFY(run && run->isFleet());
        QTRY_VERIFY(run->hostRun(u"b"_s)->analysis().complete);
        QTest::qWait(200);
        QVERIFY(!run->hostRun(u"a"_s)->analysis().complete);
        QVERIFY(!run->analysis().complete);
        removeAWhileChecking(fleet, run, run->hostRun(u"a"_s));
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(run->decisionMessage().startsWith(u"Not checked by bpftrace: "_s), qPrintable(run->decisionMessage()));
    }

    void targetWhoseAnalyzerGoesIsUnchecked()
    {
        // The same for a request on one remote target: it used to stay "checking" until it
        // expired, with the approve buttons held back.
        FleetFixture fleet(u"stubborn.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        fleet.f.queue.setPolicy(ApprovalPolicy::AllowLowRisk);
        Run *run = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(run && !run->isFleet());
        QCOMPARE(run->target(), u"a"_s);
        QTest::qWait(200);
        QVERIFY(!run->analysis().complete);
        removeAWhileChecking(fleet, run, run);
        if (QTest::currentTestFailed())
            return;
        // Nobody checked it: at least medium, as for a bpftrace that could not be run.
        QCOMPARE(run->analysis().risk, RiskLevel::Medium);
        QVERIFY(run->analysis().reasons().join(u' ').contains(u"did not check this program"_s));
    }

    void removedTargetCanOnlyBeDenied()
    {
        // The target goes while the person looks at the request: no approval can make it run
        // (the launch would fail on the missing target), so each is refused with the reason, in
        // the same turn as the removal, and a denial still goes through, audited once.
        FleetFixture fleet(u"stubborn.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        Run *run = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(run);
        QSignalSpy changed(&fleet.f.queue, &ApprovalQueue::targetsChanged);
        QVERIFY(fleet.f.queue.launchRefusal(run).isEmpty());

        QVERIFY(fleet.registry.removeTarget(u"a"_s));
        QCOMPARE(changed.size(), 1);
        const QString refusal = fleet.f.queue.launchRefusal(run);
        QVERIFY2(refusal.startsWith(u"Target 'a' was removed after the client asked"_s), qPrintable(refusal));
        const QString edited = u"tracepoint:syscalls:sys_enter_openat { @[pid] = count(); }"_s;
        for (const auto &approve : std::initializer_list<std::function<bool(QString *)>> {
                 [&](QString *error) { return fleet.f.queue.approve(run->id(), error); },
                 [&](QString *error) { return fleet.f.queue.approveForSession(run->id(), error); },
                 [&](QString *error) { return fleet.f.queue.approveEdited(run->id(), edited, error); } }) {
            QString error;
            QVERIFY(!approve(&error));
            QCOMPARE(error, refusal);
            QCOMPARE(run->state(), RunState::PendingApproval);
        }
        QCOMPARE(run->script(), m_script); // the refused edit left nothing behind
        QTRY_VERIFY(run->analysis().complete); // not checked: a was removed
        QString error;
        QVERIFY2(fleet.f.queue.deny(run->id(), u"gone"_s, &error), qPrintable(error));
        QCOMPARE(run->decision(), Decision::Denied);
        QTest::qWait(100);
        QCOMPARE(fleet.f.auditDecisions(), QStringList { u"denied"_s });
    }

    void targetAddedBackStaysRefused()
    {
        // The same name configured again may be another machine, where bpftrace never checked
        // the program: the removal stays final for the request that waited on it. A new request
        // there is checked there and can run.
        FleetFixture fleet(u"quick.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        Run *run = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(run);
        QTRY_VERIFY(run->analysis().complete);
        const Target *found = fleet.registry.find(u"a"_s);
        QVERIFY(found);
        const Target a = *found;
        QVERIFY(fleet.registry.removeTarget(u"a"_s));
        QVERIFY(fleet.registry.addTarget(a));
        const QString refusal = fleet.f.queue.launchRefusal(run);
        const QString anotherMachine = u"even if a target of that name is added back: it may be another machine"_s;
        QVERIFY2(refusal.contains(anotherMachine), qPrintable(refusal));
        QString error;
        QVERIFY(!fleet.f.queue.approve(run->id(), &error));
        QCOMPARE(error, refusal);

        Run *again = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(again);
        QCOMPARE(fleet.f.queue.launchRefusal(again), QString());
        QTRY_VERIFY(again->analysis().complete);
        QVERIFY2(fleet.f.queue.approve(again->id(), &error), qPrintable(error));
        QTRY_VERIFY(isTerminal(again->state()));
        QCOMPARE(again->state(), RunState::Finished);
        // The first one is still there to deny, and its refusal is forgotten once it is decided.
        QVERIFY2(fleet.f.queue.deny(run->id(), QString(), &error), qPrintable(error));
        QCOMPARE(run->decision(), Decision::Denied);
    }

    void sessionAllowanceEndsWithItsTarget()
    {
        // Allowed for the session on a; a removed and another machine added back as a: the same
        // request asks the person again, and is checked there.
        FleetFixture fleet(u"quick.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        Run *first = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(first);
        Fixture::analysed(first, RiskLevel::Low);
        QString error;
        QVERIFY2(fleet.f.queue.approveForSession(first->id(), &error), qPrintable(error));
        Run *allowed = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(allowed);
        QCOMPARE(allowed->decision(), Decision::ApprovedForSession);

        Target other = *fleet.registry.find(u"a"_s);
        QVERIFY(fleet.registry.removeTarget(u"a"_s));
        other.host = u"elsewhere"_s;
        QVERIFY(fleet.registry.addTarget(other));
        Run *asked = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(asked);
        QCOMPARE(asked->state(), RunState::PendingApproval);
        QCOMPARE(asked->decision(), Decision::Pending);
        // b's allowance is its own: removing a leaves it alone.
        Run *onB = fleet.submitOn(u"b"_s, m_script);
        Fixture::analysed(onB, RiskLevel::Low);
        QVERIFY2(fleet.f.queue.approveForSession(onB->id(), &error), qPrintable(error));
        QVERIFY(fleet.registry.removeTarget(u"a"_s));
        Run *againOnB = fleet.submitOn(u"b"_s, m_script);
        QCOMPARE(againOnB->decision(), Decision::ApprovedForSession);
    }

    void policyDoesNotApproveARemovedTarget()
    {
        // A policy switched on later decides the waiting requests too, and no more than the
        // person could: one whose target went is denied, with the reason.
        FleetFixture fleet(u"quick.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        Run *run = fleet.submitOn(u"a"_s, m_script);
        QVERIFY(run);
        QVERIFY(fleet.registry.removeTarget(u"a"_s));
        const QString refusal = fleet.f.queue.launchRefusal(run);
        QVERIFY(!refusal.isEmpty());
        fleet.f.queue.setPolicy(ApprovalPolicy::AllowAll);
        QCOMPARE(run->decision(), Decision::DeniedByPolicy);
        QCOMPARE(run->decisionMessage(), refusal);
    }

    void fleetWithATargetRemovedCanOnlyBeDenied()
    {
        // One decision covers exactly the targets asked for: with one of them gone, approving
        // would cover other ones than the person was shown.
        FleetFixture fleet(u"quick.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        Run *run = fleet.submit(m_script);
        QVERIFY(run && run->isFleet());
        QCOMPARE(fleet.f.queue.launchRefusal(run), QString());
        QVERIFY(fleet.registry.removeTarget(u"a"_s));
        QString refusal = fleet.f.queue.launchRefusal(run);
        QVERIFY2(refusal.startsWith(u"Target 'a' of this request was removed after the client asked"_s),
            qPrintable(refusal));
        QString error;
        QVERIFY(!fleet.f.queue.approve(run->id(), &error));
        QCOMPARE(error, refusal);
        QVERIFY(fleet.registry.removeTarget(u"b"_s));
        refusal = fleet.f.queue.launchRefusal(run);
        QVERIFY2(refusal.startsWith(u"Targets 'a', 'b' of this request were removed"_s), qPrintable(refusal));
        QCOMPARE(run->state(), RunState::PendingApproval);
    }

    void editedFleetRequestIsAuditedAsEdited()
    {
        // The audit log records, per target, what was known of the script that runs: after an
        // edit, not the checks of the script the client sent.
        FleetFixture fleet(u"quick.sh"_s, u"quick.sh"_s);
        QVERIFY(fleet.ready);
        Run *run = fleet.submit(m_script);
        QVERIFY(run && run->isFleet());
        QTRY_VERIFY(run->analysis().complete);
        for (const Run *host : run->hostRuns())
            QVERIFY(host->analysis().checked); // the fake bpftrace passed the client's script

        const QString edited = u"tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_read "
                               "{ @[comm] = count(); }"_s;
        QVERIFY(fleet.f.queue.approveEdited(run->id(), edited));
        const QList<QJsonObject> entries = fleet.f.audit.readAll();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().value("script"_L1).toString(), edited);
        const QJsonArray targets = entries.first().value("targets"_L1).toArray();
        QCOMPARE(targets.size(), 2);
        for (const QJsonValue &target : targets) {
            // Decided before the edited script was checked anywhere.
            QCOMPARE(target["checked"_L1].toBool(), false);
        }
        for (const Run *host : run->hostRuns()) {
            QCOMPARE(host->script(), edited);
            QCOMPARE(host->analysis().probeSpecs.size(), 2);
        }
    }

    void allowLowRiskDeniesWithoutFullAnalysis()
    {
        Fixture f; // no analyzer: the full analysis never comes
        f.queue.setPolicy(ApprovalPolicy::AllowLowRisk);
        Run *run = f.submit(m_script);
        QCOMPARE(run->decision(), Decision::DeniedByPolicy);
        QVERIFY2(run->decisionMessage().contains(u"No full analysis"_s), qPrintable(run->decisionMessage()));
    }

    void allowLowRiskDecidesOnTheCheckedAnalysis()
    {
        // A low-risk analysis without bpftrace's verdict is denied; the same, checked, runs.
        Fixture f;
        Run *unchecked = f.submit(m_script);
        Fixture::analysed(unchecked, RiskLevel::Low, false);
        Run *checked = f.submit(m_script + u" "_s);
        Fixture::analysed(checked, RiskLevel::Low, true);
        f.queue.setPolicy(ApprovalPolicy::AllowLowRisk);
        QCOMPARE(unchecked->decision(), Decision::DeniedByPolicy);
        QCOMPARE(checked->decision(), Decision::ApprovedByPolicy);
        QTRY_VERIFY(isTerminal(checked->state()));
    }

    void policies_data()
    {
        QTest::addColumn<int>("policy");
        QTest::addColumn<int>("decision");
        QTest::addColumn<QString>("decidedBy");
        QTest::newRow("deny") << int(ApprovalPolicy::Deny) << int(Decision::DeniedByPolicy) << u"policy:deny"_s;
        QTest::newRow("allow-all") << int(ApprovalPolicy::AllowAll) << int(Decision::ApprovedByPolicy)
                                   << u"policy:allow-all"_s;
    }

    void policies()
    {
        QFETCH(int, policy);
        QFETCH(int, decision);
        QFETCH(QString, decidedBy);
        Fixture f;
        f.queue.setPolicy(ApprovalPolicy(policy));
        Run *run = f.submit(m_script);
        QCOMPARE(int(run->decision()), decision);
        QCOMPARE(run->decidedBy(), decidedBy);
        QVERIFY(f.queue.pending().isEmpty());
        QTRY_VERIFY(isTerminal(run->state()));
        QCOMPARE(f.auditDecisions(), QStringList { decisionName(Decision(decision)) });
    }

    void policyChangeAppliesToWaitingRequests()
    {
        Fixture f;
        Run *run = f.submit(m_script);
        QCOMPARE(run->state(), RunState::PendingApproval);
        f.queue.setPolicy(ApprovalPolicy::Deny);
        QCOMPARE(run->state(), RunState::Denied);
    }

    void allowLowRiskWaitsForTheFullAnalysis()
    {
        if (QStandardPaths::findExecutable(u"bpftrace"_s).isEmpty())
            QSKIP("the full analysis needs bpftrace");
        Fixture f;
        ScriptAnalyzer analyzer;
        f.queue.setAnalyzer(&analyzer);
        f.queue.setPolicy(ApprovalPolicy::AllowLowRisk);
        Run *low = f.submit(m_script);
        QSignalSpy analysed(low, &Run::analysisChanged);
        Run *high = f.submit(u"BEGIN { system(\"id\"); }"_s);
        // Nothing is decided on the quick, text-only analysis.
        QCOMPARE(low->state(), RunState::PendingApproval);
        QCOMPARE(high->state(), RunState::PendingApproval);
        QTRY_VERIFY_WITH_TIMEOUT(low->decision() != Decision::Pending && high->decision() != Decision::Pending, 15000);
        QVERIFY(analysed.size() >= 1);
        QVERIFY(low->analysis().complete);
        QVERIFY2(low->decision() == Decision::ApprovedByPolicy, qPrintable(low->analysis().reasons().join(u"; "_s)));
        QCOMPARE(high->decision(), Decision::DeniedByPolicy);
        QCOMPARE(high->state(), RunState::Denied);
        QVERIFY2(high->decisionMessage().contains(u"risk"_s), qPrintable(high->decisionMessage()));
        QTRY_VERIFY(isTerminal(low->state()));
    }

    void analysisArrivesWhilePending()
    {
        if (QStandardPaths::findExecutable(u"bpftrace"_s).isEmpty())
            QSKIP("the full analysis needs bpftrace");
        Fixture f;
        ScriptAnalyzer analyzer;
        f.queue.setAnalyzer(&analyzer);
        Run *run = f.submit(u"tracepoint:syscalls:sys_enter_open* { @[probe] = count(); }"_s);
        QVERIFY(!run->analysis().complete);
        QSignalSpy analysed(run, &Run::analysisChanged);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 15000);
        QVERIFY(run->analysis().attachCount > 1);
        QCOMPARE(run->state(), RunState::PendingApproval); // the Ask policy never decides
        QVERIFY(f.queue.deny(run->id(), {}));
    }

    void personRunsNeedNoApproval()
    {
        Fixture f;
        Run *run = f.runs.startPersonRun(m_script);
        QCOMPARE(run->decision(), Decision::NotRequired);
        QVERIFY(f.queue.pending().isEmpty());
        QTRY_COMPARE(run->state(), RunState::Finished);
        QVERIFY(f.audit.readAll().isEmpty());
    }

    void policyNames()
    {
        for (ApprovalPolicy p :
            { ApprovalPolicy::Ask, ApprovalPolicy::Deny, ApprovalPolicy::AllowLowRisk, ApprovalPolicy::AllowAll })
            QCOMPARE(approvalPolicyFromName(approvalPolicyName(p)), p);
        QCOMPARE(approvalPolicyName(ApprovalPolicy::AllowLowRisk), u"allow-low-risk"_s);
    }

    // Neither side calls the other: requests arrive through enqueue(), approvals leave through
    // approved(), and a withdrawal is seen on the run itself.
    void worksWithoutARunManager()
    {
        qRegisterMetaType<Run *>(); // QSignalSpy records a pointer argument only once its type is known
        QTemporaryDir dir;
        AuditLog audit { dir.filePath(u"audit.jsonl"_s) };
        ApprovalQueue queue { &audit };
        QSignalSpy approved(&queue, &ApprovalQueue::approved);
        RunRequest request { m_script, u"why"_s, {}, 10 };
        Run run(u"run-1"_s, RunOrigin::Client, request);
        queue.enqueue(&run);
        QCOMPARE(queue.pending().size(), 1);
        QVERIFY(queue.approve(run.id()));
        QCOMPARE(approved.size(), 1);
        QCOMPARE(approved.at(0).at(0).value<Run *>(), &run);
        QCOMPARE(run.state(), RunState::PendingApproval); // launching is the RunManager's job
        QString error;
        QVERIFY(!queue.approve(run.id(), &error));
        QVERIFY2(error.contains(u"not waiting"_s), qPrintable(error));
    }

    void managerAnnouncesRequestsOnly()
    {
        qRegisterMetaType<Run *>();
        RunManager runs;
        QSignalSpy requested(&runs, &RunManager::approvalRequested);
        RunRequest request { m_script, u"why"_s, {}, std::nullopt };
        Run *run = runs.submitClientRun(request);
        QVERIFY(run);
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.at(0).at(0).value<Run *>(), run);
        QCOMPARE(run->state(), RunState::PendingApproval); // nobody listens: it just waits
        runs.launchApproved(nullptr); // ignored
    }

    void withdrawnRequestLeavesTheQueue()
    {
        Fixture f;
        QSignalSpy resolved(&f.queue, &ApprovalQueue::requestResolved);
        Run *run = f.submit(m_script);
        QVERIFY(f.runs.stop(run->id()));
        QCOMPARE(run->state(), RunState::Denied);
        QCOMPARE(run->decision(), Decision::Denied);
        QCOMPARE(run->decisionMessage(), u"Withdrawn before a decision was made."_s);
        QVERIFY(f.queue.pending().isEmpty());
        QCOMPARE(resolved.size(), 1);
        QCOMPARE(f.auditDecisions(), QStringList { decisionName(Decision::Denied) });
    }

    void editedScriptIsChecked()
    {
        Fixture f;
        Run *run = f.submit(m_script);
        QString error;
        QVERIFY(!f.queue.approveEdited(run->id(), u"  "_s, &error));
        QCOMPARE(error, u"The script is empty."_s);
        QVERIFY(!f.queue.approveEdited(run->id(), QString(maxScriptBytes + 1, u'x'), &error));
        QCOMPARE(error, u"The script is larger than 100 KiB."_s);
        QCOMPARE(run->state(), RunState::PendingApproval);
    }
};

QTEST_GUILESS_MAIN(TestApprovalQueue)
#include "tst_approvalqueue.moc"
