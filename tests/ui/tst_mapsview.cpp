// SPDX-License-Identifier: GPL-2.0-or-later
#include "chartdata.h"
#include "uitestsupport.h"

#include "engine/results/stacktree.h"
#include "ui/flamegraphview.h"
#include "ui/flamegraphwidget.h"
#include "ui/heatmapwidget.h"
#include "ui/histogramwidget.h"
#include "ui/mapsview.h"
#include "ui/maptablemodel.h"
#include "ui/timeserieschart.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QXmlStreamReader>

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

QJsonValue countsMap(const QJsonObject &counts)
{
    return QJsonObject { { u"kind"_s, u"map"_s }, { u"data"_s, counts } };
}

// By name, not by position: findChildren() promises no order.
QTableView *overviewTable(const MapsView &view, const QString &map)
{
    const QList<QTableView *> tables = view.overview()->findChildren<QTableView *>();
    for (QTableView *table : tables) {
        if (table->accessibleName() == map + u" table"_s)
            return table;
    }
    return nullptr;
}

QString firstKey(const QTableView *table)
{
    return table ? table->model()->index(0, 0).data().toString() : QString();
}

QLabel *labelWithText(const QWidget *parent, const QString &text)
{
    const QList<QLabel *> labels = parent->findChildren<QLabel *>();
    auto it
        = std::find_if(labels.cbegin(), labels.cend(), [&text](const QLabel *label) { return label->text() == text; });
    return it == labels.cend() ? nullptr : *it;
}

QScrollArea *overviewArea(const MapsView &view)
{
    const QList<QScrollArea *> areas = view.findChildren<QScrollArea *>();
    auto it = std::find_if(
        areas.cbegin(), areas.cend(), [](const QScrollArea *area) { return area->accessibleName() == u"All maps"_s; });
    return it == areas.cend() ? nullptr : *it;
}

// @calls printed every second: the run's maps with the latest print and its series.
RunResults callsOverTime(int prints)
{
    RunResults results;
    for (int i = 1; i <= prints; ++i) {
        const MapResult map = ChartData::counts(u"@calls"_s, { { u"read"_s, 10 * i }, { u"write"_s, i } });
        results.appendSnapshot(1000 * i, map);
        results.insert(map);
    }
    return results;
}

