// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/approvalpanel.h"
#include "ui/fleetmapsview.h"
#include "ui/mainwindow.h"
#include "ui/mapsview.h"
#include "ui/probebrowser.h"
#include "ui/probetreemodel.h"
#include "ui/runspanel.h"
#include "ui/runview.h"
#include "ui/scripteditor.h"
#include "ui/targetselector.h"
#include "ui/targetspanel.h"
#include "ui/targettablemodel.h"

#include "ui/runlistmodel.h"

#include "engine/results/fleetresults.h"
#include "engine/targets/targetregistry.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace {
QAction *fileAction(MainWindow &window, const QString &text)
{
    const QList<QAction *> actions = window.menuBar()->actions().first()->menu()->actions();
    for (QAction *action : actions) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

void typeText(MainWindow &window, const QString &text)
{
    window.editor()->setPlainText(QString());
    window.editor()->insertPlainText(text); // typed: modified, unlike setPlainText()
}

void answer(MainWindow &window, QMessageBox::StandardButton button)
{
    QMessageBox *box = window.pendingQuestion();
    QVERIFY(box);
    QVERIFY(box->button(QMessageBox::Save));
    QVERIFY(box->button(QMessageBox::Discard));
    QVERIFY(box->button(QMessageBox::Cancel));
    box->button(button)->click();
    QTRY_VERIFY(!window.pendingQuestion());
}

QJsonObject readRecovery(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

/// Every visible header section of the window's tables and trees is at least as wide as its
/// text; the names of those that are not.
QStringList truncatedHeaders(const QWidget &window)
{
    QStringList truncated;
    const QList<QHeaderView *> headers = window.findChildren<QHeaderView *>();
    for (const QHeaderView *header : headers) {
        // Tabs behind another are moved off the window rather than hidden.
        if (!header->isVisible() || header->visibleRegion().isEmpty() || header->orientation() != Qt::Horizontal
            || !header->model())
            continue;
        const int margin = header->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header);
        for (int section = 0; section < header->count(); ++section) {
            if (header->isSectionHidden(section))
                continue;
            const QString text = header->model()->headerData(section, Qt::Horizontal).toString();
            const int needed = header->fontMetrics().horizontalAdvance(text) + 2 * margin;
            if (header->sectionSize(section) < needed)
                truncated.append(u"%1/%2 (%3 < %4)"_s
                        .arg(QString::fromLatin1(header->parentWidget()->parentWidget()->metaObject()->className()),
                            text)
                        .arg(header->sectionSize(section))
                        .arg(needed));
        }
    }
    return truncated;
}

// db1 and db2 over a fake ssh that runs the fake bpftrace here, and the group db of both.
std::function<void(EngineConfig &)> twoFakeSshTargets(const QString &dir)
{
    return [dir](EngineConfig &config) {
        config.targetOptions = writeFakeSsh(dir);
        config.targets = { fakeSshTarget(u"db1=ssh://root@db1"_s), fakeSshTarget(u"db2=ssh://root@db2"_s) };
        config.targetGroups = { { u"db"_s, { u"db1"_s, u"db2"_s } } };
    };
}
} // namespace

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
        QStringList categories;
        for (const QAction *action : window.examplesMenu()->actions())
            categories.append(action->text());
        QVERIFY2(categories.contains(u"CPU"_s), qPrintable(categories.join(u", "_s))); // not "Cpu"
        QVERIFY(categories.contains(u"Syscalls"_s));
        // The toolbar: Run, where it runs, Stop, Open, Save and the examples.
        QStringList tools;
        for (const QAction *action : window.mainToolBar()->actions()) {
            if (!action->isSeparator())
                tools.append(action->text());
        }
        QCOMPARE(tools.size(), 6);
        QCOMPARE(window.mainToolBar()->actions().indexOf(window.runAction()), 0);
        QCOMPARE(window.mainToolBar()->widgetForAction(window.mainToolBar()->actions().at(1)), window.targetSelector());
        QCOMPARE(window.targetSelector()->currentName(), u"local"_s);
        QVERIFY(window.mainToolBar()->actions().contains(window.runAction()));
        QVERIFY(window.mainToolBar()->actions().contains(window.stopAction()));
        QVERIFY(window.mainToolBar()->findChild<QToolButton *>(u"examplesButton"_s));
        QVERIFY(window.examplesMenu()->icon().isNull()); // the menu bar shows its text
        // The probe browser fills from the catalog.
        QTRY_VERIFY_WITH_TIMEOUT(window.probeBrowser()->model()->rowCount() > 0, 10000);
    }

    void iconsWithoutAConfiguredTheme()
    {
        // Offscreen has no platform theme: without the fallback no menu or toolbar icon shows.
        MainWindow::applyDesktopLook();
        QCOMPARE(QIcon::fallbackThemeName(), u"breeze"_s);
        const bool breezeInstalled
            = !QStandardPaths::locate(QStandardPaths::GenericDataLocation, u"icons/breeze/index.theme"_s).isEmpty();
        if (breezeInstalled) { // the build root has it (kf6-breeze-icon-theme)
            for (const QString &name :
                { u"document-open"_s, u"document-save"_s, u"media-playback-start"_s, u"media-playback-stop"_s })
                QVERIFY2(QIcon::hasThemeIcon(name), qPrintable(name));
            FakeEngine engine;
            MainWindow window(engine.get(), nullptr);
            QVERIFY(!window.runAction()->icon().isNull());
        }
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

    // The editor checks the script where Run would start it: the chosen target's bpftrace, or
    // every member of a group, judged as one fleet request.
    void editorChecksOnTheChosenTarget()
    {
        QTemporaryDir dir;
        FakeEngine engine(300, twoFakeSshTargets(dir.path()));
        MainWindow window(engine.get(), nullptr);
        ScriptEditor *editor = window.editor();
        editor->setPlainText(u"tracepoint:syscalls:sys_enter_openat { @opens = count(); }"_s);
        editor->analyzeNow();
        QTRY_VERIFY_WITH_TIMEOUT(editor->analysis().complete && editor->analysis().checked, 10000);
        const int here = editor->analysis().attachCount;
        QVERIFY(here > 0);
        QVERIFY2(!editor->statusLine().startsWith(u"On "_s), qPrintable(editor->statusLine()));

        QVERIFY(window.targetSelector()->choose(u"db2"_s));
        QTRY_VERIFY_WITH_TIMEOUT(
            editor->analysis().complete && editor->analysis().checked && editor->statusLine().startsWith(u"On db2: "_s),
            10000);
        QCOMPARE(editor->analysis().attachCount, here);

        QVERIFY(window.targetSelector()->choose(u"db"_s));
        QTRY_VERIFY_WITH_TIMEOUT(editor->statusLine().startsWith(u"On db (2 targets): "_s), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(editor->analysis().attachCount, 2 * here, 10000); // one per host
        QVERIFY(editor->analysis().checked);

        // A target whose own bpftrace is missing: its analyzer says so, this machine's would not.
        Target missing = fakeSshTarget(u"db3=ssh://root@db3"_s);
        missing.bpftracePath = u"/nonexistent/bpftrace"_s;
        QVERIFY(engine->targets()->addTarget(missing));
        QVERIFY(window.targetSelector()->choose(u"db3"_s));
        QTRY_VERIFY_WITH_TIMEOUT(editor->analysis().complete && !editor->analysis().checked, 10000);
        QVERIFY2(editor->analysis().uncheckedReason.startsWith(u"bpftrace did not check it on the target: "_s),
            qPrintable(editor->analysis().uncheckedReason));
        QVERIFY(editor->statusLine().startsWith(u"On db3: "_s));

        // The chosen group gains it: checked again on all three, without choosing anew.
        QVERIFY(window.targetSelector()->choose(u"db"_s));
        QTRY_VERIFY_WITH_TIMEOUT(editor->analysis().checked, 10000);
        QVERIFY(engine->targets()->setGroup(u"db"_s, { u"db1"_s, u"db2"_s, u"db3"_s }));
        QTRY_VERIFY_WITH_TIMEOUT(editor->statusLine().startsWith(u"On db (3 targets): "_s), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(editor->analysis().complete && !editor->analysis().checked, 10000);
        QVERIFY2(editor->analysis().uncheckedReason.startsWith(u"db3: bpftrace did not check it on the target: "_s),
            qPrintable(editor->analysis().uncheckedReason));

        QVERIFY(window.targetSelector()->choose(u"local"_s));
        QVERIFY2(!editor->statusLine().startsWith(u"On "_s), qPrintable(editor->statusLine()));
        QTRY_VERIFY_WITH_TIMEOUT(editor->analysis().complete && editor->analysis().attachCount == here, 10000);
    }

    // Beside Run: this machine, the targets and the groups; Run starts the script on the choice.
    void runsOnTheChosenTarget()
    {
        QTemporaryDir dir;
        FakeEngine engine(300, twoFakeSshTargets(dir.path()));
        MainWindow window(engine.get(), nullptr);
        TargetSelector *selector = window.targetSelector();
        QCOMPARE(selector->count(), 4);
        QCOMPARE(selector->itemText(3), u"db (2 targets)"_s);
        QVERIFY(selector->choose(u"db2"_s));
        QVERIFY(window.runAction()->toolTip().contains(u"db2 (ssh://root@db2)"_s));
        window.editor()->setPlainText(u"BEGIN { printf(\"hi\\n\"); }"_s);
        window.runAction()->trigger();
        QCOMPARE(engine->runs()->runs().size(), 1);
        Run *run = engine->runs()->runs().first();
        QCOMPARE(run->target(), u"db2"_s);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QVERIFY(run->maps().contains(u"@opens"_s));
        // Run Again runs where the run ran, whatever is chosen now.
        QVERIFY(selector->choose(u"local"_s));
        window.runView()->runAgainButton()->click();
        QCOMPARE(engine->runs()->runs().size(), 2);
        QCOMPARE(engine->runs()->runs().first()->target(), u"db2"_s);
        // This machine is the run without a target.
        window.runAction()->trigger();
        QCOMPARE(engine->runs()->runs().first()->target(), QString());

        // A group is a fleet run: one bpftrace per member, the maps merged, shown merged and per host.
        QVERIFY(selector->choose(u"db"_s));
        QVERIFY(window.runAction()->toolTip().contains(u"the group db"_s));
        window.runAction()->trigger();
        Run *fleet = engine->runs()->runs().first();
        QVERIFY(fleet->isFleet());
        QCOMPARE(fleet->targets(), (QStringList { u"db1"_s, u"db2"_s }));
        QCOMPARE(window.runView()->run(), fleet);
        QTRY_COMPARE_WITH_TIMEOUT(fleet->state(), RunState::Finished, 10000);
        QVERIFY(window.runView()->isShowingFleetMaps());
        QTRY_COMPARE_WITH_TIMEOUT(
            window.runView()->fleetMapsView()->fleetResults().coverage(), u"2 of 2 hosts"_s, 5000);
        QVERIFY(window.runView()->fleetMapsView()->fleetResults().find(u"@opens"_s));
        QVERIFY2(window.runView()->headerText().contains(u"on db1, db2 (2 of 2 hosts)"_s),
            qPrintable(window.runView()->headerText()));
        // Run Again repeats it on the same targets; a plain run shows the plain maps view again.
        window.runView()->runAgainButton()->click();
        QCOMPARE(engine->runs()->runs().first()->targets(), (QStringList { u"db1"_s, u"db2"_s }));
        window.runView()->setRun(run);
        QVERIFY(!window.runView()->isShowingFleetMaps());

        // The Targets pane sits with the probes, and the probe browser offers the targets.
        auto *probesDock = window.findChild<QDockWidget *>(u"probesDock"_s);
        QVERIFY(window.tabifiedDockWidgets(probesDock).contains(window.targetsDock()));
        QCOMPARE(window.targetsPanel()->model()->rowCount(), 3);
        QVERIFY(window.probeBrowser()->targetChooser());
        QCOMPARE(window.probeBrowser()->targetChooser()->count(), 3);
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

    void unsavedTextAsksSaveDiscardCancel()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        QAction *newAction = fileAction(window, u"&New"_s);
        QVERIFY(newAction);

        // Unmodified: New goes ahead without asking.
        newAction->trigger();
        QVERIFY(!window.pendingQuestion());
        QVERIFY(window.editor()->toPlainText().isEmpty());

        // Cancel keeps the text.
        typeText(window, u"BEGIN { exit(); }\n"_s);
        newAction->trigger();
        answer(window, QMessageBox::Cancel);
        QCOMPARE(window.editor()->toPlainText(), u"BEGIN { exit(); }\n"_s);
        QVERIFY(window.editor()->document()->isModified());

        // Discard goes ahead.
        newAction->trigger();
        answer(window, QMessageBox::Discard);
        QVERIFY(window.editor()->toPlainText().isEmpty());
        QVERIFY(!window.editor()->document()->isModified());

        // Save of an untitled text asks where (Save As), writes it, then goes ahead.
        typeText(window, u"BEGIN { printf(\"one\"); }\n"_s);
        QMenu *category = window.examplesMenu()->actions().first()->menu();
        category->actions().first()->trigger();
        answer(window, QMessageBox::Save);
        auto *dialog = window.findChild<QFileDialog *>();
        QVERIFY(dialog);
        const QString path = engine.dir.path() + u"/untitled.bt"_s;
        Q_EMIT dialog->fileSelected(path); // what choosing the file and Save does
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(), QByteArray("BEGIN { printf(\"one\"); }\n"));
        QVERIFY(window.editor()->toPlainText() != u"BEGIN { printf(\"one\"); }\n"_s); // the example loaded
        QVERIFY(window.currentFile().isEmpty()); // an example is no file

        // Save of a named file writes there without asking where, and the name stays.
        QString error;
        QVERIFY2(window.openFile(path, &error), qPrintable(error));
        window.editor()->moveCursor(QTextCursor::End);
        window.editor()->insertPlainText(u"// two\n"_s);
        window.close();
        QVERIFY(window.isVisible());
        answer(window, QMessageBox::Save);
        QVERIFY(!window.isVisible());
        QCOMPARE(window.currentFile(), path);
        QFile again(path); // a new file: saving replaces it
        QVERIFY(again.open(QIODevice::ReadOnly));
        QVERIFY(again.readAll().endsWith("// two\n"));
    }

    void unsavedTextSurvivesAKill()
    {
        FakeEngine engine;
        QString recoveryPath;
        {
            MainWindow window(engine.get(), nullptr);
            recoveryPath = window.recoveryPath();
            QVERIFY(recoveryPath.startsWith(engine->config().stateDirectory));
            QVERIFY(!QFile::exists(recoveryPath));
            typeText(window, u"kprobe:vfs_read { @n = count(); }\n"_s);
            // Written shortly after the edit, without a save or a close.
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(recoveryPath), 5000);
            QCOMPARE(readRecovery(recoveryPath).value(u"text"_s).toString(), u"kprobe:vfs_read { @n = count(); }\n"_s);
            QCOMPARE(QFile::permissions(recoveryPath) & 0x0077, QFileDevice::Permissions {}); // nobody else's
            QCOMPARE(QFileInfo(recoveryPath).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                QFileDevice::Permissions {});
            window.editor()->insertPlainText(u"// more\n"_s);
            // Then the process dies: the window is torn down without a close.
        }
        QCOMPARE(
            readRecovery(recoveryPath).value(u"text"_s).toString(), u"kprobe:vfs_read { @n = count(); }\n// more\n"_s);

        {
            MainWindow next(engine.get(), nullptr);
            next.show();
            QVERIFY(next.hasRecoveryOffer()); // offered, not forced: the window works meanwhile
            QVERIFY(next.recoveryBar()->isVisible());
            QVERIFY(!next.pendingQuestion());
            QVERIFY(!next.editor()->document()->isModified());
            next.recoveryBar()->findChild<QPushButton *>(u"restoreRecovery"_s)->click();
            QVERIFY(!next.hasRecoveryOffer());
            QCOMPARE(next.editor()->toPlainText(), u"kprobe:vfs_read { @n = count(); }\n// more\n"_s);
            QVERIFY(next.editor()->document()->isModified());
            // Saving leaves nothing to recover.
            QString error;
            QVERIFY2(next.saveFile(engine.dir.path() + u"/kept.bt"_s, &error), qPrintable(error));
            QVERIFY(!QFile::exists(recoveryPath));
        }

        // Discard of the offer removes it.
        {
            MainWindow window(engine.get(), nullptr);
            typeText(window, u"BEGIN { }\n"_s);
        }
        QVERIFY(QFile::exists(recoveryPath));
        MainWindow again(engine.get(), nullptr);
        QVERIFY(again.hasRecoveryOffer());
        again.recoveryBar()->findChild<QPushButton *>(u"discardRecovery"_s)->click();
        QVERIFY(!again.hasRecoveryOffer());
        QVERIFY(!QFile::exists(recoveryPath));
        QVERIFY(again.editor()->toPlainText().contains(u"raw_syscalls"_s));
    }

    // Text typed while an earlier text is still on offer, then the app ends (a logout): the
    // recovery file keeps both, the earlier one as comments, so neither is lost.
    void textTypedWhileOfferedIsKept()
    {
        FakeEngine engine;
        QString recoveryPath;
        {
            MainWindow window(engine.get(), nullptr);
            recoveryPath = window.recoveryPath();
            typeText(window, u"BEGIN { printf(\"earlier\"); }\n"_s);
        }
        {
            MainWindow next(engine.get(), nullptr);
            QVERIFY(next.hasRecoveryOffer());
            next.editor()->selectAll();
            typeText(next, u"END { printf(\"new\"); }\n"_s);
        }
        const QString kept = readRecovery(recoveryPath).value(u"text"_s).toString();
        QVERIFY2(kept.startsWith(u"END { printf(\"new\"); }\n"_s), qPrintable(kept));
        QVERIFY2(kept.contains(u"// BEGIN { printf(\"earlier\"); }"_s), qPrintable(kept));
    }

    void defaultLayoutFits_data()
    {
        QTest::addColumn<QRect>("screen");
        QTest::newRow("1280x800") << QRect(0, 0, 1280, 800);
        QTest::newRow("1920x1080") << QRect(0, 0, 1920, 1080);
    }

    void defaultLayoutFits()
    {
        QFETCH(QRect, screen);
        QSettings().clear();
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resetLayout(screen);
        QTRY_VERIFY(!window.isApplyingDefaultLayout());
        QTest::qWait(50);
        QVERIFY2(screen.contains(window.geometry()), qPrintable(u"%1x%2"_s.arg(window.width()).arg(window.height())));
        QVERIFY(window.width() >= screen.width() * 9 / 10 || window.width() == 1600);
        // Nothing waits: the Approvals dock takes no width, the editor and run view get it.
        QVERIFY(!window.approvalDock()->isVisible());
        QVERIFY(window.mainToolBar()->isVisible());
        const QWidget *central = window.centralWidget();
        QVERIFY2(central->width() >= window.width() * 55 / 100, qPrintable(QString::number(central->width())));
        QVERIFY(window.runsPanel()->isVisible());
        QVERIFY(window.probeBrowser()->isVisible());
        const QStringList truncated = truncatedHeaders(window);
        QVERIFY2(truncated.isEmpty(), qPrintable(truncated.join(u", "_s)));
        // The run header stays on one line of details, however long the failure.
        QVERIFY(window.runView()->height() > window.editor()->height());

        // Reset Layout brings exactly these sizes back after the person moved things.
        const QRect windowGeometry = window.geometry();
        const QRect probes = window.probeBrowser()->geometry();
        const QRect runs = window.runsPanel()->geometry();
        const QRect centralGeometry = central->geometry();
        window.resizeDocks({ window.findChild<QDockWidget *>(u"probesDock"_s) }, { 200 }, Qt::Horizontal);
        window.endpointDock()->show();
        window.endpointDock()->raise();
        window.resize(900, 600);
        QTest::qWait(50);
        window.resetLayout(screen);
        QTRY_VERIFY(!window.isApplyingDefaultLayout());
        QTest::qWait(50);
        QCOMPARE(window.geometry(), windowGeometry);
        QCOMPARE(central->geometry(), centralGeometry);
        QCOMPARE(window.probeBrowser()->geometry(), probes);
        QCOMPARE(window.runsPanel()->geometry(), runs);
    }

    void approvalsDockGivesBackItsWidth()
    {
        QSettings().clear();
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.approvalDock()->isVisible()); // as first shown, before any reset
        window.resetLayout(QRect(0, 0, 1280, 800));
        QTRY_VERIFY(!window.isApplyingDefaultLayout());
        QTest::qWait(50);
        QVERIFY(!window.approvalDock()->isVisible());
        const int centralWidth = window.centralWidget()->width();
        auto *probesDock = window.findChild<QDockWidget *>(u"probesDock"_s);
        const int probesWidth = probesDock->width();
        RunRequest request;
        request.script = u"BEGIN { }"_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        Run *run = engine->runs()->submitClientRun(request);
        QVERIFY(run);
        QTRY_VERIFY(window.approvalDock()->isVisible());
        QTRY_VERIFY(window.approvalDock()->width() >= 300);
        QVERIFY(window.centralWidget()->width() < centralWidth);
        QTest::qWait(50);
        QVERIFY(engine->approvals()->deny(run->id(), u"no"_s));
        QTRY_VERIFY(!window.approvalDock()->isVisible());
        QTest::qWait(50);
        QTRY_COMPARE(window.centralWidget()->width(), centralWidth);
        QCOMPARE(probesDock->width(), probesWidth);
    }

    void approvingSelectsTheRun()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        RunRequest request;
        request.script = u"BEGIN { printf(\"hi\\n\"); }"_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        Run *run = engine->runs()->submitClientRun(request);
        QVERIFY(run);
        QVERIFY(window.runsPanel()->currentRun() != run); // an AI's request is not shown by itself
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        QString error;
        QVERIFY2(engine->approvals()->approve(run->id(), &error), qPrintable(error));
        QCOMPARE(window.runsPanel()->currentRun(), run);
        QCOMPARE(window.runView()->run(), run);
    }

    void runActions()
    {
        FakeEngine engine;
        MainWindow window(engine.get(), nullptr);
        window.show();
        // A failed run opens on Problems.
        window.editor()->setPlainText(u"BEGIN { fakefail(); } // fake:fail"_s);
        Run *failed = window.runScript();
        QTRY_COMPARE_WITH_TIMEOUT(failed->state(), RunState::Failed, 10000);
        QCOMPARE(window.runView()->tabs()->currentIndex(), 2);
        // One with maps opens on Maps.
        window.editor()->setPlainText(u"BEGIN { printf(\"hi\\n\"); }"_s);
        Run *finished = window.runScript();
        QTRY_COMPARE_WITH_TIMEOUT(finished->state(), RunState::Finished, 10000);
        QTRY_VERIFY(!finished->maps().isEmpty());
        QCOMPARE(window.runView()->tabs()->currentIndex(), 1);
        window.runsPanel()->selectRun(failed);
        QCOMPARE(window.runView()->tabs()->currentIndex(), 2);
        window.runsPanel()->selectRun(finished);
        QCOMPARE(window.runView()->tabs()->currentIndex(), 1);

        // Open in editor brings the run's script (asking first about the text there).
        typeText(window, u"// mine\n"_s);
        window.runView()->openInEditorButton()->click();
        answer(window, QMessageBox::Discard);
        QCOMPARE(window.editor()->toPlainText(), finished->script());

        // Run again starts the same script as a new run and shows it.
        const int before = int(engine->runs()->runs().size());
        window.runView()->runAgainButton()->click();
        QCOMPARE(int(engine->runs()->runs().size()), before + 1);
        Run *again = engine->runs()->runs().first();
        QCOMPARE(again->script(), finished->script());
        QCOMPARE(window.runView()->run(), again);
        QTRY_COMPARE_WITH_TIMEOUT(again->state(), RunState::Finished, 10000);

        // Delete from history removes it from the list.
        const QString id = again->id();
        QVERIFY(window.runView()->deleteButton()->isEnabled());
        window.runView()->deleteButton()->click();
        QVERIFY(!engine->runs()->run(id));
        QCOMPARE(window.runsPanel()->model()->rowCount(), before);
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
