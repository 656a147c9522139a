// SPDX-License-Identifier: GPL-2.0-or-later
// The window (MapsView, HistogramWidget, MapTableModel) and MCP (McpRunJson::formatMaps) show
// the same map with the same bucket labels, keys, values and kind: both render the engine's
// typed results, neither re-derives them.
#include "mcp/mcprunjson.h"
#include "ui/histogramwidget.h"
#include "ui/mapsview.h"
#include "ui/maptablemodel.h"

#include <QApplication>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QListWidget>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QStringList windowLabels(MapsView &view, const QString &name, const QString &key)
{
    if (!view.selectMap(name) || !view.isShowingHistogram())
        return { u"<no histogram page>"_s };
    if (!key.isEmpty())
        view.keyCombo()->setCurrentIndex(view.keyCombo()->findText(key));
    return view.histogram()->labels();
}

QStringList mcpLabels(const QJsonObject &map, const QString &key)
{
    QJsonArray buckets = map.value(u"buckets"_s).toArray();
    if (!key.isEmpty()) {
        for (const QJsonValue &series : map.value(u"series"_s).toArray()) {
            if (series.toObject().value(u"key"_s).toString() == key)
                buckets = series.toObject().value(u"buckets"_s).toArray();
        }
    }
    QStringList labels;
    for (const QJsonValue &bucket : std::as_const(buckets))
        labels.append(bucket.toObject().value(u"label"_s).toString());
    return labels;
}

// The kind the window's map list shows: "@name  (kind)", or nothing for a plain map.
QString windowKind(const MapsView &view, const QString &name)
{
    const auto *list = view.findChild<QListWidget *>();
    for (int row = 0; list && row < list->count(); ++row) {
        const QString text = list->item(row)->text();
        if (list->item(row)->data(Qt::UserRole).toString() == name)
            return text == name ? u"map"_s : text.section(u'(', 1).chopped(1);
    }
    return {};
}
} // namespace

