// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/runlistmodel.h"
#include "ui/runspanel.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;

class TestRunsPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void filterAndSelect()
    {
        FakeEngine engine;
        RunsPanel panel(engine->runs());
        QAbstractItemModelTester tester(panel.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Run *mine = engine->runs()->startPersonRun(u"BEGIN { }"_s);
        RunRequest request;
        request.script = u"kprobe:vfs_read { @[comm] = count(); }"_s;
        request.client = { u"Cursor"_s, u"1.0"_s, u"http"_s, u"s2"_s };
        Run *theirs = engine->runs()->submitClientRun(request);
        QVERIFY(theirs);
        QCOMPARE(panel.proxy()->rowCount(), 2);

        QSignalSpy current(&panel, &RunsPanel::currentRunChanged);
        panel.selectRun(mine);
        QCOMPARE(panel.currentRun(), mine);
        QCOMPARE(current.constLast().at(0).value<Run *>(), mine);

        panel.filterEdit()->setText(u"cursor"_s);
        QCOMPARE(panel.proxy()->rowCount(), 1);
        panel.filterEdit()->setText(u"waiting"_s);
        QCOMPARE(panel.proxy()->rowCount(), 1);
        panel.filterEdit()->clear();
        QCOMPARE(panel.proxy()->rowCount(), 2);

        // Sorting by lines, numerically.
        panel.proxy()->sort(RunListModel::LinesColumn, Qt::DescendingOrder);
        QTRY_COMPARE_WITH_TIMEOUT(mine->state(), RunState::Finished, 10000);
        panel.proxy()->invalidate();
        QCOMPARE(panel.proxy()->index(0, 0).data(RunListModel::RunRole).value<Run *>(), mine);
    }
};

QTEST_MAIN(TestRunsPanel)
#include "tst_runspanel.moc"
