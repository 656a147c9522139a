// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/maptablemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMapTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shapes_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("columns");
        QTest::addColumn<QString>("firstKey");
        QTest::addColumn<QString>("firstValue");
        QTest::newRow("count by key") << uR"({"kind":"map","data":{"bash":18,"sshd":3}})"_s << 2 << 2 << u"bash"_s
                                      << u"18"_s;
        QTest::newRow("scalar") << uR"({"kind":"map","data":42})"_s << 1 << 2 << u"@x"_s << u"42"_s;
        QTest::newRow("stats") << uR"({"kind":"stats","data":{"count":12,"average":340,"total":4080}})"_s << 1 << 4
                               << u"@x"_s << u"12"_s;
        QTest::newRow("keyed stats") << uR"({"kind":"stats","data":{"bash":{"count":2,"average":5,"total":10}}})"_s << 1
                                     << 4 << u"bash"_s << u"2"_s;
        QTest::newRow("tuple value") << uR"({"kind":"map","data":{"k":[1,"a"]}})"_s << 1 << 2 << u"k"_s << u"(1, a)"_s;
        QTest::newRow("string value") << uR"({"kind":"map","data":{"k":"text"}})"_s << 1 << 2 << u"k"_s << u"text"_s;
        QTest::newRow("empty") << uR"({"kind":"map","data":{}})"_s << 0 << 2 << QString() << QString();
        QTest::newRow("null") << uR"({"kind":"map","data":null})"_s << 0 << 2 << QString() << QString();
    }

    void shapes()
    {
        QFETCH(QString, entry);
        QFETCH(int, rows);
        QFETCH(int, columns);
        QFETCH(QString, firstKey);
        QFETCH(QString, firstValue);
        MapTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMap(MapResult::fromJson(u"@x"_s, QJsonDocument::fromJson(entry.toUtf8()).object()));
        QCOMPARE(model.rowCount(), rows);
        QCOMPARE(model.columnCount(), columns);
        if (rows) {
            QCOMPARE(model.index(0, 0).data().toString(), firstKey);
            QCOMPARE(model.index(0, 1).data().toString(), firstValue);
        }
    }

    void sortsNumerically()
    {
        MapTableModel model;
        model.setMap(MapResult::fromJson(
            u"@opens"_s, QJsonDocument::fromJson(R"({"kind":"map","data":{"a":9,"b":10,"c":100,"d":2}})").object()));
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(MapTableModel::SortRole);
        proxy.sort(1, Qt::DescendingOrder);
        QStringList keys;
        for (int row = 0; row < proxy.rowCount(); ++row)
            keys.append(proxy.index(row, 0).data().toString());
        QCOMPARE(keys, (QStringList { u"c"_s, u"b"_s, u"a"_s, u"d"_s }));
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), u"Value"_s);
    }
};

QTEST_MAIN(TestMapTableModel)
#include "tst_maptablemodel.moc"
