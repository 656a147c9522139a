// SPDX-License-Identifier: GPL-2.0-or-later
// The headless terminal prompt, driven through pipes against a real engine's approval queue.
#include "app/terminalapprover.h"
#include "engine/engine.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

class TestTerminalApprover : public QObject
{
    Q_OBJECT

private:
    struct Rig
    {
        QTemporaryDir dir;
        std::unique_ptr<Engine> engine;
        int input[2] = { -1, -1 }; // test -> approver
        int output[2] = { -1, -1 }; // approver -> test
        std::unique_ptr<TerminalApprover> approver;
        QByteArray screen;

        Rig()
        {
            EngineConfig config;
            config.stateDirectory = dir.filePath(u"state"_s);
            config.cacheDirectory = dir.filePath(u"cache"_s);
            config.loadHistory = false;
            config.approvalPolicy = ApprovalPolicy::Ask;
            engine = std::make_unique<Engine>(config);
            if (::pipe2(input, O_CLOEXEC) != 0 || ::pipe2(output, O_CLOEXEC | O_NONBLOCK) != 0)
                qFatal("pipe2 failed");
            approver = std::make_unique<TerminalApprover>(engine->approvals(), input[0], output[1]);
            approver->setEditor({});
        }
        ~Rig()
        {
            approver.reset();
            engine.reset();
            for (int fd : { input[0], input[1], output[0], output[1] })
                if (fd >= 0)
                    ::close(fd);
        }
        Run *submit(const QString &script, const QString &reason = u"test"_s)
        {
            RunRequest request;
            request.script = script;
            request.reason = reason;
            request.client = ClientInfo { u"Probe Client"_s, u"1.2"_s, u"socket"_s, u"s-1"_s };
            request.timeoutSeconds = 5;
            QString error;
            Run *run = engine->runs()->submitClientRun(request, &error);
            if (!run)
                qWarning() << error;
            return run;
        }
        void type(const QByteArray &text) const
        {
            QCOMPARE(::write(input[1], text.constData(), size_t(text.size())), ssize_t(text.size()));
        }
        // Everything shown so far.
        const QByteArray &read()
        {
            char buffer[8192];
            ssize_t n;
            while ((n = ::read(output[0], buffer, sizeof buffer)) > 0)
                screen.append(buffer, n);
            return screen;
        }
        bool shows(const QByteArray &text) { return read().contains(text); }
        int count(const QByteArray &text) { return int(read().count(text)); }
    };

    static constexpr auto Script = "BEGIN { printf(\"hi\\n\"); exit(); }\n"_L1;
    static constexpr QByteArrayView Prompt = "[a]pprove";

private Q_SLOTS:
    void approve()
    {
        Rig rig;
        rig.approver->start();
        Run *run = rig.submit(Script, u"check the printf path"_s);
        QVERIFY(run);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        // What the person needs to decide.
        QVERIFY(rig.shows("Probe Client 1.2"));
        QVERIFY(rig.shows("via socket"));
        QVERIFY(rig.shows("Reason: check the printf path"));
        QVERIFY(rig.shows("printf(\"hi\\n\")"));
        QVERIFY(rig.shows("Low risk") || rig.shows("Medium risk") || rig.shows("High risk"));
        QVERIFY(rig.shows("BEGIN"));
        QVERIFY(rig.shows("Expires in "));
        QCOMPARE(rig.approver->currentRunId(), run->id());
        rig.type("a\n");
        QTRY_COMPARE(run->decision(), Decision::Approved);
        QVERIFY(rig.shows("Approved " + run->id().toUtf8()));
        QVERIFY(rig.approver->currentRunId().isEmpty());
    }

    void denyWithMessage()
    {
        Rig rig;
        rig.approver->start();
        Run *run = rig.submit(Script);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        rig.type("d\n");
        QTRY_VERIFY(rig.shows("Message for the client"));
        rig.type("use a tracepoint instead\n");
        QTRY_COMPARE(run->state(), RunState::Denied);
        QCOMPARE(run->decision(), Decision::Denied);
        QCOMPARE(run->decisionMessage(), u"use a tracepoint instead"_s);
    }

    void editInline()
    {
        Rig rig;
        rig.approver->start();
        Run *run = rig.submit(Script);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        rig.type("i\n");
        QTRY_VERIFY(rig.shows("end with a line holding only"));
        rig.type("BEGIN {\n  printf(\"edited\\n\");\n  exit();\n}\n.\n");
        QTRY_VERIFY(rig.shows("Run the edited script?"));
        QVERIFY(rig.shows("Edited script:"));
        QCOMPARE(run->state(), RunState::PendingApproval);
        rig.type("y\n");
        QTRY_COMPARE(run->decision(), Decision::ApprovedEdited);
        QCOMPARE(run->script(), u"BEGIN {\n  printf(\"edited\\n\");\n  exit();\n}\n"_s);
        QCOMPARE(run->originalScript(), QString(Script));
        QVERIFY(run->scriptEdited());
    }

