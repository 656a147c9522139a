// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/outputmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestOutputModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void followsARun()
    {
        FakeEngine engine;
        OutputModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Run *run = engine->runs()->startPersonRun(u"BEGIN { printf(\"hello\\n\"); }"_s);
        model.setRun(run);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QTRY_COMPARE(model.rowCount(), int(run->totalLines()));
        QVERIFY(model.rowCount() >= 3);
        QVERIFY(model.lineText(0).startsWith(u"openat by bash"_s));
        QCOMPARE(model.index(0).data(OutputModel::OffsetRole).toLongLong(), run->firstOffset());
        QCOMPARE(model.droppedLines(), 0);

        // Another run: a reset, then the other run's lines.
        Run *second = engine->runs()->startPersonRun(u"BEGIN { printf(\"again\\n\"); }"_s);
        model.setRun(second);
        QCOMPARE(model.run(), second);
        QTRY_COMPARE_WITH_TIMEOUT(second->state(), RunState::Finished, 10000);
        QTRY_COMPARE(model.rowCount(), int(second->totalLines()));
        model.setRun(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void capDropsOldestAndCounts()
    {
        FakeEngine engine;
        RunLimits limits = engine->runs()->limits();
        limits.maxLinesPerSecond = 0;
        limits.maxBytesPerSecond = 0;
        engine->setLimits(limits);
        OutputModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMaxLines(1000);
        QSignalSpy batches(&model, &OutputModel::batchAppended);
        Run *run = engine->runs()->startPersonRun(u"BEGIN { } // fake:flood"_s);
        model.setRun(run);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 20000);
        QTRY_COMPARE(
            model.index(model.rowCount() - 1).data(OutputModel::OffsetRole).toLongLong(), run->totalLines() - 1);
        QCOMPARE(model.rowCount(), 1000);
        QCOMPARE(model.droppedLines(), run->totalLines() - 1000);
        QVERIFY(run->totalLines() >= 20000);
        // Batched: far fewer updates than lines.
        QVERIFY2(batches.size() < 2000, qPrintable(QString::number(batches.size())));
        QCOMPARE(batches.constLast().at(1).toLongLong(), model.droppedLines());
        // Lowering the cap trims at once.
        model.setMaxLines(10);
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(model.droppedLines(), run->totalLines() - 10);
    }
};

QTEST_MAIN(TestOutputModel)
#include "tst_outputmodel.moc"
