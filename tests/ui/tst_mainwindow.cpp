// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/approvalpanel.h"
#include "ui/mainwindow.h"
#include "ui/mapsview.h"
#include "ui/probebrowser.h"
#include "ui/probetreemodel.h"
#include "ui/runspanel.h"
#include "ui/runview.h"
#include "ui/scripteditor.h"

#include <QAction>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        useTestPaths();
        QCoreApplication::setOrganizationName(u"tracedesk-test"_s);
        QCoreApplication::setApplicationName(u"tst_mainwindow"_s);
        QSettings().clear();
    }

    void statusBarAndMenus()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        engine->start();
        QVERIFY(window.statusSummary().contains(engine->privilege().description()));
        QVERIFY(window.statusSummary().contains(u"MCP: off"_s));
        QTRY_VERIFY_WITH_TIMEOUT(window.statusSummary().contains(u"bpftrace 0.23.2"_s), 10000);
        QCOMPARE(window.runAction()->shortcut(), QKeySequence(u"Ctrl+R"_s));
        QVERIFY(!window.stopAction()->shortcut().isEmpty());
        QVERIFY(!window.examplesMenu()->actions().isEmpty());
        // The probe browser fills from the catalog.
        QTRY_VERIFY_WITH_TIMEOUT(window.probeBrowser()->model()->rowCount() > 0, 10000);
    }

    void runFromTheEditor()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.editor()->setPlainText(u"BEGIN { printf(\"hi\\n\"); }"_s);
        window.runAction()->trigger();
        QCOMPARE(engine->runs()->runs().size(), 1);
        Run *run = engine->runs()->runs().first();
        QCOMPARE(window.runsPanel()->currentRun(), run);
        QCOMPARE(window.runView()->run(), run);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QTRY_VERIFY(window.runView()->mapsView()->isShowingOverview());

        // Stop stops the selected active run.
        window.editor()->setPlainText(u"interval:s:1 { } // fake:wait"_s);
        Run *waiting = window.runScript();
        QTRY_COMPARE_WITH_TIMEOUT(waiting->state(), RunState::Running, 10000);
        QVERIFY(window.stopAction()->isEnabled());
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(waiting->state(), RunState::Stopped, 10000);
    }

    void compileErrorsGoUnderTheText()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.editor()->setPlainText(u"BEGIN { fakefail(); } // fake:fail"_s);
        Run *run = window.runScript();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Failed, 10000);
        QTRY_VERIFY(!window.editor()->markers().isEmpty());
    }

    void editMenuAndTheErrorUnderTheText()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QMenu *edit = nullptr;
        for (QAction *action : window.menuBar()->actions()) {
            if (action->text() == u"&Edit")
                edit = action->menu();
        }
        QVERIFY(edit);
        QStringList texts;
        for (QAction *action : edit->actions()) {
            if (!action->isSeparator())
                texts.append(action->text().remove(u'&'));
        }
        for (const QString &expected : { u"Undo"_s, u"Redo"_s, u"Cut"_s, u"Copy"_s, u"Paste"_s, u"Select All"_s,
                 u"Find…"_s, u"Replace…"_s, u"Go to Line…"_s, u"Toggle Comment"_s })
            QVERIFY2(texts.contains(expected), qPrintable(texts.join(u", "_s)));

        // bpftrace's check finds an error: the line under the editor names it and its line.
        window.editor()->setPlainText(u"BEGIN { fakefail(); } // fake:fail\n\n"_s);
        window.editor()->analyzeNow();
        QLabel *status = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (QLabel *label : window.findChildren<QLabel *>()) {
                    if (label->text().contains(u"line 1: Unknown function: fakefail"_s))
                        status = label;
                }
                return status != nullptr;
            }(),
            10000);
        QVERIFY(window.editor()->statusLine().startsWith(u"line 1: Unknown function: fakefail · "_s));
        window.editor()->moveCursor(QTextCursor::End);
        Q_EMIT status->linkActivated(u"line:1:9"_s);
        QCOMPARE(window.editor()->textCursor().blockNumber(), 0);
        QCOMPARE(window.editor()->textCursor().positionInBlock(), 8);
    }

    void filesAndRecent()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        const QString path = engine.dir.path() + u"/opens.bt"_s;
        // Typed, not loaded: setPlainText() resets the modified flag like opening a file does.
        window.editor()->setPlainText(QString());
        window.editor()->insertPlainText(u"BEGIN { exit(); }\n"_s);
        QVERIFY(window.editor()->document()->isModified());
        QString error;
        QVERIFY2(window.saveFile(path, &error), qPrintable(error));
        QVERIFY(!window.editor()->document()->isModified());
        QVERIFY(window.windowTitle().startsWith(u"opens.bt"_s));
        QCOMPARE(window.recentFiles().first(), path);
        window.editor()->setPlainText(QString());
        QVERIFY(window.openFile(path, &error));
        QCOMPARE(window.editor()->toPlainText(), u"BEGIN { exit(); }\n"_s);
        QCOMPARE(window.currentFile(), path);
        QVERIFY(!window.openFile(engine.dir.path() + u"/missing.bt"_s, &error));
        QVERIFY(!error.isEmpty());
    }

    void examplesLoadIntoTheEditor()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        QMenu *category = window.examplesMenu()->actions().first()->menu();
        QVERIFY(category);
        category->actions().first()->trigger();
        QVERIFY(window.editor()->toPlainText().contains(u"//"_s));
        QVERIFY(window.editor()->document()->isModified());
        window.editor()->undo();
        QVERIFY(window.editor()->toPlainText().contains(u"raw_syscalls"_s)); // the starting script is back
    }

    void approvalRequestRaisesThePanel()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        window.endpointDock()->raise();
        RunRequest request;
        request.script = u"BEGIN { }"_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        Run *run = engine->runs()->submitClientRun(request);
        QVERIFY(run);
        QVERIFY(window.approvalDock()->isVisible());
        QCOMPARE(window.approvalPanel()->currentRun(), run);
        QCOMPARE(window.approvalDock()->windowTitle(), u"Approvals (1)"_s);
        QVERIFY(window.statusSummary().contains(u"1 request waiting"_s));
    }

    void requestFloodKeepsTheShownRequest()
    {
        // A client sending requests faster than the arm delay must not keep the person from
        // deciding: arrivals join the queue, the shown request and its armed buttons stay.
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        ApprovalPanel *panel = window.approvalPanel();
        panel->setArmDelayMs(300);
        RunRequest request;
        request.script = u"BEGIN { }"_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        Run *first = engine->runs()->submitClientRun(request);
        QVERIFY(first);
        QTRY_VERIFY(panel->approveButton()->isEnabled()); // armed once bpftrace's check is in
        QCOMPARE(panel->armedRunId(), first->id());
        // The queue list appearing moves the buttons, which re-arms them once.
        request.script = u"BEGIN { printf(\"x\"); }"_s;
        QVERIFY(engine->runs()->submitClientRun(request));
        QVERIFY(!panel->approveButton()->isEnabled());
        QTRY_VERIFY(panel->approveButton()->isEnabled());
        for (int i = 0; i < 5; ++i) {
            request.script = u"BEGIN { printf(\"%1\"); }"_s.arg(i);
            QVERIFY(engine->runs()->submitClientRun(request));
            QTest::qWait(100);
            QCOMPARE(panel->currentRun(), first);
            QVERIFY(panel->approveButton()->isEnabled());
            QCOMPARE(panel->armedRunId(), first->id());
        }
        QCOMPARE(window.approvalDock()->windowTitle(), u"Approvals (7)"_s);
    }

    void approveWaitsForBpftracesCheck()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        ApprovalPanel *panel = window.approvalPanel();
        panel->setArmDelayMs(0);
        RunRequest request;
        request.script = u"BEGIN { printf(\"fake:slowcheck\"); }"_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        Run *run = engine->runs()->submitClientRun(request);
        QVERIFY(run);
        QTest::qWait(300);
        QVERIFY(!run->analysis().complete);
        QVERIFY(!panel->approveButton()->isEnabled()); // the quick text rating is not the verdict
        QVERIFY(panel->denyButton()->isEnabled()); // denying never waits
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        QTRY_VERIFY(panel->approveButton()->isEnabled());
    }

    void probeInsertsSkeleton()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.editor()->setPlainText(QString());
        Q_EMIT window.probeBrowser()->insertRequested(u"kprobe:vfs_read"_s, u"kprobe:vfs_read\n{\n    \n}"_s);
        QCOMPARE(window.editor()->toPlainText(), u"kprobe:vfs_read\n{\n    \n}\n"_s);
    }

    void layoutIsRemembered()
    {
        FakeEngine engine;
        {
            MainWindow window(engine.get(), nullptr);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.endpointDock()->hide();
            window.saveLayout();
        }
        MainWindow again(engine.get(), nullptr);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        QVERIFY(again.endpointDock()->isHidden());
        again.endpointDock()->show();
        again.saveLayout();
        MainWindow third(engine.get(), nullptr);
        third.show();
        QVERIFY(!third.endpointDock()->isHidden());
        third.raiseAndActivate();
        QVERIFY(third.isVisible());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
