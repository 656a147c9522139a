// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/mcpclientmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMcpClientModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void clients()
    {
        McpClientModel model(nullptr);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        McpClientInfo a { u"s1"_s, u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"2025-06-18"_s,
            QDateTime::currentDateTimeUtc(), 4 };
        McpClientInfo b { u"s2"_s, QString(), QString(), u"http"_s, QString(), QDateTime::currentDateTimeUtc(), 0 };
        model.setClients({ a, b });
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, McpClientModel::NameColumn).data().toString(), u"Claude Code 2.1.3"_s);
        QCOMPARE(model.index(0, McpClientModel::TransportColumn).data().toString(), u"socket"_s);
        QCOMPARE(model.index(0, McpClientModel::RequestsColumn).data().toInt(), 4);
        QVERIFY(model.index(1, McpClientModel::NameColumn).data().toString().contains(u"not initialized"_s));
        // Same sessions: updated in place, no reset.
        a.requestCount = 5;
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setClients({ a, b });
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.index(0, McpClientModel::RequestsColumn).data().toInt(), 5);
        model.setClients({ b });
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 1);
        model.setClients({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.headerData(McpClientModel::RequestsColumn, Qt::Horizontal).toString(), u"Requests"_s);
    }
};

QTEST_MAIN(TestMcpClientModel)
#include "tst_mcpclientmodel.moc"