class TestResultsAgree : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void histogramLabels_data()
    {
        QTest::addColumn<QByteArray>("stored");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("hist") << QByteArray(R"({"kind": "hist", "data": [{"max": -1, "count": 1},
            {"min": 0, "max": 0, "count": 3}, {"min": 1, "max": 1, "count": 2}, {"min": 2, "max": 3, "count": 5},
            {"min": 1024, "max": 2047, "count": 1}, {"min": 1048576, "max": 2097151, "count": 1}]})")
                              << QString() << u"hist"_s
                              << QStringList { u"(..., 0)"_s, u"[0]"_s, u"[1]"_s, u"[2, 4)"_s, u"[1K, 2K)"_s,
                                     u"[1M, 2M)"_s };
        // bpftrace 0.23 prints lhist() as "hist": the labels used to differ between the two.
        QTest::newRow("lhist printed as hist")
            << QByteArray(R"({"kind": "hist", "data": [{"max": -1, "count": 1}, {"min": 0, "max": 1023, "count": 2},
                {"min": 1024, "max": 2047, "count": 3}, {"min": 1048576, "count": 1}]})")
            << QString() << u"lhist"_s << QStringList { u"(..., 0)"_s, u"[0, 1K)"_s, u"[1K, 2K)"_s, u"[1M, ...)"_s };
        QTest::newRow("lhist step 1") << QByteArray(
            R"({"kind": "lhist", "data": [{"min": 0, "max": 0, "count": 2}, {"min": 1, "max": 1, "count": 3}]})")
                                      << QString() << u"lhist"_s << QStringList { u"[0, 1)"_s, u"[1, 2)"_s };
        QTest::newRow("keyed lhist") << QByteArray(
            R"({"kind": "hist", "data": {"bash": [{"min": 0, "max": 9, "count": 4}, {"min": 10, "max": 19, "count": 2}],
                "sshd": [{"min": 0, "max": 9, "count": 1}, {"min": 100, "count": 7}]}})")
                                     << u"sshd"_s << u"lhist"_s << QStringList { u"[0, 10)"_s, u"[100, ...)"_s };
    }

    void histogramLabels()
    {
        QFETCH(QByteArray, stored);
        QFETCH(QString, key);
        QFETCH(QString, kind);
        QFETCH(QStringList, labels);
        const QJsonObject maps { { u"@h"_s, QJsonDocument::fromJson(stored).object() } };
        MapsView view;
        view.setMaps(maps);
        const QJsonObject mcp = McpRunJson::formatMaps(RunResults::fromJson(maps)).value(u"@h"_s).toObject();
        QCOMPARE(windowLabels(view, u"@h"_s, key), labels);
        QCOMPARE(mcpLabels(mcp, key), labels);
        QCOMPARE(windowKind(view, u"@h"_s), kind);
        QCOMPARE(mcp.value(u"kind"_s).toString(), kind);
    }

    void tables_data()
    {
        QTest::addColumn<QByteArray>("stored");
        QTest::addColumn<QString>("kind");
        QTest::newRow("keyed map") << QByteArray(R"({"kind": "map", "data": {"bash": 18, "firefox": 42, "a,b": 3}})")
                                   << u"map"_s;
        QTest::newRow("stats") << QByteArray(
            R"({"kind": "stats", "data": {"count": 12, "average": 340, "total": 4080}})")
                               << u"stats"_s;
        QTest::newRow("keyed stats") << QByteArray(
            R"({"kind": "stats", "data": {"bash": {"count": 2, "average": 5, "total": 10}, "sshd": {"count": 9, "average": 1, "total": 9}}})")
                                     << u"stats"_s;
        // A stats shape printed under "map" was a table of stats in the window and a map for MCP.
        QTest::newRow("stats printed as map")
            << QByteArray(R"({"kind": "map", "data": {"k": {"count": 1, "average": 3, "total": 3}}})") << u"stats"_s;
        QTest::newRow("tuple and text values")
            << QByteArray(R"({"kind": "map", "data": {"k": [1, "a"], "s": "text"}})") << u"map"_s;
    }

    // Every key the window's table shows, MCP lists with the same value, and both call the map
    // the same kind.
    void tables()
    {
        QFETCH(QByteArray, stored);
        QFETCH(QString, kind);
        const QJsonObject maps { { u"@m"_s, QJsonDocument::fromJson(stored).object() } };
        MapsView view;
        view.setMaps(maps);
        QVERIFY(view.selectMap(u"@m"_s));
        QSortFilterProxyModel *table = view.proxyModel();
        const QJsonObject mcp = McpRunJson::formatMaps(RunResults::fromJson(maps)).value(u"@m"_s).toObject();
        QCOMPARE(windowKind(view, u"@m"_s), kind);
        QCOMPARE(mcp.value(u"kind"_s).toString(), kind);

        QJsonArray entries = mcp.value(u"entries"_s).toArray();
        if (!mcp.contains(u"entries"_s)) // a map without keys: one row named after the map
            entries = { QJsonObject { { u"key"_s, u"@m"_s }, { u"value"_s, mcp.value(u"value"_s) } } };
        QCOMPARE(table->rowCount(), entries.size());
        QHash<QString, QJsonValue> mcpValues;
        for (const QJsonValue &entry : std::as_const(entries))
            mcpValues.insert(entry.toObject().value(u"key"_s).toString(), entry.toObject().value(u"value"_s));
        for (int row = 0; row < table->rowCount(); ++row) {
            const QString key = table->index(row, 0).data().toString();
            QVERIFY2(mcpValues.contains(key), qPrintable(key));
            const QJsonValue value = mcpValues.value(key);
            if (view.tableModel()->isStats()) {
                const QJsonObject stats = value.toObject();
                QCOMPARE(
                    table->index(row, 1).data(MapTableModel::SortRole).toDouble(), stats.value(u"count"_s).toDouble());
                QCOMPARE(table->index(row, 2).data(MapTableModel::SortRole).toDouble(),
                    stats.value(u"average"_s).toDouble());
                QCOMPARE(
                    table->index(row, 3).data(MapTableModel::SortRole).toDouble(), stats.value(u"total"_s).toDouble());
            } else {
                QCOMPARE(table->index(row, 1).data().toString(),
                    value.isDouble() ? QLocale().toString(value.toInteger()) : MapValue::fromJson(value).text());
            }
        }
    }
};

QTEST_MAIN(TestResultsAgree)
#include "tst_resultsagree.moc"
