// SPDX-License-Identifier: GPL-2.0-or-later
// The headless terminal prompt, driven through pipes and through a real pseudo-terminal against a
// real engine's approval queue (the fake bpftrace of the window's tests checks the scripts).
#include "../engine/runtestutil.h"
#include "app/terminalapprover.h"
#include "engine/engine.h"
#include "engine/targets/targetregistry.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
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

        // pty: the approver reads and writes the terminal side of a pseudo-terminal, as it does
        // at a real terminal; the test is the terminal emulator on the other side.
        explicit Rig(bool pty = false, const std::function<void(EngineConfig &)> &configure = {})
        {
            EngineConfig config;
            config.stateDirectory = dir.filePath(u"state"_s);
            config.cacheDirectory = dir.filePath(u"cache"_s);
            config.loadHistory = false;
            config.approvalPolicy = ApprovalPolicy::Ask;
            config.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/ui/fakes/fake-bpftrace");
            config.privilege = PrivilegeMode::Direct;
            if (configure)
                configure(config);
            engine = std::make_unique<Engine>(config);
            if (pty) {
                int master = -1;
                int slave = -1;
                if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
                    qFatal("openpty failed");
                // Line editing as at a terminal, but the bytes the approver writes arrive as they
                // are (no \n -> \r\n) and what the test types is not echoed into the screen.
                termios mode {};
                ::tcgetattr(slave, &mode);
                mode.c_oflag &= ~tcflag_t(OPOST);
                mode.c_lflag &= ~tcflag_t(ECHO);
                ::tcsetattr(slave, TCSANOW, &mode);
                ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
                ::fcntl(master, F_SETFD, FD_CLOEXEC);
                ::fcntl(slave, F_SETFD, FD_CLOEXEC);
                input[0] = slave;
                input[1] = master;
                output[0] = ::dup(master);
                ::fcntl(output[0], F_SETFD, FD_CLOEXEC);
                approver = std::make_unique<TerminalApprover>(engine->approvals(), slave, slave);
            } else {
                if (::pipe2(input, O_CLOEXEC) != 0 || ::pipe2(output, O_CLOEXEC | O_NONBLOCK) != 0)
                    qFatal("pipe2 failed");
                approver = std::make_unique<TerminalApprover>(engine->approvals(), input[0], output[1]);
            }
            approver->setEditor({});
            // Most tests answer as soon as the prompt shows; the arm delay has its own tests.
            approver->setArmDelayMs(0);
        }
        ~Rig()
        {
            approver.reset();
            engine.reset();
            for (int fd : { input[0], input[1], output[0], output[1] })
                if (fd >= 0)
                    ::close(fd);
        }
        Run *submit(const QString &script, const QString &reason = u"test"_s,
            const ClientInfo &client = ClientInfo { u"Probe Client"_s, u"1.2"_s, u"socket"_s, u"s-1"_s },
            const QStringList &targets = {})
        {
            RunRequest request;
            request.script = script;
            request.reason = reason;
            request.client = client;
            request.targets = targets;
            request.timeoutSeconds = 5;
            QString error;
            Run *run = engine->runs()->submitClientRun(request, &error);
            if (!run)
                qWarning() << error;
            return run;
        }
        // Approving waits for bpftrace's check: tests that approve at once submit through this.
        Run *submitChecked(const QString &script, const QString &reason = u"test"_s)
        {
            Run *run = submit(script, reason);
            if (run && !QTest::qWaitFor([run] { return run->analysis().complete; }, 10000))
                qWarning() << "bpftrace's check did not finish";
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
        Run *run = rig.submitChecked(Script, u"check the printf path"_s);
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
        QVERIFY(rig.shows("Approved " + run->id().toUtf8() + " from Probe Client 1.2."));
        QVERIFY(rig.approver->currentRunId().isEmpty());
    }

    // The risk to decide on is bpftrace's: an approval typed while it still checks decides nothing.
    void approveWaitsForBpftracesCheck()
    {
        Rig rig;
        rig.approver->start();
        Run *run = rig.submit(u"BEGIN { printf(\"fake:slowcheck\"); exit(); }\n"_s);
        QVERIFY(run);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        QVERIFY(!run->analysis().complete);
        rig.type("a\n");
        QTRY_VERIFY(rig.shows("bpftrace is still checking request " + run->id().toUtf8()));
        QCOMPARE(run->decision(), Decision::Pending);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        rig.type("a\n");
        QTRY_COMPARE(run->decision(), Decision::Approved);
    }

    // The target goes while the request is on show: an approval is refused with the reason,
    // and the prompt then offers only what can still be done.
    /// An engine configuration with one target, db1, over the fake ssh in `dir`.
    static std::function<void(EngineConfig &)> withTarget(const QString &dir)
    {
        return [dir](EngineConfig &config) {
            config.targetOptions = fakeSshOptions(dir);
            Target db1 = *Target::parseWithName(u"db1=ssh://root@db1"_s);
            db1.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/ui/fakes/fake-bpftrace");
            db1.privilege = RemotePrivilege::Login;
            config.targets = { db1 };
        };
    }

    /// Starts the prompt and a request on db1, checked and on screen; null when it did not get there.
    static Run *submitShownOnDb1(Rig &rig)
    {
        rig.approver->start();
        Run *run = rig.submit(
            Script, u"test"_s, ClientInfo { u"Probe Client"_s, u"1.2"_s, u"socket"_s, u"s-1"_s }, { u"db1"_s });
        if (!run || !QTest::qWaitFor([run] { return run->analysis().complete; }, 10000)
            || !QTest::qWaitFor([&rig] { return rig.shows(Prompt.toByteArray()); }, 5000))
            return nullptr;
        return run;
    }

    void removedTargetCanOnlyBeDenied()
    {
        QTemporaryDir ssh;
        Rig rig(false, withTarget(ssh.path()));
        Run *run = submitShownOnDb1(rig);
        QVERIFY(run);
        // Said at once, while the prompt waits, with only the denial on offer.
        QVERIFY(rig.engine->targets()->removeTarget(u"db1"_s));
        QTRY_VERIFY(rig.shows("The targets changed while request " + run->id().toUtf8()
            + " was shown.\nTarget 'db1' was removed after the client asked"));
        QTRY_VERIFY(rig.shows("the client can ask again on targets that exist.\n[d]eny, [v]iew again > "));
        for (const QByteArray &answer :
            { QByteArray("a\n"), QByteArray("s\n"), QByteArray("e\n"), QByteArray("i\n") }) {
            const int before = rig.count("Only a denial is possible for request " + run->id().toUtf8());
            rig.type(answer);
            QTRY_COMPARE(rig.count("Only a denial is possible for request " + run->id().toUtf8()), before + 1);
        }
        QCOMPARE(run->state(), RunState::PendingApproval);
        // Said once: a later change of the targets does not say it again.
        const int notices = rig.count("The targets changed while request");
        QVERIFY(rig.engine->targets()->addTarget(*Target::parseWithName(u"db9=ssh://root@db9"_s)));
        QTest::qWait(100);
        QCOMPARE(rig.count("The targets changed while request"), notices);
        rig.type("d\n");
        QTRY_VERIFY(rig.shows("Message for the client"));
        rig.type("\n");
        QTRY_COMPARE(run->decision(), Decision::Denied);
    }

    // The target goes while the person types an edit: the edit is not offered to run.
    void removedTargetDropsTheEdit()
    {
        QTemporaryDir ssh;
        Rig rig(false, withTarget(ssh.path()));
        Run *run = submitShownOnDb1(rig);
        QVERIFY(run);
        rig.type("i\n");
        QTRY_VERIFY(rig.shows("Type the new script"));
        rig.type("BEGIN { exit(); }\n");
        QVERIFY(rig.engine->targets()->removeTarget(u"db1"_s));
        rig.type(".\n");
        QTRY_VERIFY(rig.shows("The edit is dropped: request " + run->id().toUtf8() + " can only be denied now."));
        QVERIFY(!rig.shows("Edited script:"));
        QTRY_VERIFY(rig.shows("[d]eny, [v]iew again > "));
        QCOMPARE(run->state(), RunState::PendingApproval);
        QCOMPARE(run->script(), QString(Script));
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
        // The full analysis re-prompts when it arrives; let it, so the count below is the editor's.
        QTRY_VERIFY_WITH_TIMEOUT(rig.shows("Analysis updated"), 10000);
        QTRY_COMPARE(rig.count(Prompt.toByteArray()), 2);
        rig.type("e\n");
        QTRY_VERIFY(rig.shows("the request is unchanged"));
        QCOMPARE(run->state(), RunState::PendingApproval);
        QTRY_COMPARE(rig.count(Prompt.toByteArray()), 3);
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
        // Answers for the first request (deny, then its message) may come in one write.
        rig.type("d\nnot this one\n");
        QTRY_COMPARE(first->state(), RunState::Denied);
        QCOMPARE(first->decisionMessage(), u"not this one"_s);
        QTRY_VERIFY(rig.shows("Reason: second"));
        // Typed ahead past a decision, the rest was meant for a request nobody had seen yet: the
        // second request is shown and the lines behind the first answer are thrown away.
        QTRY_VERIFY_WITH_TIMEOUT(second->analysis().complete, 10000); // approving waits for the check
        rig.type("a\na\nd\n\n");
        QTRY_COMPARE(second->decision(), Decision::Approved);
        QTRY_VERIFY(rig.shows("Reason: third"));
        QTRY_VERIFY(rig.shows("(Discarded input typed before this request was shown.)"));
        QTest::qWait(200);
        QCOMPARE(third->state(), RunState::PendingApproval);
        QVERIFY(rig.read().indexOf("Reason: second") < rig.read().indexOf("Reason: third"));
        rig.type("d\n\n");
        QTRY_COMPARE(third->state(), RunState::Denied);
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
        // "for the session" is offered once bpftrace's check is in.
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete && run->analysis().checked, 10000);
        QTRY_VERIFY(rig.shows("approve for this [s]ession"));
        rig.type("s\n");
        QTRY_COMPARE(run->decision(), Decision::Approved);
        // The same script from the same client is now approved without asking.
        Run *again = rig.submit(Script, u"again"_s);
        QTRY_COMPARE(again->decision(), Decision::ApprovedForSession);
    }

    // A hostile client's name, version, reason and script reach a real terminal inert: no ESC, no
    // CR, no bidi override, only their escapes; script lines keep their breaks and indentation
    // behind the prompt's own prefix.
    void hostileTextThroughAPty()
    {
        Rig rig(true);
        rig.approver->start();
        const QString esc = u"\x1b"_s;
        const ClientInfo client { u"Evil"_s + esc + u"[1A"_s + esc + u"[2KClient"_s, u"6.6\u202e"_s, u"socket"_s,
            u"s-9"_s };
        const QString reason = u"harmless\r"_s + esc + u"[2KRisk: LOW\u202e"_s + esc + u"[8m concealed"_s;
        const QString script = u"BEGIN {\n\tprintf(\"hi\");\r"_s + esc + u"[1A"_s + esc + u"[2K\n"_s + esc
            + u"[8m  system(\"id\"); // \u2066\u202e\n}\n"_s;
        Run *run = rig.submit(script, reason, client);
        QVERIFY(run);
        QTRY_VERIFY(rig.shows("HIGH RISK") || rig.shows(Prompt.toByteArray()));
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        rig.type("v\n");
        QTRY_COMPARE(rig.count("=== Request"), 2);
        const QByteArray screen = rig.read();
        QVERIFY2(!screen.contains('\x1b'), screen.constData());
        QVERIFY2(!screen.contains('\r'), screen.constData());
        for (const char *bidi : { "\u202e", "\u2066" })
            QVERIFY2(!screen.contains(QString::fromUtf8(bidi).toUtf8()), screen.constData());
        QVERIFY(screen.contains("from Evil\\x1b[1A\\x1b[2KClient 6.6\\u202e"));
        QVERIFY(screen.contains("Reason: harmless\\x0d\\x1b[2KRisk: LOW\\u202e\\x1b[8m concealed\n"));
        // The script: each line behind "  N | ", its tab kept, its controls escaped.
        QVERIFY(screen.contains("  1 | BEGIN {\n"));
        QVERIFY(screen.contains("  2 | \tprintf(\"hi\");\\x0d\\x1b[1A\\x1b[2K\n"));
        QVERIFY(screen.contains("  3 | \\x1b[8m  system(\"id\"); // \\u2066\\u202e\n"));
        QVERIFY(screen.contains("  4 | }\n"));
        QCOMPARE(run->state(), RunState::PendingApproval);
    }

    // High risk: one letter does not approve it, the session allow is neither offered nor taken,
    // and "approve high" typed in full does.
    void highRiskNeedsTheFullAnswer()
    {
        Rig rig(true);
        rig.approver->start();
        Run *run = rig.submitChecked(u"BEGIN { system(\"id\"); exit(); }\n"_s, u"run id"_s);
        QTRY_VERIFY(rig.shows("HIGH RISK: type \"approve high\" in full to approve " + run->id().toUtf8()));
        QVERIFY(!rig.shows("[s]ession"));
        rig.type("a\n");
        QTRY_VERIFY(rig.shows("is high risk: type \"approve high\" in full"));
        rig.type("s\n");
        QTRY_VERIFY(rig.shows("Not allowed for the session: A high-risk program"));
        rig.type("approve\n");
        QTRY_COMPARE(rig.count("is high risk: type"), 2);
        QCOMPARE(run->state(), RunState::PendingApproval);
        rig.type("approve high\n");
        QTRY_COMPARE(run->decision(), Decision::Approved);
        QVERIFY(rig.shows("Approved " + run->id().toUtf8()));
    }

    // An edit takes the same second step as the window's: editing a high-risk request, or
    // writing a high-risk edit into a low-risk one, is not run on "y".
    void editOfHighRiskNeedsTheFullAnswer_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QByteArray>("edit");
        QTest::newRow("edit of a high-risk request")
            << u"BEGIN { system(\"id\"); exit(); }\n"_s << QByteArray("BEGIN { system(\"true\"); exit(); }\n.\n");
        QTest::newRow("edit that is itself high risk")
            << QString(Script) << QByteArray("BEGIN {\n  system(\"id\");\n  exit();\n}\n.\n");
    }
    void editOfHighRiskNeedsTheFullAnswer()
    {
        QFETCH(QString, script);
        QFETCH(QByteArray, edit);
        Rig rig(true);
        rig.approver->start();
        Run *run = rig.submitChecked(script, u"edit me"_s);
        QTRY_VERIFY(rig.shows("> "));
        rig.type("i\n");
        QTRY_VERIFY(rig.shows("end with a line holding only"));
        rig.type(edit);
        QTRY_VERIFY(
            rig.shows("HIGH RISK: type \"approve high\" in full to run the edited script of " + run->id().toUtf8()));
        rig.type("y\n");
        QTRY_VERIFY(rig.shows("is high risk or edits a high-risk request"));
        QCOMPARE(run->state(), RunState::PendingApproval);
        rig.type("approve high\n");
        QTRY_COMPARE(run->decision(), Decision::ApprovedEdited);
    }

    // A half-typed answer at the terminal when the shown request is withdrawn is flushed: its
    // Enter never lands on the next request.
    void halfTypedAnswerIsFlushedWhenTheRequestChanges()
    {
        Rig rig(true);
        rig.approver->start();
        Run *first = rig.submit(Script, u"first"_s);
        Run *second = rig.submit(u"BEGIN { exit(); }\n"_s, u"second"_s);
        QTRY_VERIFY(rig.shows("Reason: first"));
        rig.type("a");
        QTest::qWait(100);
        QVERIFY(rig.engine->runs()->stop(first->id())); // a client withdraws it
        QTRY_VERIFY(rig.shows("Reason: second"));
        QTRY_COMPARE(rig.approver->currentRunId(), second->id());
        rig.type("\n");
        QTest::qWait(300);
        QCOMPARE(second->state(), RunState::PendingApproval);
        QCOMPARE(second->decision(), Decision::Pending);
        rig.type("d\n\n");
        QTRY_COMPARE(second->state(), RunState::Denied);
    }

    // An answer that names a request decides only that one.
    void answerNamingAnotherRequestDecidesNothing()
    {
        Rig rig;
        rig.approver->start();
        Run *run = rig.submitChecked(Script, u"first"_s);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        rig.type("a run-0000\n");
        QTRY_VERIFY(rig.shows("That answer names run-0000, but the request shown is " + run->id().toUtf8()));
        QCOMPARE(run->state(), RunState::PendingApproval);
        rig.type("a " + run->id().toUtf8() + "\n");
        QTRY_COMPARE(run->decision(), Decision::Approved);
    }

    // Right after a request is shown, an answer is refused: it was typed for what was there before.
    void answerTooSoonIsIgnored()
    {
        Rig rig(true);
        rig.approver->setArmDelayMs(800);
        rig.approver->start();
        Run *run = rig.submit(Script, u"first"_s);
        QTRY_VERIFY(rig.shows(Prompt.toByteArray()));
        rig.type("a\n");
        QTRY_VERIFY(rig.shows("Ignored \"a\": it came right as request " + run->id().toUtf8()));
        QCOMPARE(run->state(), RunState::PendingApproval);
        QTest::qWait(900);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000); // approving waits for the check
        rig.type("a\n");
        QTRY_COMPARE(run->decision(), Decision::Approved);
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
