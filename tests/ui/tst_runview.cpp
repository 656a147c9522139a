// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/mapsview.h"
#include "ui/outputmodel.h"
#include "ui/outputview.h"
#include "ui/runview.h"

#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>

using namespace Qt::StringLiterals;

class TestRunView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    // The Script tab shows a client's hidden characters as escapes, never as themselves.
    void clientScriptIsInert()
    {
        FakeEngine engine;
        RunView view(engine->runs());
        RunRequest request;
        request.script = u"BEGIN { printf(\"ok\"); } // \u202e\x1b[8m\n"_s;
        request.reason = u"look"_s;
        request.client = { u"c"_s, u"1"_s, u"socket"_s, u"s1"_s };
        QString error;
        Run *run = engine->runs()->submitClientRun(request, &error);
        QVERIFY2(run, qPrintable(error));
        view.setRun(run);
        const auto editors = view.findChildren<QPlainTextEdit *>();
        const bool shown = std::any_of(editors.cbegin(), editors.cend(), [](const QPlainTextEdit *e) {
            return e->toPlainText() == u"BEGIN { printf(\"ok\"); } // \\u202e\\x1b[8m\n"_s;
        });
        QVERIFY(shown);
        for (const QPlainTextEdit *e : editors)
            QVERIFY(!e->toPlainText().contains(QChar(0x202e)));
    }

    void stopKeepsTheMaps()
    {
        FakeEngine engine;
        RunView view(engine->runs());
        QVERIFY(!view.stopButton()->isEnabled());
        QVERIFY(view.headerText().contains(u"No run selected"_s));
        Run *run = engine->runs()->startPersonRun(u"interval:s:1 { } // fake:wait"_s);
        view.setRun(run);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Running, 10000);
        QTRY_VERIFY(view.stopButton()->isEnabled());
        // Running means the process started; like bpftrace, the fake only prints its maps on
        // SIGINT once it has attached, so stop after that.
        QTRY_COMPARE_WITH_TIMEOUT(run->attachedProbes(), 3, 10000);
        QVERIFY(view.headerText().contains(u"running"_s));
        QVERIFY(view.headerText().contains(u"asked by you"_s));
        QTest::mouseClick(view.stopButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 10000);
        QCOMPARE(run->state(), RunState::Stopped);
        QVERIFY(!view.stopButton()->isEnabled());
        // SIGINT made the fake print its maps, and the view has them.
        QTRY_COMPARE(run->maps().size(), 4);
        QTRY_COMPARE(view.mapsView()->mapNames().size(), 4);
        QVERIFY(view.headerText().contains(u"stopped"_s));
        QVERIFY(view.headerText().contains(u"3 probes attached"_s));
    }

    // A fleet's header counts its hosts: those running while it runs, those its maps cover after.
    void fleetHeaderCountsHosts()
    {
        FakeEngine engine;
        RunView view(engine->runs());
        RunRequest request;
        request.script = u"BEGIN { @c = count(); }"_s;
        Run fleet(u"run-f"_s, RunOrigin::Person, request);
        fleet.setFleetTargets({ u"db1"_s, u"db2"_s, u"db3"_s });
        view.setRun(&fleet);
        QVERIFY2(view.headerText().contains(u"on db1, db2, db3 (3 hosts)"_s), qPrintable(view.headerText()));
        fleet.setState(RunState::Starting);
        fleet.hostRun(u"db1"_s)->setState(RunState::Running);
        fleet.updateFromHosts();
        QTRY_VERIFY2(view.headerText().contains(u"on db1, db2, db3 (1 of 3 running)"_s), qPrintable(view.headerText()));

        fleet.hostRun(u"db2"_s)->setState(RunState::Running);
        QTRY_VERIFY2(view.headerText().contains(u"(2 of 3 running)"_s), qPrintable(view.headerText()));

        RunResults maps;
        maps.insert(MapResult::fromBpftraceJson(u"@c"_s, u"map"_s, QJsonValue(4)));
        for (const QString &host : { u"db1"_s, u"db2"_s }) {
            fleet.hostRun(host)->updateMaps(maps);
            fleet.hostRun(host)->setEnded(RunState::Finished, 0);
        }
        fleet.hostRun(u"db3"_s)->setEnded(RunState::Failed, 255, u"ssh: connect to host db3 port 22: No route"_s);
        fleet.updateFromHosts();
        QCOMPARE(fleet.state(), RunState::Finished);
        QTRY_VERIFY2(view.headerText().contains(u"on db1, db2, db3 (2 of 3 hosts)"_s), qPrintable(view.headerText()));
        view.setRun(nullptr);
    }

    void failedRunShowsProblems()
    {
        FakeEngine engine;
        RunView view(engine->runs());
        Run *run = engine->runs()->startPersonRun(u"BEGIN { fakefail(); } // fake:fail"_s);
        view.setRun(run);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Failed, 10000);
        QTRY_VERIFY(view.problems()->count() >= 1);
        bool found = false;
        for (int i = 0; i < view.problems()->count(); ++i)
            found |= view.problems()->item(i)->text().contains(u"Unknown function: fakefail"_s);
        QVERIFY(found);
        QVERIFY(view.tabs()->tabText(2).startsWith(u"Problems ("_s));
        view.setRun(nullptr);
        QCOMPARE(view.problems()->count(), 0);
    }

    void failureWithoutDiagnosticsIsAProblem()
    {
        // Refused at launch (no such target): bpftrace never said a word, yet the tab a failed
        // run opens on says why.
        FakeEngine engine;
        RunView view(engine->runs());
        Run *run = engine->runs()->startPersonRun(u"BEGIN { exit(); }"_s, std::nullopt, { u"nowhere"_s });
        QCOMPARE(run->state(), RunState::Failed);
        QVERIFY(run->diagnostics().isEmpty());
        view.setRun(run);
        QCOMPARE(view.tabs()->currentIndex(), 2);
        QCOMPARE(view.problems()->count(), 1);
        QCOMPARE(view.problems()->item(0)->text(), run->failureReason());
        QVERIFY2(run->failureReason().contains(u"nowhere"_s), qPrintable(run->failureReason()));
        QCOMPARE(view.tabs()->tabText(2), u"Problems (1)"_s);

        // The check found an error in the script, but that is not why this run ended: the
        // reason still comes first.
        Run *unchecked = engine->runs()->startPersonRun(u"BEGIN { exit();"_s, std::nullopt, { u"nowhere"_s });
        QCOMPARE(unchecked->state(), RunState::Failed);
        QVERIFY(!unchecked->analysis().diagnostics.isEmpty());
        view.setRun(unchecked);
        QVERIFY(view.problems()->count() >= 2);
        QCOMPARE(view.problems()->item(0)->text(), unchecked->failureReason());

        // A compile error is listed once, as bpftrace's diagnostic, not again as the reason.
        Run *bad = engine->runs()->startPersonRun(u"BEGIN { exit(); } // fake:fail"_s);
        view.setRun(bad);
        QTRY_VERIFY(isTerminal(bad->state()));
        QCOMPARE(bad->state(), RunState::Failed);
        QTRY_VERIFY(!bad->diagnostics().isEmpty());
        for (int i = 0; i < view.problems()->count(); ++i)
            QVERIFY2(view.problems()->item(i)->text() != bad->failureReason(), qPrintable(bad->failureReason()));
        view.setRun(nullptr);
    }

    void longProblemWraps()
    {
        // printf on every syscall: the analysis explains the feedback loop in two sentences.
        FakeEngine engine;
        RunView view(engine->runs());
        view.resize(420, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        Run *run = engine->runs()->startPersonRun(
            u"tracepoint:raw_syscalls:sys_enter { printf(\"%d\\n\", pid); } // fake:fail"_s);
        view.setRun(run);
        view.tabs()->setCurrentIndex(2);
        // The list is rebuilt whenever the run's diagnostics or analysis change: wait until the
        // run ended, and look the item up afresh each time.
        QTRY_VERIFY(isTerminal(run->state()) && view.problems()->count() >= 1);
        QString longestText;
        for (int i = 0; i < view.problems()->count(); ++i) {
            if (view.problems()->item(i)->text().size() > longestText.size())
                longestText = view.problems()->item(i)->text();
        }
        auto longest = [&view, longestText] {
            const QList<QListWidgetItem *> found = view.problems()->findItems(longestText, Qt::MatchExactly);
            return found.isEmpty() ? nullptr : found.first();
        };
        const QFontMetrics metrics = view.problems()->fontMetrics();
        QVERIFY2(
            metrics.horizontalAdvance(longestText) > view.problems()->viewport()->width(), qPrintable(longestText));
        // Every word on screen: the item is as wide as the view at most, and several lines high.
        QTRY_VERIFY(longest() && view.problems()->visualItemRect(longest()).height() >= 2 * metrics.lineSpacing());
        QVERIFY(view.problems()->visualItemRect(longest()).right() <= view.problems()->viewport()->width());
        view.setRun(nullptr);
    }
};

QTEST_MAIN(TestRunView)
#include "tst_runview.moc"
