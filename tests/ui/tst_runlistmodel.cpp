// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/runlistmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Qt::StringLiterals;

class TestRunListModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void showsPersonAndClientRuns()
    {
        FakeEngine engine;
        RunListModel model(engine->runs());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(RunListModel::ColumnCount));

        Run *mine = engine->runs()->startPersonRun(u"BEGIN { printf(\"x\\n\"); }"_s);
        QVERIFY(mine);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.runAt(0), mine);
        QCOMPARE(model.index(0, RunListModel::WhoColumn).data().toString(), u"you"_s);
        QTRY_COMPARE_WITH_TIMEOUT(mine->state(), RunState::Finished, 10000);
        QCOMPARE(model.index(0, RunListModel::StateColumn).data().toString(), u"finished"_s);
        QCOMPARE(model.index(0, RunListModel::ProbesColumn).data(RunListModel::SortRole).toInt(), 3);
        QVERIFY(model.index(0, RunListModel::LinesColumn).data(RunListModel::SortRole).toLongLong() >= 3);
        QVERIFY(model.index(0, RunListModel::DurationColumn).data(RunListModel::SortRole).toDouble() > 0);

        RunRequest request;
        request.script = u"tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }"_s;
        request.reason = u"find who opens files"_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        QString error;
        Run *theirs = engine->runs()->submitClientRun(request, &error);
        QVERIFY2(theirs, qPrintable(error));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.runAt(0), theirs); // newest first
        QCOMPARE(model.rowOf(mine), 1);
        QCOMPARE(model.index(0, RunListModel::WhoColumn).data().toString(), u"Claude Code 2.1.3"_s);
        QCOMPARE(model.index(0, RunListModel::StateColumn).data().toString(), u"waiting for approval"_s);
        QVERIFY(model.index(0, RunListModel::WhoColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(u"find who opens files"_s));
        QCOMPARE(model.index(0, 0).data(RunListModel::RunRole).value<Run *>(), theirs);

        QVERIFY(engine->approvals()->deny(theirs->id(), u"no"_s));
        QCOMPARE(model.index(0, RunListModel::StateColumn).data().toString(), u"denied"_s);
        QVERIFY(model.headerData(RunListModel::LostColumn, Qt::Horizontal).toString().contains(u"Lost"_s));
    }

    // The script column shows a client's hidden characters as escapes, never as themselves.
    void scriptColumnIsInert()
    {
        FakeEngine engine;
        RunListModel model(engine->runs());
        RunRequest request;
        request.script = u"BEGIN { printf(\"ok\"); } // \u202e\u2066\x1b[8m\n"_s;
        request.reason = u"look"_s;
        request.client = { u"c"_s, u"1"_s, u"socket"_s, u"s1"_s };
        QString error;
        QVERIFY2(engine->runs()->submitClientRun(request, &error), qPrintable(error));
        const QString shown = model.index(0, RunListModel::ScriptColumn).data().toString();
        QCOMPARE(shown, u"BEGIN { printf(\"ok\"); } // \\u202e\\u2066\\x1b[8m"_s);
    }

    void durationText()
    {
        QCOMPARE(RunListModel::durationText(0), u"–"_s);
        QCOMPARE(RunListModel::durationText(2.25), u"2.3 s"_s);
        QCOMPARE(RunListModel::durationText(75), u"1:15"_s);
        QCOMPARE(RunListModel::durationText(3725), u"1:02:05"_s);
    }
};

QTEST_MAIN(TestRunListModel)
#include "tst_runlistmodel.moc"
