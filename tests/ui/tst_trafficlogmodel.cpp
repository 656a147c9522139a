// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/trafficlogmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Qt::StringLiterals;

class TestTrafficLogModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void logIsCapped()
    {
        TrafficLogModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMaxEntries(5);
        for (int i = 0; i < 8; ++i) {
            McpTrafficEntry entry;
            entry.time = QDateTime::currentDateTimeUtc();
            entry.sessionId = u"s1"_s;
            entry.clientName = u"Claude Code"_s;
            entry.method = u"tools/call #%1"_s.arg(i);
            entry.durationMs = 1.5 * i;
            entry.isError = i % 2 == 1;
            entry.error = entry.isError ? u"bad params"_s : QString();
            model.addEntry(entry);
        }
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(0, TrafficLogModel::MethodColumn).data().toString(), u"tools/call #3"_s);
        QCOMPARE(model.index(4, TrafficLogModel::MethodColumn).data().toString(), u"tools/call #7"_s);
        QCOMPARE(model.errorCount(), 3); // #3, #5, #7
        QCOMPARE(model.index(0, TrafficLogModel::ResultColumn).data().toString(), u"error: bad params"_s);
        QCOMPARE(model.index(1, TrafficLogModel::ResultColumn).data().toString(), u"ok"_s);
        QCOMPARE(model.index(0, TrafficLogModel::DurationColumn).data().toString(), u"4.50 ms"_s);
        QVERIFY(model.index(0, 0).data(Qt::ForegroundRole).isValid());
        model.setMaxEntries(2);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.errorCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.errorCount(), 0);
    }
};

QTEST_MAIN(TestTrafficLogModel)
#include "tst_trafficlogmodel.moc"
