// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/maptablemodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTextDocument>

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

    // @[comm, pid, kstack] = count(): a column per part, typed.
    void columnPerKeyPart()
    {
        MapTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMap(threePartMap(), threePartEntries());
        QCOMPARE(model.columnCount(), 4);
        QCOMPARE(model.keyColumnCount(), 3);
        QCOMPARE(model.valueColumn(), 3);
        QVERIFY(model.hasStackPart());
        QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), u"Key 1 (text)"_s);
        QCOMPARE(model.headerData(1, Qt::Horizontal).toString(), u"Key 2 (integer)"_s);
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), u"Key 3 (stack)"_s);
        QCOMPARE(model.headerData(3, Qt::Horizontal).toString(), u"Value"_s);
        QCOMPARE(model.index(0, 0).data().toString(), u"bash"_s);
        QCOMPARE(model.index(0, 1).data().toString(), u"100"_s);
        QCOMPARE(model.index(0, 3).data().toString(), QLocale().toString(12000));
        QCOMPARE(model.index(0, 3).data(MapTableModel::ExportRole).toString(), u"12000"_s);
        // Names from the script replace the types when there are any.
        model.setKeyNames({ u"comm"_s, u"pid"_s });
        QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), u"comm"_s);
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), u"Key 3 (stack)"_s);
        // A map without keys: its name in the one key column.
        model.setMap(MapResult::fromJson(u"@n"_s, QJsonDocument::fromJson(R"({"kind":"map","data":5})").object()));
        QCOMPARE(model.columnCount(), 2);
        QVERIFY(!model.hasStackPart());
        QCOMPARE(model.index(0, 0).data().toString(), u"@n"_s);
    }

    void integerPartsSortNumerically()
    {
        MapTableModel model;
        model.setMap(threePartMap(), threePartEntries());
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setSortRole(MapTableModel::SortRole);
        proxy.sort(1, Qt::AscendingOrder);
        QStringList pids;
        for (int row = 0; row < proxy.rowCount(); ++row)
            pids.append(proxy.index(row, 1).data().toString());
        QCOMPARE(pids, (QStringList { u"9"_s, u"10"_s, u"100"_s })); // not "10", "100", "9"
        proxy.sort(0, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data().toString(), u"bash"_s);
    }

    void stackShowsInnermostFrame()
    {
        MapTableModel model;
        model.setMap(threePartMap(), threePartEntries());
        const QModelIndex stack = model.index(0, 2);
        QCOMPARE(stack.data().toString(), u"vfs_read+187  (+2 frames)"_s);
        // Tooltips are plain text made safe as HTML (a symbol may look like markup).
        QTextDocument tip;
        tip.setHtml(stack.data(Qt::ToolTipRole).toString());
        QCOMPARE(tip.toPlainText().simplified(),
            u"Kernel stack, innermost first: vfs_read+187 ksys_read+12 do_syscall_64+130"_s);
        QCOMPARE(stack.data(MapTableModel::ExportRole).toString(), u"vfs_read+187\nksys_read+12\ndo_syscall_64+130"_s);
        QCOMPARE(model.index(2, 2).data().toString(), u"(empty stack)"_s);
    }

    // A traced process chooses its name and the paths it opens: markup in a key is shown as
    // written, never rendered, in the tooltip too.
    void keyMarkupIsPlain()
    {
        MapTableModel model;
        const QString hostile = u"<img src=/x><b>HOT</b>"_s;
        model.setMap(threePartMap(),
            { { MapKey { { MapKeyPart { MapKeyPart::Type::Text, hostile, 0, {} } } }, MapValue::fromJson(1) } });
        const QModelIndex key = model.index(0, 0);
        QCOMPARE(key.data().toString(), hostile);
        QTextDocument tip;
        tip.setHtml(key.data(Qt::ToolTipRole).toString());
        QCOMPARE(tip.toPlainText(), hostile);
    }

private:
    static MapResult threePartMap()
    {
        // The map supplies name and kind; the typed entries are what the engine parses.
        return MapResult::fromJson(u"@x"_s, QJsonDocument::fromJson(R"({"kind":"map","data":{"k":1}})").object());
    }

    static QList<MapEntry> threePartEntries()
    {
        auto text = [](const QString &t) { return MapKeyPart { MapKeyPart::Type::Text, t, 0, {} }; };
        auto integer = [](qint64 i) { return MapKeyPart { MapKeyPart::Type::Integer, QString::number(i), i, {} }; };
        MapKeyPart stack { MapKeyPart::Type::Stack, QString(), 0, {} };
        stack.stack.frames
            = { { u"vfs_read"_s, 187, {}, 0 }, { u"ksys_read"_s, 12, {}, 0 }, { u"do_syscall_64"_s, 130, {}, 0 } };
        MapKeyPart empty { MapKeyPart::Type::Stack, QString(), 0, {} };
        return {
            { MapKey { { text(u"bash"_s), integer(100), stack } }, MapValue::fromJson(12000) },
            { MapKey { { text(u"sshd"_s), integer(9), stack } }, MapValue::fromJson(5) },
            { MapKey { { text(u"zsh"_s), integer(10), empty } }, MapValue::fromJson(7) },
        };
    }
};

QTEST_MAIN(TestMapTableModel)
#include "tst_maptablemodel.moc"
