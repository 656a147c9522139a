// SPDX-License-Identifier: GPL-2.0-or-later
// The person approves, edits and denies AI requests by driving the panel's widgets.
#include "uitestsupport.h"

#include "ui/approvalpanel.h"
#include "ui/scripteditor.h"

#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace {
const QString script = u"tracepoint:syscalls:sys_enter_open* { @[comm] = count(); }"_s;

Run *submit(FakeEngine &engine, const QString &text = script, const QString &reason = u"see who opens files"_s)
{
    RunRequest request;
    request.script = text;
    request.reason = reason;
    request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"session-1"_s };
    request.timeoutSeconds = 5;
    QString error;
    Run *run = engine->runs()->submitClientRun(request, &error);
    if (!run)
        qWarning() << error;
    return run;
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
        panel.show();
        Run *run = submit(engine);
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
        panel.show();
        Run *run = submit(engine);
        QTest::mouseClick(panel.editButton(), Qt::LeftButton);
        QVERIFY(panel.isEditing());
        QVERIFY(!panel.scriptEditor()->isReadOnly());
        QVERIFY(!panel.sessionButton()->isEnabled());
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

    void cancelEditRestoresTheScript()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals());
        panel.show();
        Run *run = submit(engine);
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
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        Run *run = submit(engine);
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
};

QTEST_MAIN(TestApprovalPanel)
#include "tst_approvalpanel.moc"
