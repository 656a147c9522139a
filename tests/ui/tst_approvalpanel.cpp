// SPDX-License-Identifier: GPL-2.0-or-later
// The person approves, edits and denies AI requests by driving the panel's widgets.
#include "uitestsupport.h"

#include "ui/approvalpanel.h"
#include "ui/scripteditor.h"
#include "ui/statuscolors.h"

#include "engine/approvalqueue.h"
#include "engine/run.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace {
const QString script = u"tracepoint:syscalls:sys_enter_open* { @[comm] = count(); }"_s;

const QString highRisk = u"BEGIN { @n = count(); }\n\ninterval:s:1 { system(\"id\"); }\n"_s;

Run *submit(FakeEngine &engine, const QString &text = script, const QString &reason = u"see who opens files"_s,
    const ClientInfo &client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"session-1"_s })
{
    RunRequest request;
    request.script = text;
    request.reason = reason;
    request.client = client;
    request.timeoutSeconds = 5;
    QString error;
    Run *run = engine->runs()->submitClientRun(request, &error);
    if (!run)
        qWarning() << error;
    return run;
}
// Approving waits for bpftrace's check; tests that approve at once submit through this.
Run *submitChecked(FakeEngine &engine, const QString &text = script, const QString &reason = u"see who opens files"_s,
    const ClientInfo &client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"session-1"_s })
{
    Run *run = submit(engine, text, reason, client);
    if (run && !QTest::qWaitFor([run] { return run->analysis().complete; }, 10000))
        qWarning() << "bpftrace's check did not finish";
    return run;
}

// A client's request for the given targets (names or groups), as exec_program makes it.
RunRequest requestOn(const QStringList &targets, const QString &reason)
{
    RunRequest request;
    request.script = script;
    request.reason = reason;
    request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"session-1"_s };
    request.targets = targets;
    return request;
}

bool anyDecisionHasFocus(ApprovalPanel &panel)
{
    // The panel's focus child (what has the focus once its window is active).
    const QWidget *focus = panel.focusWidget();
    return focus == panel.approveButton() || focus == panel.editButton() || focus == panel.denyButton()
        || focus == panel.sessionButton() || focus == panel.confirmButton();
}

bool decisionsEnabled(ApprovalPanel &panel)
{
    return panel.approveButton()->isEnabled() && panel.editButton()->isEnabled() && panel.denyButton()->isEnabled();
}

bool decisionsDisabled(ApprovalPanel &panel)
{
    return !panel.approveButton()->isEnabled() && !panel.editButton()->isEnabled() && !panel.denyButton()->isEnabled()
        && !panel.sessionButton()->isEnabled();
}
} // namespace

class TestApprovalPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void showsTheRequestAndItsAnalysis()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.setArmDelayMs(0);
        panel.resize(700, 700);
        panel.show();
        QSignalSpy arrived(&panel, &ApprovalPanel::requestArrived);
        Run *run = submit(engine);
        QVERIFY(run);
        QCOMPARE(arrived.size(), 1);
        QCOMPARE(panel.pendingCount(), 1);
        QCOMPARE(panel.currentRun(), run);
        QCOMPARE(panel.scriptEditor()->toPlainText(), script);
        QVERIFY(panel.scriptEditor()->isReadOnly());
        QVERIFY(panel.countdownText().startsWith(u"Expires in 4:5"_s)
            || panel.countdownText().startsWith(u"Expires in 5:00"_s));
        QVERIFY(!panel.riskText().isEmpty());
        // The full analysis (the fake lists three probes) arrives and is shown, list included.
        QTRY_VERIFY_WITH_TIMEOUT(panel.analysisText().contains(u"Attaches to 3 probe"_s), 10000);
        QCOMPARE(panel.attachList()->count(), 3);
        QVERIFY(panel.attachList()->isHidden());
        panel.attachToggle()->click();
        QVERIFY(!panel.attachList()->isHidden());
    }

    void approveByClicking()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submitChecked(engine);
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Approved);
        QVERIFY(run->state() != RunState::PendingApproval);
        QCOMPARE(panel.pendingCount(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
    }

    void editAndApprove()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submitChecked(engine);
        QTest::mouseClick(panel.editButton(), Qt::LeftButton);
        QVERIFY(panel.isEditing());
        QVERIFY(!panel.scriptEditor()->isReadOnly());
        // A session permission covers the client's script, never an edit: not offered.
        QVERIFY(!panel.sessionButton()->isEnabled());
        QVERIFY(panel.sessionButton()->isHidden());
        panel.scriptEditor()->selectAll();
        const QString edited = u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s;
        QTest::keyClicks(panel.scriptEditor(), edited);
        QCOMPARE(panel.scriptEditor()->toPlainText(), edited);
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::ApprovedEdited);
        QCOMPARE(run->script(), edited);
        QCOMPARE(run->originalScript(), script);
        QVERIFY(run->scriptEdited());
    }

    // One keystroke is an edit: editing a high-risk script must not skip its second step.
    void editOfAHighRiskScriptNeedsTheSecondStep()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submitChecked(engine, highRisk, u"run id"_s);
        QCOMPARE(run->analysis().risk, RiskLevel::High);
        QTest::mouseClick(panel.editButton(), Qt::LeftButton);
        QVERIFY(panel.isEditing());
        panel.scriptEditor()->moveCursor(QTextCursor::End);
        QTest::keyClicks(panel.scriptEditor(), u" "_s);
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Pending);
        QVERIFY(!panel.confirmRow()->isHidden());
        QTest::keyClicks(panel.confirmEdit(), run->id());
        QTest::mouseClick(panel.confirmButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::ApprovedEdited);
        QCOMPARE(run->script(), highRisk + u" "_s);
    }

    void cancelEditRestoresTheScript()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submitChecked(engine);
        QTest::mouseClick(panel.editButton(), Qt::LeftButton);
        QTest::keyClicks(panel.scriptEditor(), u"// changed"_s);
        QTest::mouseClick(panel.editButton(), Qt::LeftButton); // Cancel edit
        QVERIFY(!panel.isEditing());
        QCOMPARE(panel.scriptEditor()->toPlainText(), script);
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Approved);
        QCOMPARE(run->script(), script);
    }

    void denyWithMessage()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submit(engine);
        QTest::keyClicks(panel.messageEdit(), u"too broad, trace openat only"_s);
        QTest::mouseClick(panel.denyButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Denied);
        QCOMPARE(run->state(), RunState::Denied);
        QCOMPARE(run->decisionMessage(), u"too broad, trace openat only"_s);
        QCOMPARE(panel.pendingCount(), 0);
    }

    void enterNeverApproves()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        Run *run = submitChecked(engine);
        for (QPushButton *button :
            { panel.approveButton(), panel.editButton(), panel.denyButton(), panel.sessionButton() }) {
            QVERIFY(!button->isDefault());
            QVERIFY(!button->autoDefault());
        }
        // Enter with the focus on Approve, on the message field, on the script: nothing decides.
        for (QWidget *target :
            { static_cast<QWidget *>(panel.approveButton()), static_cast<QWidget *>(panel.messageEdit()),
                static_cast<QWidget *>(panel.scriptEditor()), static_cast<QWidget *>(&panel) }) {
            target->setFocus();
            QTest::keyClick(target, Qt::Key_Return);
            QTest::keyClick(target, Qt::Key_Enter);
        }
        QTest::keyClicks(panel.messageEdit(), u"some words"_s);
        QTest::keyClick(panel.messageEdit(), Qt::Key_Return);
        QCOMPARE(run->state(), RunState::PendingApproval);
        QCOMPARE(run->decision(), Decision::Pending);
        QCOMPARE(panel.pendingCount(), 1);
        // Space on the focused button is the deliberate keyboard way.
        panel.approveButton()->setFocus();
        QTest::keyClick(panel.approveButton(), Qt::Key_Space);
        QCOMPARE(run->decision(), Decision::Approved);
    }

    void keyboardOrderAndMnemonics()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        submit(engine);
        QCOMPARE(panel.approveButton()->nextInFocusChain(), panel.editButton());
        QCOMPARE(panel.editButton()->nextInFocusChain(), panel.sessionButton());
        QCOMPARE(panel.sessionButton()->nextInFocusChain(), panel.messageEdit());
        QCOMPARE(panel.messageEdit()->nextInFocusChain(), panel.denyButton());
        QVERIFY(panel.approveButton()->text().contains(u"&A"_s));
        QVERIFY(panel.denyButton()->text().contains(u"&D"_s));
        QVERIFY(panel.editButton()->text().contains(u"&E"_s));
        QVERIFY(panel.sessionButton()->text().contains(u'&'));
    }

    void severalRequestsQueueAndSessionAllow()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        QSignalSpy count(&panel, &ApprovalPanel::pendingCountChanged);
        Run *first = submit(engine, script, u"first"_s);
        Run *second = submit(engine, u"BEGIN { printf(\"2\\n\"); }"_s, u"second"_s);
        Run *third = submit(engine, u"BEGIN { printf(\"3\\n\"); }"_s, u"third"_s);
        QCOMPARE(panel.pendingCount(), 3);
        QCOMPARE(panel.queueList()->count(), 3);
        QVERIFY(!panel.queueList()->isHidden());
        QCOMPARE(panel.currentRun(), first); // oldest first
        QCOMPARE(count.constLast().at(0).toInt(), 3);

        panel.queueList()->setCurrentRow(2);
        QCOMPARE(panel.currentRun(), third);
        QTest::mouseClick(panel.denyButton(), Qt::LeftButton);
        QCOMPARE(third->state(), RunState::Denied);
        QCOMPARE(panel.pendingCount(), 2);

        panel.selectRun(first);
        // "For the session" needs bpftrace's verdict first.
        QTRY_VERIFY_WITH_TIMEOUT(first->analysis().complete && first->analysis().checked, 10000);
        QVERIFY(panel.sessionButton()->isEnabled());
        QTest::mouseClick(panel.sessionButton(), Qt::LeftButton);
        QVERIFY(first->decision() == Decision::Approved || first->decision() == Decision::ApprovedForSession);
        QCOMPARE(panel.currentRun(), second);
        // The identical script from the same client is now allowed without asking.
        Run *again = submit(engine, script, u"again"_s);
        QCOMPARE(again->decision(), Decision::ApprovedForSession);
        QCOMPARE(panel.pendingCount(), 1);

        // Deciding something already decided reports the engine's error.
        QVERIFY(engine->approvals()->deny(second->id(), QString()));
        QCOMPARE(panel.pendingCount(), 0);
        QVERIFY(!panel.currentRun());
    }

    // A reason written as HTML and a name with a bidi override read as what they are.
    void clientTextIsPlainAndInert()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        const QString name = u"<i>Evil</i> \u202eedoC edualC"_s;
        Run *run = submitChecked(engine, u"BEGIN { printf(\"\u202e\u200b\x1b[2K\"); }\n"_s,
            u"<b>html</b> <img src=\"x\"> \u2066override\u2069"_s, { name, u"1"_s, u"socket"_s, u"s-2"_s });
        QVERIFY(run);
        const QList<QLabel *> labels = panel.findChildren<QLabel *>();
        for (QLabel *label : labels) {
            if (label->text().contains(u"html"_s) || label->text().contains(u"Evil"_s))
                QCOMPARE(label->textFormat(), Qt::PlainText);
        }
        QVERIFY(panel.reasonText().contains(u"<b>html</b> <img src=\"x\">"_s));
        QVERIFY(panel.reasonText().contains(u"\\u2066override\\u2069"_s));
        QVERIFY(panel.fromText().contains(u"<i>Evil</i> \\u202eedoC edualC"_s));
        for (const QString &text : { panel.reasonText(), panel.fromText(), panel.scriptEditor()->toPlainText(),
                 panel.queueList()->item(0)->text() }) {
            for (QChar hidden : { QChar(0x202e), QChar(0x2066), QChar(0x200b), QChar(0x1b) })
                QVERIFY2(!text.contains(hidden), qPrintable(text));
        }
        QCOMPARE(panel.scriptEditor()->toPlainText(), u"BEGIN { printf(\"\\u202e\\u200b\\x1b[2K\"); }\n"_s);
        // Approving the unchanged view approves the request as sent, not its escaped form.
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Approved);
        QVERIFY(!run->scriptEdited());
    }

    // When the request on show changes, the buttons are off for the arm delay and never keep focus.
    void reArmsWhenTheShownRequestChanges()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        Run *first = submit(engine, script, u"first"_s);
        QVERIFY(decisionsDisabled(panel));
        QVERIFY(panel.armedRunId().isEmpty());
        QTRY_VERIFY(decisionsEnabled(panel));
        QCOMPARE(panel.armedRunId(), first->id());
        Run *second = submit(engine, u"BEGIN { printf(\"2\\n\"); }"_s, u"second"_s);
        // The queue list appeared and pushed the buttons: re-armed too.
        QVERIFY(decisionsDisabled(panel));
        QTRY_VERIFY(decisionsEnabled(panel));
        QCOMPARE(panel.currentRun(), first);
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(first->decision(), Decision::Approved);
        // The next request shows with the buttons off, and nothing holds the focus for Space.
        QCOMPARE(panel.currentRun(), second);
        QVERIFY(decisionsDisabled(panel));
        QVERIFY(!anyDecisionHasFocus(panel));
        QTest::keyClick(&panel, Qt::Key_Space);
        QTest::keyClick(&panel, Qt::Key_Return);
        QCOMPARE(second->decision(), Decision::Pending);
        QTRY_VERIFY(decisionsEnabled(panel));
        QCOMPARE(panel.armedRunId(), second->id());
        QVERIFY(!anyDecisionHasFocus(panel));
        // Reached by the keyboard on purpose, Space still decides, and the focus moves off after.
        panel.denyButton()->setFocus();
        QTest::keyClick(panel.denyButton(), Qt::Key_Space);
        QCOMPARE(second->state(), RunState::Denied);
        QVERIFY(!anyDecisionHasFocus(panel));
    }

    // A client withdraws the request on show: a click meant for it never lands on the next one.
    void decisionForAWithdrawnRequestIsRefused()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(300);
        panel.show();
        Run *first = submit(engine, script, u"first"_s);
        Run *second = submit(engine, u"BEGIN { printf(\"2\\n\"); }"_s, u"second"_s);
        QTRY_VERIFY(decisionsEnabled(panel));
        QCOMPARE(panel.armedRunId(), first->id());
        QVERIFY(engine->runs()->stop(first->id()));
        QCOMPARE(panel.currentRun(), second);
        QVERIFY(decisionsDisabled(panel));
        // The click that was on its way (already past the button's enabled check).
        Q_EMIT panel.approveButton()->clicked(false);
        Q_EMIT panel.denyButton()->clicked(false);
        QCOMPARE(second->decision(), Decision::Pending);
        QVERIFY2(panel.errorText().contains(u"nothing was decided"_s), qPrintable(panel.errorText()));
        // The engine refuses a decision naming the withdrawn request.
        QString error;
        QVERIFY(!engine->approvals()->approve(first->id(), &error));
        QVERIFY(error.contains(u"not waiting"_s));
        QCOMPARE(second->decision(), Decision::Pending);
        QTRY_COMPARE(panel.armedRunId(), second->id());
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(second->decision(), Decision::Approved);
        QCOMPARE(first->decision(), Decision::Denied); // withdrawn, never approved
    }

    // High risk: a second step names the request; no "for the session".
    void highRiskNeedsASecondStep()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submitChecked(engine, highRisk, u"run id"_s);
        QCOMPARE(run->analysis().risk, RiskLevel::High);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        QVERIFY(panel.approveButton()->text().contains(u"high-risk"_s));
        QVERIFY(panel.sessionButton()->isHidden());
        QVERIFY(!panel.sessionButton()->isEnabled());
        QString error;
        QVERIFY(!engine->approvals()->approveForSession(run->id(), &error));
        QVERIFY(error.contains(u"high-risk"_s));
        QVERIFY(panel.confirmRow()->isHidden());
        const int minimumWidth = panel.minimumSizeHint().width();
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Pending);
        QVERIFY(!panel.confirmRow()->isHidden());
        // The second step wraps into the panel; it never widens the dock it sits in.
        QVERIFY2(panel.minimumSizeHint().width() <= minimumWidth,
            qPrintable(u"%1 > %2"_s.arg(panel.minimumSizeHint().width()).arg(minimumWidth)));
        QVERIFY(!panel.confirmButton()->isEnabled());
        QCOMPARE(panel.focusWidget(), panel.confirmEdit());
        QTest::keyClicks(panel.confirmEdit(), u"yes"_s);
        QVERIFY(!panel.confirmButton()->isEnabled());
        QTest::keyClick(panel.confirmEdit(), Qt::Key_Return);
        QCOMPARE(run->decision(), Decision::Pending);
        panel.confirmEdit()->clear();
        QTest::keyClicks(panel.confirmEdit(), run->id());
        QVERIFY(panel.confirmButton()->isEnabled());
        QTest::keyClick(panel.confirmEdit(), Qt::Key_Return); // Enter still decides nothing
        QCOMPARE(run->decision(), Decision::Pending);
        QTest::mouseClick(panel.confirmButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Approved);
        QVERIFY(!anyDecisionHasFocus(panel));
    }

    // A half-done second step does not carry over to another request.
    void secondStepResetsWhenTheRequestChanges()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        Run *first = submitChecked(engine, highRisk, u"first"_s);
        Run *second = submitChecked(engine, highRisk + u"// other\n"_s, u"second"_s);
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QTest::keyClicks(panel.confirmEdit(), first->id());
        QVERIFY(panel.confirmButton()->isEnabled());
        QVERIFY(engine->runs()->stop(first->id()));
        QCOMPARE(panel.currentRun(), second);
        QVERIFY(panel.confirmRow()->isHidden());
        QVERIFY(panel.confirmEdit()->text().isEmpty());
        Q_EMIT panel.confirmButton()->clicked(false);
        QCOMPARE(second->decision(), Decision::Pending);
    }

    void bannerFollowsTheRisk_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("risk");
        QTest::addColumn<int>("role");
        QTest::newRow("low") << u"BEGIN { @n = count(); exit(); }"_s << int(RiskLevel::Low)
                             << int(StatusColors::Role::Positive);
        QTest::newRow("medium") << u"profile:hz:500 { @[cpu] = count(); }"_s << int(RiskLevel::Medium)
                                << int(StatusColors::Role::Neutral);
        QTest::newRow("high") << highRisk << int(RiskLevel::High) << int(StatusColors::Role::Negative);
    }
    void bannerFollowsTheRisk()
    {
        QFETCH(QString, text);
        QFETCH(int, risk);
        QFETCH(int, role);
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submit(engine, text);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        QCOMPARE(int(run->analysis().risk), risk);
        QCOMPARE(int(panel.bannerRole()), role);
        const QString fill = StatusColors::fill(StatusColors::Role(role), panel.palette()).name();
        QVERIFY2(panel.banner()->styleSheet().contains(fill), qPrintable(panel.banner()->styleSheet()));
    }

    // The lines the findings point at are marked in the shown script, with the finding as tooltip.
    void flaggedLinesAreMarked()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.resize(700, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        Run *run = submit(engine, highRisk);
        QList<int> lines;
        for (const Finding &finding : run->analysis().findings) {
            if (finding.line > 0 && !lines.contains(finding.line))
                lines.append(finding.line);
        }
        QVERIFY(lines.contains(3)); // system() sits on line 3
        std::sort(lines.begin(), lines.end());
        QCOMPARE(panel.flaggedLines(), lines);
        const QTextDocument *document = panel.scriptEditor()->document();
        QCOMPARE(document->findBlockByNumber(2).blockFormat().background().color().rgb(),
            StatusColors::fill(StatusColors::Role::Negative, panel.palette()).rgb());
        QCOMPARE(document->findBlockByNumber(0).blockFormat().background().style(), Qt::NoBrush);
        bool marked = false;
        for (const Diagnostic &marker : panel.scriptEditor()->markers()) {
            if (marker.line == 3 && marker.message.contains(u"system"_s))
                marked = true;
        }
        QVERIFY(marked);
        // Hovering the line shows the finding.
        const QTextBlock block = document->findBlockByNumber(2);
        QTextCursor cursor(block);
        cursor.setPosition(block.position() + 15);
        const QPoint at = panel.scriptEditor()->cursorRect(cursor).center();
        QVERIFY(panel.scriptEditor()->markerToolTipAt(at).contains(u"system"_s));
    }

    // Without bpftrace's verdict the panel says so and offers no session allow.
    void notCheckedIsShown()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.setArmDelayMs(0);
        panel.show();
        Run *run = submit(engine, u"BEGIN { @n = count(); exit(); }"_s);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        QVERIFY(panel.uncheckedText().isEmpty());
        QVERIFY(panel.sessionButton()->isEnabled());
        ScriptAnalysis analysis = run->analysis();
        analysis.checked = false;
        analysis.uncheckedReason = u"bpftrace took too long to check the program"_s;
        run->setAnalysis(analysis);
        QCOMPARE(panel.uncheckedText(), u"Not checked by bpftrace: bpftrace took too long to check the program"_s);
        QVERIFY(!panel.sessionButton()->isEnabled());
        QVERIFY(panel.sessionButton()->toolTip().contains(u"Not checked"_s));
        QCOMPARE(panel.bannerRole(), StatusColors::Role::Neutral);
    }

    // A fleet request: the exact targets, each with what its own bpftrace found, and the worst risk.
    void fleetRequestListsEveryTarget()
    {
        QTemporaryDir dir;
        FakeEngine engine(300, [&dir](EngineConfig &config) {
            config.targetOptions = writeFakeSsh(dir.path());
            config.targets = { fakeSshTarget(u"db1=ssh://root@db1"_s), fakeSshTarget(u"db2=ssh://root@db2"_s) };
        });
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.setArmDelayMs(0);
        panel.resize(700, 700);
        panel.show();
        const RunRequest request = requestOn({ u"db1"_s, u"db2"_s }, u"who opens files on the databases"_s);
        QString error;
        Run *run = engine->runs()->submitClientRun(request, &error);
        QVERIFY2(run, qPrintable(error));
        QVERIFY(run->isFleet());
        QCOMPARE(panel.currentRun(), run);
        QVERIFY(panel.targetsText().startsWith(u"On 2 targets; one decision covers exactly these:"_s));
        // Each target's analysis arrives on its own and shows in its row (the fake lists three probes).
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        const QStringList rows = panel.targetsText().split(u'\n');
        QCOMPARE(rows.size(), 3);
        QVERIFY2(rows.at(1).startsWith(u"• db1: Attaches to 3 probes · "_s), qPrintable(rows.at(1)));
        QVERIFY2(rows.at(2).startsWith(u"• db2: Attaches to 3 probes · "_s), qPrintable(rows.at(2)));
        QVERIFY2(panel.analysisText().contains(u"Attaches to 6 probes"_s), qPrintable(panel.analysisText()));
        // One host's analysis changing changes what the person decides on: the buttons disarm
        // and re-arm after the delay, as for a re-rating of the script.
        QTRY_VERIFY(decisionsEnabled(panel));
        panel.setArmDelayMs(300);
        ScriptAnalysis changed = run->hostRun(u"db2"_s)->analysis();
        changed.attachCount = 7;
        changed.attachList.clear();
        run->hostRun(u"db2"_s)->setAnalysis(changed);
        QVERIFY(!panel.approveButton()->isEnabled());
        QVERIFY2(panel.targetsText().split(u'\n').at(2).startsWith(u"• db2: Attaches to 7 probes"_s),
            qPrintable(panel.targetsText()));
        panel.setArmDelayMs(0);
        // Approving covers both, and both run.
        QTRY_VERIFY(decisionsEnabled(panel));
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Approved);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 10000);
        QCOMPARE(run->hostRun(u"db1"_s)->decision(), Decision::Approved);
        QCOMPARE(run->hostRun(u"db2"_s)->decision(), Decision::Approved);
        // A plain request shows no target rows.
        Run *plain = submitChecked(engine);
        QVERIFY(plain);
        panel.selectRun(plain);
        QCOMPARE(panel.targetsText(), QString());
        // A target's row quotes what its analysis says of the script: client text, made inert.
        RunRequest hostile = request;
        hostile.script = u"#include </etc/\u202eh.txt>\nBEGIN { exit(); }\n"_s;
        Run *spoof = engine->runs()->submitClientRun(hostile, &error);
        QVERIFY2(spoof, qPrintable(error));
        panel.selectRun(spoof);
        QTRY_VERIFY_WITH_TIMEOUT(spoof->analysis().complete, 10000);
        QTRY_VERIFY2(panel.targetsText().contains(u"\\u202e"_s), qPrintable(panel.targetsText()));
        QVERIFY(!panel.targetsText().contains(QChar(0x202e)));
        QVERIFY(!panel.analysisText().contains(QChar(0x202e)));
    }

    // The target goes while the request is on show: the panel says why it can no longer run and
    // leaves only Deny, even once the same name is added back (it may be another machine); an
    // edit already open can still be cancelled.
    void removedTargetLeavesOnlyDeny()
    {
        QTemporaryDir dir;
        FakeEngine engine(300, [&dir](EngineConfig &config) {
            config.targetOptions = writeFakeSsh(dir.path());
            config.targets = { fakeSshTarget(u"db1=ssh://root@db1"_s) };
        });
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.setArmDelayMs(0);
        panel.resize(700, 700);
        panel.show();
        QString error;
        Run *run = engine->runs()->submitClientRun(requestOn({ u"db1"_s }, u"who opens files on db1"_s), &error);
        QVERIFY2(run, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        QTRY_VERIFY(decisionsEnabled(panel));
        QCOMPARE(panel.noTargetText(), QString());
        const Target db1 = *engine->targets()->find(u"db1"_s);
        panel.editButton()->click();
        QVERIFY(panel.isEditing());

        QVERIFY(engine->targets()->removeTarget(u"db1"_s));
        QVERIFY2(panel.noTargetText().startsWith(u"Target 'db1' was removed after the client asked"_s),
            qPrintable(panel.noTargetText()));
        QVERIFY(!panel.approveButton()->isEnabled());
        QVERIFY(!panel.sessionButton()->isEnabled());
        QTRY_VERIFY(panel.denyButton()->isEnabled());
        // The open edit can be cancelled, and then there is nothing to approve with.
        QVERIFY(panel.editButton()->isEnabled());
        panel.editButton()->click();
        QVERIFY(!panel.isEditing());
        QVERIFY(!panel.editButton()->isEnabled());
        QVERIFY(!panel.approveButton()->isEnabled());
        // A click on the disabled button decides nothing; the request is still there.
        QTest::mouseClick(panel.approveButton(), Qt::LeftButton);
        QCOMPARE(run->state(), RunState::PendingApproval);

        QVERIFY(engine->targets()->addTarget(db1));
        QVERIFY(!panel.noTargetText().isEmpty());
        QVERIFY(!panel.approveButton()->isEnabled());
        QTest::mouseClick(panel.denyButton(), Qt::LeftButton);
        QCOMPARE(run->decision(), Decision::Denied);
        QCOMPARE(panel.pendingCount(), 0);
    }
};

QTEST_MAIN(TestApprovalPanel)
#include "tst_approvalpanel.moc"
