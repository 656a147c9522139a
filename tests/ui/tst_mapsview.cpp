// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include <histogramwidget.h>
#include <mapsview.h>
#include <maptablemodel.h>

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QJsonObject sampleMaps()
{
    return QJsonDocument::fromJson(R"({
        "@opens": {"kind": "map", "data": {"bash": 18, "firefox": 42, "sshd": 3}},
        "@bytes": {"kind": "hist", "data": [{"min": 0, "max": 0, "count": 3}, {"min": 2, "max": 3, "count": 5}, {"min": 1024, "max": 2047, "count": 1}]},
        "@lat": {"kind": "hist", "data": {"bash": [{"min": 0, "max": 9, "count": 4}, {"min": 10, "max": 19, "count": 2}], "sshd": [{"min": 0, "max": 9, "count": 1}]}},
        "@sizes": {"kind": "stats", "data": {"count": 12, "average": 340, "total": 4080}}
    })")
        .object();
}
} // namespace

class TestMapsView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void tablesAndHistograms()
    {
        MapsView view;
        view.setMaps(sampleMaps());
        QCOMPARE(view.mapNames().size(), 4);
        // All maps at once first: one chart per histogram (and per key), one table per map.
        QVERIFY(view.isShowingOverview());
        QVERIFY(view.currentMap().isEmpty());
        QCOMPARE(view.overview()->findChildren<HistogramWidget *>().size(), 3);
        const QList<QTableView *> tables = view.overview()->findChildren<QTableView *>();
        QCOMPARE(tables.size(), 2);
        QCOMPARE(tables.first()->model()->index(0, 0).data().toString(), u"firefox"_s); // biggest first
        QVERIFY(view.selectMap(u"@bytes"_s));
        QVERIFY(!view.isShowingOverview());
        QCOMPARE(view.histogram()->labels(), (QStringList { u"[0]"_s, u"[2, 4)"_s, u"[1K, 2K)"_s }));

        QVERIFY(view.selectMap(u"@opens"_s));
        QVERIFY(!view.isShowingHistogram());
        QCOMPARE(view.proxyModel()->rowCount(), 3);
        QCOMPARE(view.proxyModel()->index(0, 0).data().toString(), u"firefox"_s); // biggest first

        // Keyed histogram: one per key, lhist-shaped buckets get linear labels.
        QVERIFY(view.selectMap(u"@lat"_s));
        QVERIFY(view.isShowingHistogram());
        QCOMPARE(view.keyCombo()->count(), 2);
        QCOMPARE(view.histogram()->labels(), (QStringList { u"[0, 10)"_s, u"[10, 20)"_s }));
        view.keyCombo()->setCurrentIndex(1);
        QCOMPARE(view.histogram()->buckets().size(), 1);

        QVERIFY(view.selectMap(u"@sizes"_s));
        QVERIFY(view.tableModel()->isStats());
        QVERIFY(!view.selectMap(u"@missing"_s));

        // A map's name in the overview opens it alone.
        view.showOverview();
        QVERIFY(view.isShowingOverview());
        const QList<QLabel *> labels = view.overview()->findChildren<QLabel *>();
        auto title = std::find_if(labels.cbegin(), labels.cend(),
            [](const QLabel *label) { return label->text().contains(u"href=\"@opens\""_s); });
        QVERIFY(title != labels.cend());
        Q_EMIT(*title)->linkActivated(u"@opens"_s);
        QCOMPARE(view.currentMap(), u"@opens"_s);
        QVERIFY(!view.isShowingOverview());
    }

    void overviewFollowsUpdates()
    {
        MapsView view;
        QJsonObject maps = sampleMaps();
        view.setMaps(maps);
        QVERIFY(view.isShowingOverview());
        // print() sends maps again while the run goes on: the overview stays, with the new values.
        maps.insert(
            u"@opens"_s, QJsonObject { { u"kind"_s, u"map"_s }, { u"data"_s, QJsonObject { { u"vim"_s, 99 } } } });
        view.setMaps(maps);
        QVERIFY(view.isShowingOverview());
        QCOMPARE(
            view.overview()->findChildren<QTableView *>().first()->model()->index(0, 0).data().toString(), u"vim"_s);
        // A map chosen by the person stays chosen across updates.
        QVERIFY(view.selectMap(u"@bytes"_s));
        view.setMaps(maps);
        QCOMPARE(view.currentMap(), u"@bytes"_s);
        // One map: no overview, the map itself.
        view.setMaps(QJsonObject { { u"@n"_s, maps.value(u"@opens"_s) } });
        QVERIFY(!view.isShowingOverview());
        QCOMPARE(view.currentMap(), u"@n"_s);
        view.setMaps({});
        QVERIFY(!view.isShowingOverview());
        QVERIFY(view.currentMap().isEmpty());
    }

    void followsRunMaps()
    {
        FakeEngine engine;
        MapsView view;
        Run *run = engine->runs()->startPersonRun(u"BEGIN { }"_s);
        view.setRun(run);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QTRY_COMPARE(view.mapNames().size(), 4);
        QVERIFY(view.mapNames().contains(u"@bytes"_s));
        QVERIFY(view.isShowingOverview());
    }

    void exportJsonAndText()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY(MapsView::exportMaps(sampleMaps(), dir.path() + u"/m.json"_s, &error));
        QFile json(dir.path() + u"/m.json"_s);
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(json.readAll()).object(), sampleMaps());
        QVERIFY(MapsView::exportMaps(sampleMaps(), dir.path() + u"/m.txt"_s, &error));
        QFile text(dir.path() + u"/m.txt"_s);
        QVERIFY(text.open(QIODevice::ReadOnly));
        const QString content = QString::fromUtf8(text.readAll());
        QVERIFY(content.contains(u"@bytes:\n[0]"_s));
        QVERIFY(content.contains(u"[1K, 2K)"_s));
        QVERIFY(content.contains(u"@opens[firefox]: 42"_s));
        QVERIFY(content.contains(u"@lat[bash]:\n[0, 10)"_s));
        QVERIFY(content.contains(u"count 12"_s));
    }
};

QTEST_MAIN(TestMapsView)
#include "tst_mapsview.moc"