void showWindow(QWidget *widget)
{
    widget->resize(600, 400);
    widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(widget));
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
        QCOMPARE(view.overview()->findChildren<QTableView *>().size(), 2);
        QVERIFY(overviewTable(view, u"@sizes"_s));
        QCOMPARE(firstKey(overviewTable(view, u"@opens"_s)), u"firefox"_s); // biggest first
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
        showWindow(&view);
        QJsonObject maps = sampleMaps();
        view.setMaps(maps);
        QVERIFY(view.isShowingOverview());
        // print() sends maps again while the run goes on: the overview stays, with the new values.
        maps.insert(u"@opens"_s, countsMap({ { u"vim"_s, 99 } }));
        view.setMaps(maps);
        QVERIFY(view.isShowingOverview());
        QTRY_COMPARE(firstKey(overviewTable(view, u"@opens"_s)), u"vim"_s);
        // A map chosen by the person stays chosen across updates.
        QVERIFY(view.selectMap(u"@bytes"_s));
        view.setMaps(maps);
        QCOMPARE(view.currentMap(), u"@bytes"_s);
        // One map: no overview, the map itself.
        view.setMaps(QJsonObject { { u"@n"_s, maps.value(u"@opens"_s) } });
        QVERIFY(!view.isShowingOverview());
        QCOMPARE(view.currentMap(), u"@n"_s);
        view.setMaps(RunResults());
        QVERIFY(!view.isShowingOverview());
        QVERIFY(view.currentMap().isEmpty());
    }

    void hiddenOverviewWaitsUntilShown()
    {
        MapsView view;
        showWindow(&view);
        QJsonObject maps = sampleMaps();
        view.setMaps(maps);
        QVERIFY(view.isShowingOverview());
        const int rebuilds = view.overviewRebuildCount();
        const QPointer<QTableView> opens = overviewTable(view, u"@opens"_s);
        QVERIFY(opens);

        // One map chosen: updates leave the overview alone...
        QVERIFY(view.selectMap(u"@bytes"_s));
        for (int i = 0; i < 5; ++i) {
            maps.insert(u"@opens"_s, countsMap({ { u"vim"_s, 1000 + i } }));
            view.setMaps(maps);
        }
        QTest::qWait(400); // longer than the overview waits between updates
        QCOMPARE(view.overviewRebuildCount(), rebuilds);
        QCOMPARE(firstKey(opens), u"firefox"_s);
        // ...until it is shown again, then it is current at once.
        view.showOverview();
        QCOMPARE(view.overviewRebuildCount(), rebuilds + 1);
        QCOMPARE(overviewTable(view, u"@opens"_s), opens.get());
        QCOMPARE(firstKey(opens), u"vim"_s);
        QCOMPARE(opens->model()->index(0, 1).data(MapTableModel::SortRole).toInt(), 1004);

        // The same while the whole view is hidden (another tab of the run is in front).
        view.hide();
        maps.insert(u"@opens"_s, countsMap({ { u"zsh"_s, 7 } }));
        view.setMaps(maps);
        QTest::qWait(400);
        QCOMPARE(view.overviewRebuildCount(), rebuilds + 1);
        QCOMPARE(firstKey(opens), u"vim"_s);
        view.show();
        QCOMPARE(view.overviewRebuildCount(), rebuilds + 2);
        QCOMPARE(firstKey(opens), u"zsh"_s);
    }

    void rapidUpdatesAreCoalesced()
    {
        MapsView view;
        showWindow(&view);
        QJsonObject maps = sampleMaps();
        view.setMaps(maps);
        const int rebuilds = view.overviewRebuildCount();
        for (int i = 0; i < 200; ++i) {
            maps.insert(u"@opens"_s, countsMap({ { u"vim"_s, i }, { u"bash"_s, 100 } }));
            view.setMaps(maps);
        }
        QCOMPARE(view.overviewRebuildCount(), rebuilds); // none while the updates pour in
        QTRY_COMPARE(firstKey(overviewTable(view, u"@opens"_s)), u"vim"_s); // 199 beats 100
        QCOMPARE(overviewTable(view, u"@opens"_s)->model()->index(0, 1).data(MapTableModel::SortRole).toInt(), 199);
        QVERIFY2(view.overviewRebuildCount() - rebuilds <= 2, qPrintable(QString::number(view.overviewRebuildCount())));
    }

    void updatesKeepScrollSortAndFocus()
    {
        MapsView view;
        showWindow(&view);
        view.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        QJsonObject maps = sampleMaps();
        for (int i = 0; i < 6; ++i)
            maps.insert(u"@more%1"_s.arg(i), countsMap({ { u"a"_s, 1 }, { u"b"_s, 2 }, { u"c"_s, 3 } }));
        view.setMaps(maps);
        QVERIFY(view.isShowingOverview());
        QScrollArea *area = overviewArea(view);
        QVERIFY(area);
        QScrollBar *scrollBar = area->verticalScrollBar();
        QTRY_VERIFY(scrollBar->maximum() > 100);
        scrollBar->setValue(scrollBar->maximum() / 2);
        const int scrolled = scrollBar->value();
        const QPointer<QTableView> opens = overviewTable(view, u"@opens"_s);
        QVERIFY(opens);
        opens->sortByColumn(0, Qt::AscendingOrder); // by key, not by the biggest
        opens->setFocus();
        QCOMPARE(QApplication::focusWidget(), opens.get());
        QCOMPARE(firstKey(opens), u"bash"_s);

        const int rebuilds = view.overviewRebuildCount();
        maps.insert(u"@opens"_s, countsMap({ { u"zsh"_s, 1000 }, { u"awk"_s, 1 }, { u"bash"_s, 5 } }));
        view.setMaps(maps);
        QTRY_COMPARE(view.overviewRebuildCount(), rebuilds + 1);
        QCOMPARE(overviewTable(view, u"@opens"_s), opens.get());
        QCOMPARE(opens->horizontalHeader()->sortIndicatorSection(), 0);
        QCOMPARE(opens->horizontalHeader()->sortIndicatorOrder(), Qt::AscendingOrder);
        QCOMPARE(firstKey(opens), u"awk"_s);
        QCOMPARE(scrollBar->value(), scrolled);
        QCOMPARE(QApplication::focusWidget(), opens.get());

        // A map that goes away and comes back gets the order the person chose for it.
        const QJsonValue opensMap = maps.take(u"@opens"_s);
        view.setMaps(maps);
        QTRY_VERIFY(!overviewTable(view, u"@opens"_s));
        maps.insert(u"@opens"_s, opensMap);
        view.setMaps(maps);
        QTRY_VERIFY(overviewTable(view, u"@opens"_s));
        QTableView *again = overviewTable(view, u"@opens"_s);
        QCOMPARE(again->horizontalHeader()->sortIndicatorSection(), 0);
        QCOMPARE(again->horizontalHeader()->sortIndicatorOrder(), Qt::AscendingOrder);
        QCOMPARE(firstKey(again), u"awk"_s);
        // Other maps start with the biggest first.
        QCOMPARE(overviewTable(view, u"@more0"_s)->horizontalHeader()->sortIndicatorSection(), 1);
        QCOMPARE(firstKey(overviewTable(view, u"@more0"_s)), u"c"_s);
    }

    void overviewIsAccessible()
    {
        MapsView view;
        view.setMaps(sampleMaps());
        QVERIFY(view.isShowingOverview());
        for (const QString &map : { u"@opens"_s, u"@sizes"_s }) {
            QTableView *table = overviewTable(view, map);
            QVERIFY2(table, qPrintable(map));
            // Tab leaves the table for the next map instead of walking its cells.
            QVERIFY(!table->tabKeyNavigation());
        }
        QStringList charts;
        const QList<HistogramWidget *> widgets = view.overview()->findChildren<HistogramWidget *>();
        for (const HistogramWidget *chart : widgets)
            charts.append(chart->accessibleName());
        charts.sort();
        QCOMPARE(charts, (QStringList { u"@bytes chart"_s, u"@lat [bash] chart"_s, u"@lat [sshd] chart"_s }));
    }

    void tracedTextIsShownLiterally()
    {
        const QJsonArray buckets { QJsonObject { { u"min"_s, 0 }, { u"max"_s, 0 }, { u"count"_s, 1 } } };
        MapsView view;
        view.setMaps(QJsonObject {
            { u"@h"_s,
                QJsonObject { { u"kind"_s, u"hist"_s }, { u"data"_s, QJsonObject { { u"<b>x</b>"_s, buckets } } } } },
            { u"@s"_s, QJsonObject { { u"kind"_s, u"map"_s }, { u"data"_s, u"<b>x</b>"_s } } },
            { u"@<i>"_s, QJsonObject { { u"kind"_s, u"map"_s }, { u"data"_s, 1 } } },
        });
        QVERIFY(view.isShowingOverview());
        QLabel *key = labelWithText(view.overview(), u"[<b>x</b>]"_s);
        QVERIFY(key);
        QCOMPARE(key->textFormat(), Qt::PlainText);
        QLabel *value = labelWithText(view.overview(), u"<b>x</b>"_s);
        QVERIFY(value);
        QCOMPARE(value->textFormat(), Qt::PlainText);
        // The map's name is a rich-text link, so it goes in escaped.
        const QList<QLabel *> labels = view.overview()->findChildren<QLabel *>();
        auto title = std::find_if(labels.cbegin(), labels.cend(),
            [](const QLabel *label) { return label->text().contains(u"href=\"@&lt;i&gt;\""_s); });
        QVERIFY(title != labels.cend());
        QVERIFY((*title)->text().contains(u"<b>@&lt;i&gt;</b>"_s));
    }

    void overviewTablesHoldTheBiggest()
    {
        QJsonObject counts;
        for (int i = 0; i < 1000; ++i)
            counts.insert(u"k%1"_s.arg(i, 4, 10, QChar(u'0')), i);
        QJsonObject maps = sampleMaps();
        maps.insert(u"@many"_s, countsMap(counts));
        MapsView view;
        view.setMaps(maps);
        QTableView *table = overviewTable(view, u"@many"_s);
        QVERIFY(table);
        QCOMPARE(table->model()->rowCount(), 100);
        QCOMPARE(firstKey(table), u"k0999"_s);
        table->sortByColumn(1, Qt::AscendingOrder);
        QCOMPARE(firstKey(table), u"k0900"_s); // the smallest of the biggest hundred
        QVERIFY(labelWithText(
            view.overview(), u"100 of %1 entries; open the map to see all of them."_s.arg(QLocale().toString(1000))));
        // The map alone has every entry.
        QVERIFY(view.selectMap(u"@many"_s));
        QCOMPARE(view.proxyModel()->rowCount(), 1000);
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

    void seriesShowsAChartAndEachSnapshot()
    {
        MapsView view;
        showWindow(&view);
        view.setMaps(callsOverTime(3));
        QCOMPARE(view.currentMap(), u"@calls"_s);
        QVERIFY(view.hasChart());
        QVERIFY(view.isShowingChart());
        QVERIFY(view.lineChart()->isVisible());
        QCOMPARE(view.lineChart()->snapshotCount(), 3);
        QCOMPARE(view.lineChart()->lines().size(), 2);

        // The table of a print is one click away, at the latest print.
        QTabBar *tabs = view.mapTabs()->tabBar();
        QVERIFY(tabs->isVisible());
        QCOMPARE(tabs->tabText(1), u"Table"_s);
        QTest::mouseClick(tabs, Qt::LeftButton, {}, tabs->tabRect(1).center());
        QVERIFY(!view.isShowingChart());
        QVERIFY(view.tableView()->isVisible());
        QCOMPARE(view.snapshotLabel()->text(), u"Snapshot 3 of 3, 3.0 s"_s);
        QCOMPARE(view.proxyModel()->index(0, 1).data(MapTableModel::SortRole).toInt(), 30);
        view.setSnapshotIndex(0);
        QCOMPARE(view.snapshotLabel()->text(), u"Snapshot 1 of 3, 1.0 s"_s);
        QCOMPARE(view.proxyModel()->index(0, 1).data(MapTableModel::SortRole).toInt(), 10);

        // Live: a new print leaves a chosen snapshot and the chosen tab alone...
        view.setMaps(callsOverTime(4));
        QVERIFY(!view.isShowingChart());
        QCOMPARE(view.snapshotIndex(), 0);
        QCOMPARE(view.snapshotLabel()->text(), u"Snapshot 1 of 4, 1.0 s"_s);
        QCOMPARE(view.lineChart()->snapshotCount(), 4);
        // ...and at the last print the table follows.
        view.setSnapshotIndex(3);
        view.setMaps(callsOverTime(5));
        QCOMPARE(view.snapshotIndex(), 4);
        QCOMPARE(view.proxyModel()->index(0, 1).data(MapTableModel::SortRole).toInt(), 50);
        view.showChart();
        QVERIFY(view.isShowingChart());
    }

    void mapPrintedOnceHasNoChart()
    {
        MapsView view;
        view.setMaps(callsOverTime(1));
        QVERIFY(!view.hasChart());
        QVERIFY(!view.isShowingChart());
        QVERIFY(view.mapTabs()->tabBar()->isHidden());
        QVERIFY(view.snapshotSlider()->isHidden());
        QCOMPARE(view.proxyModel()->rowCount(), 2);
        // The second print brings the chart, and it comes to the front.
        view.setMaps(callsOverTime(2));
        QVERIFY(view.hasChart());
        QVERIFY(view.isShowingChart());
    }

    // A map keyed by a call stack (as bpftrace's JSON prints a kstack key) opens on its flame
    // graph; the table is one click away, and a map without stacks has no flame graph tab.
    void stackMapOpensOnItsFlameGraph()
    {
        const QJsonObject data = QJsonDocument::fromJson(R"({"@": {
            "\\n        pv_native_safe_halt+11\\n        default_idle+5\\n        do_idle+476\\n": 297,
            "\\n        vfs_read+187\\n        ksys_read+111\\n        do_syscall_64+130\\n": 40},
            "@calls": {"bash": 3}})")
                                     .object();
        QVERIFY(!data.isEmpty());
        RunResults maps;
        maps.insertBpftraceJson(u"map"_s, data);
        MapsView view;
        view.resize(900, 600);
        view.setMaps(maps);
        QVERIFY(view.selectMap(u"@"_s));
        QVERIFY(view.isShowingFlameGraph());
        QVERIFY(!view.mapTabs()->tabBar()->isHidden());
        QVERIFY(view.flameGraph()->hasStacks());
        QCOMPARE(view.flameGraph()->tree().find({ u"do_syscall_64"_s, u"ksys_read"_s, u"vfs_read"_s }) >= 0, true);
        QCOMPARE(view.currentChart(), static_cast<QWidget *>(view.flameGraph()->graph()));
        view.showSnapshot();
        QVERIFY(!view.isShowingFlameGraph());
        QCOMPARE(view.proxyModel()->rowCount(), 2);
        // A print of the same map keeps the tab the person chose.
        view.setMaps(maps);
        QVERIFY(!view.isShowingFlameGraph());

        QVERIFY(view.selectMap(u"@calls"_s));
        QVERIFY(!view.isShowingFlameGraph());
        QVERIFY(!view.mapTabs()->isTabVisible(view.mapTabs()->indexOf(view.flameGraph())));
        QVERIFY(!view.flameGraph()->hasStacks());
    }

    void histogramSeriesIsAHeatmap()
    {
        RunResults results;
        for (int i = 1; i <= 3; ++i) {
            const MapResult map = MapResult::fromBpftraceJson(u"@lat"_s, u"hist"_s,
                QJsonObject { { u"bash"_s, QJsonArray { ChartData::bucket(4, 7, i) } },
                    { u"sshd"_s, QJsonArray { ChartData::bucket(8, 15, 2 * i) } } });
            results.appendSnapshot(500 * i, map);
            results.insert(map);
        }
        MapsView view;
        view.setMaps(results);
        QVERIFY(view.isShowingChart());
        QCOMPARE(view.currentChart(), view.heatmap());
        QCOMPARE(view.heatmap()->columnCount(), 3);
        // The sum of every key unless one is chosen; the heatmap says which.
        QCOMPARE(view.heatmapKeyCombo()->count(), 3);
        QCOMPARE(view.heatmapKeyCombo()->itemText(0), u"Sum of all keys"_s);
        QCOMPARE(view.heatmap()->description(), u"Sum of all 2 keys"_s);
        view.heatmapKeyCombo()->setCurrentIndex(view.heatmapKeyCombo()->findText(u"bash"_s));
        QCOMPARE(view.heatmap()->key(), u"bash"_s);
        view.setMaps(results); // a new print keeps the choice
        QCOMPARE(view.heatmap()->key(), u"bash"_s);
        view.showSnapshot();
        QVERIFY(view.isShowingHistogram());
        QCOMPARE(view.currentChart(), view.histogram());
    }

    void keyedHistogramsShareOneScale()
    {
        MapsView view;
        view.setMaps(sampleMaps());
        QVERIFY(view.isShowingOverview());
        QList<HistogramWidget *> charts;
        const QList<HistogramWidget *> all = view.overview()->findChildren<HistogramWidget *>();
        for (HistogramWidget *chart : all) {
            if (chart->accessibleName().startsWith(u"@lat ["_s))
                charts.append(chart);
        }
        QCOMPARE(charts.size(), 2);
        // bash's biggest bucket has 4, sshd's 1: both drawn against 4, the scale shown.
        for (const HistogramWidget *chart : std::as_const(charts)) {
            QCOMPARE(chart->scaleMax(), 4);
            QCOMPARE(chart->scaleLabels().last(), u"4"_s);
        }
        QVERIFY(view.selectMap(u"@lat"_s));
        view.keyCombo()->setCurrentIndex(1); // sshd
        QCOMPARE(view.histogram()->scaleMax(), 4);
        // A histogram without keys keeps its own scale.
        QVERIFY(view.selectMap(u"@bytes"_s));
        QCOMPARE(view.histogram()->sharedScale(), 0);
    }

    void overviewChartsSeries()
    {
        RunResults results = callsOverTime(3);
        results.insert(ChartData::counts(u"@once"_s, { { u"x"_s, 1 } }));
        MapsView view;
        view.setMaps(results);
        QVERIFY(view.isShowingOverview());
        const QList<TimeSeriesChart *> charts = view.overview()->findChildren<TimeSeriesChart *>();
        QCOMPARE(charts.size(), 1);
        QCOMPARE(charts.first()->accessibleName(), u"@calls chart over time"_s);
        QCOMPARE(charts.first()->snapshotCount(), 3);
        QVERIFY(overviewTable(view, u"@calls"_s)); // and the latest print as a table
    }

    void valueColumnStaysInView()
    {
        QJsonObject counts;
        counts.insert(u"/a/very/long/path/"_s.repeated(30), 5);
        MapsView view;
        showWindow(&view);
        view.setMaps(QJsonObject { { u"@paths"_s, countsMap(counts) } });
        QTableView *table = view.tableView();
        const QRect value = table->visualRect(table->model()->index(0, 1));
        QVERIFY(value.width() > 0);
        QVERIFY2(value.right() <= table->viewport()->width(), qPrintable(QString::number(value.right())));
        QCOMPARE(table->horizontalScrollBar()->value(), 0);
    }

    void exportsTableSeriesAndChart()
    {
        QTemporaryDir dir;
        MapsView view;
        view.resize(700, 400);
        view.setMaps(callsOverTime(3));
        QString error;
        QVERIFY2(view.exportChart(dir.filePath(u"c.svg"_s), &error), qPrintable(error));
        QFile svg(dir.filePath(u"c.svg"_s));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svg);
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY2(view.exportChart(dir.filePath(u"c.png"_s), &error), qPrintable(error));
        QVERIFY(!QImage(dir.filePath(u"c.png"_s)).isNull());
        QVERIFY2(view.exportSeriesCsv(dir.filePath(u"s.csv"_s), &error), qPrintable(error));
        QFile series(dir.filePath(u"s.csv"_s));
        QVERIFY(series.open(QIODevice::ReadOnly));
        QCOMPARE(series.readLine(), "time_s,key,value\r\n");
        QCOMPARE(series.readAll().count('\n'), 6); // 3 prints of 2 keys
        view.showSnapshot();
        view.setSnapshotIndex(0);
        QVERIFY(!view.exportChart(dir.filePath(u"none.png"_s), &error)); // a table is no chart
        QVERIFY2(view.exportTableCsv(dir.filePath(u"t.csv"_s), &error), qPrintable(error));
        QFile table(dir.filePath(u"t.csv"_s));
        QVERIFY(table.open(QIODevice::ReadOnly));
        QCOMPARE(table.readAll(), "Key,Value\r\nread,10\r\nwrite,1\r\n"); // the print shown, in its order
    }

    void exportJsonAndText()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY(MapsView::exportMaps(RunResults::fromJson(sampleMaps()), dir.path() + u"/m.json"_s, &error));
        QFile json(dir.path() + u"/m.json"_s);
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(json.readAll()).object(), sampleMaps());
        QVERIFY(MapsView::exportMaps(RunResults::fromJson(sampleMaps()), dir.path() + u"/m.txt"_s, &error));
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