    void editWithEditor()
    {
        Rig rig;
        // $EDITOR with arguments, as people set it; sed stands in for a person editing the file.
        rig.approver->setEditor(u"sed -i s/hi/from-editor/"_s);
        rig.approver->start();
        Run *run = rig.submit(Script);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        rig.type("e\n");
        QTRY_VERIFY(rig.shows("Run the edited script?"));
        rig.type("y\n");
        QTRY_COMPARE(run->decision(), Decision::ApprovedEdited);
        QVERIFY(run->script().contains(u"from-editor"_s));
    }

    void editorFailsLeavesRequestUnchanged()
    {
        Rig rig;
        rig.approver->setEditor(u"false"_s);
        rig.approver->start();
        Run *run = rig.submit(Script);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        rig.type("e\n");
        QTRY_VERIFY(rig.shows("the request is unchanged"));
        QCOMPARE(run->state(), RunState::PendingApproval);
        QTRY_COMPARE(rig.count(Prompt.toByteArray()), 2);
        rig.type("d\n\n");
        QTRY_COMPARE(run->state(), RunState::Denied);
    }

    void queuedInOrderAndTypedAhead()
    {
        Rig rig;
        rig.approver->start();
        Run *first = rig.submit(Script, u"first"_s);
        Run *second = rig.submit(u"BEGIN { exit(); }\n"_s, u"second"_s);
        Run *third = rig.submit(u"BEGIN { printf(\"3\\n\"); exit(); }\n"_s, u"third"_s);
        QTRY_VERIFY(rig.shows("Reason: first"));
        QVERIFY(!rig.shows("Reason: second"));
        QTRY_COMPARE(rig.approver->queuedCount(), 2);
        // Three answers in one write, as from a pipe or typed ahead.
        rig.type("a\nd\nnot this one\nd\n\n");
        QTRY_COMPARE(third->state(), RunState::Denied);
        QCOMPARE(first->decision(), Decision::Approved);
        QCOMPARE(second->decision(), Decision::Denied);
        QCOMPARE(second->decisionMessage(), u"not this one"_s);
        QVERIFY(rig.read().indexOf("Reason: second") < rig.read().indexOf("Reason: third"));
    }

    void expiresWhileShown()
    {
        Rig rig;
        rig.engine->setApprovalTimeoutSeconds(1);
        rig.approver->start();
        Run *run = rig.submit(Script, u"too slow"_s);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        // The timeout applies to requests queued from then on: the next one's deadline falls
        // seconds after the first one's, so a late timer on a loaded machine cannot expire both
        // at once.
        rig.engine->setApprovalTimeoutSeconds(4);
        Run *next = rig.submit(u"BEGIN { exit(); }\n"_s, u"next one"_s);
        QVERIFY(
            rig.engine->approvals()->expiresAt(next->id()) >= rig.engine->approvals()->expiresAt(run->id()).addSecs(3));
        QTRY_VERIFY_WITH_TIMEOUT(rig.shows("expired before a decision"), 10000);
        QCOMPARE(run->state(), RunState::Expired);
        QCOMPARE(next->state(), RunState::PendingApproval);
        // The prompt moves on to the queued request, which then runs out of time in turn.
        QTRY_VERIFY(rig.shows("Reason: next one"));
        QTRY_COMPARE_WITH_TIMEOUT(rig.count("expired before a decision"), 2, 15000);
        QCOMPARE(next->state(), RunState::Expired);
        // An answer typed after both expired approves nothing.
        rig.type("a\n");
        QTRY_VERIFY(rig.shows("No request is waiting."));
        QCOMPARE(next->decision(), Decision::Expired);
    }

    void decidedElsewhere()
    {
        Rig rig;
        rig.approver->start();
        Run *run = rig.submit(Script);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        QVERIFY(rig.engine->approvals()->deny(run->id(), u"from the window"_s));
        QTRY_VERIFY(rig.shows("was settled elsewhere"));
        QVERIFY(rig.approver->currentRunId().isEmpty());
    }

    void showsRequestsPendingBeforeStart()
    {
        Rig rig;
        Run *run = rig.submit(Script, u"early"_s);
        rig.approver->start();
        QTRY_VERIFY(rig.shows("Reason: early"));
        rig.type("s\n");
        QTRY_COMPARE(run->decision(), Decision::Approved);
        // The same script from the same client is now approved without asking.
        Run *again = rig.submit(Script, u"again"_s);
        QTRY_COMPARE(again->decision(), Decision::ApprovedForSession);
    }

    void inputClosed()
    {
        Rig rig;
        QSignalSpy closed(rig.approver.get(), &TerminalApprover::inputClosed);
        rig.approver->start();
        ::close(rig.input[1]);
        rig.input[1] = -1;
        QVERIFY(closed.wait(3000));
    }
};

QTEST_GUILESS_MAIN(TestTerminalApprover)
#include "tst_terminalapprover.moc"
