// SPDX-License-Identifier: GPL-2.0-or-later
// FleetMapsView: a fleet run's maps merged and per host side by side, a histogram compared host
// by host on one scale, the flame graph with a host filter, and hosts left out said so.
#include "fleetdata.h"
#include "uitestsupport.h"

#include "ui/flamegraphview.h"
#include "ui/fleetmapsview.h"
#include "ui/histogramwidget.h"
#include "ui/mapsview.h"
#include "ui/maptablemodel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
// The row of `key` in the per-host table, -1 when it has none.
int rowOf(const MapTableModel *model, const QString &key)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(MapTableModel::ExportRole).toString() == key)
            return row;
    }
    return -1;
}
} // namespace

class TestFleetMapsView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void hostSelectorAndSummary()
    {
        FleetMapsView view;
        view.setFleetResults(FleetData::databases());
        QCOMPARE(view.hostSelector()->count(), 2 + 4);
        QVERIFY(view.isShowingMerged());
        QCOMPARE(view.hostSelector()->itemText(5), u"db4 (unreachable)"_s);
        QVERIFY(view.hostSelector()->itemData(5, Qt::ToolTipRole).toString().contains(u"Connection refused"_s));
        // The total says it covers three of four hosts and names the one left out, with why.
        const QString summary = view.summaryLabel()->text();
        QVERIFY2(summary.startsWith(u"Merged over 3 of 4 hosts"_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"db4 unreachable: ssh: connect to host db4 port 22: Connection refused"_s),
            qPrintable(summary));
        // One host: the maps view shows that host's own maps.
        QVERIFY(view.showHost(u"db3"_s));
        QCOMPARE(view.shownHost(), u"db3"_s);
        QCOMPARE(view.mapsView()->maps(), view.fleetResults().hostResults(2));
        QVERIFY(view.mapsView()->maps().find(u"@ios"_s)->entryCount() == 4);
        // An unreachable host is there to choose, with nothing to show.
        QVERIFY(view.showHost(u"db4"_s));
        QVERIFY(view.mapsView()->maps().isEmpty());
        view.showMerged();
        QCOMPARE(view.mapsView()->maps(), view.fleetResults().mergedResults());
        // A new result keeps the host chosen.
        QVERIFY(view.showHost(u"db2"_s));
        view.setFleetResults(FleetData::databases());
        QCOMPARE(view.shownHost(), u"db2"_s);
    }

    // A count map: merged and each host's value in columns side by side.
    void perHostColumns()
    {
        FleetMapsView view;
        view.setFleetResults(FleetData::databases());
        QVERIFY(view.mapsView()->selectMap(u"@ios"_s));
        QCOMPARE(view.comparedMap(), u"@ios"_s); // the comparison follows the map chosen
        QVERIFY(!view.isComparingHistograms());
        MapTableModel *model = view.hostTableModel();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model->hostColumnCount(), 4);
        QCOMPARE(model->columnCount(), 1 + 1 + 4);
        const int first = model->firstHostColumn();
        QCOMPARE(model->headerData(model->valueColumn(), Qt::Horizontal).toString(), u"All hosts"_s);
        QCOMPARE(model->headerData(first, Qt::Horizontal).toString(), u"db1"_s);
        QCOMPARE(model->headerData(first + 3, Qt::Horizontal).toString(), u"db4"_s);
        const int postgres = rowOf(model, u"postgres"_s);
        QVERIFY(postgres >= 0);
        QCOMPARE(model->index(postgres, model->valueColumn()).data(MapTableModel::SortRole).toDouble(),
            9000.0 + 6500.0 + 4000.0);
        QCOMPARE(model->index(postgres, first).data(MapTableModel::SortRole).toDouble(), 9000.0);
        QCOMPARE(model->index(postgres, first + 2).data(MapTableModel::SortRole).toDouble(), 4000.0);
        // pg_dump ran on db3 only: the others have no such key, said so rather than 0.
        const int dump = rowOf(model, u"pg_dump"_s);
        QCOMPARE(model->index(dump, first + 2).data(MapTableModel::ExportRole).toString(), u"5200"_s);
        QCOMPARE(model->index(dump, first).data().toString(), u"\u2014"_s);
        QVERIFY(model->index(dump, first).data(Qt::ToolTipRole).toString().contains(u"no such key"_s));
        QCOMPARE(model->index(dump, first + 3).data().toString(), u"\u2014"_s); // unreachable db4
        // Sorted by the merged value, largest first.
        QCOMPARE(view.hostTable()->model()->index(0, 0).data().toString(), u"postgres"_s);

        // Stats: merged count, average and total, then each host's average.
        QVERIFY(view.compareMap(u"@bytes"_s));
        QVERIFY(model->isStats());
        QCOMPARE(model->columnCount(), 1 + 3 + 4);
        QCOMPARE(model->index(0, 1).data(MapTableModel::SortRole).toDouble(), 10000.0 + 8000.0 + 6000.0);
        const qint64 total = 10000LL * 8192 + 8000LL * 12288 + 6000LL * 16384;
        QCOMPARE(model->index(0, 3).data(MapTableModel::SortRole).toDouble(), double(total));
        QCOMPARE(model->index(0, 2).data(MapTableModel::SortRole).toDouble(), double(total / 24000));
        QCOMPARE(model->index(0, model->firstHostColumn() + 1).data(MapTableModel::SortRole).toDouble(), 12288.0);
    }

    // One histogram, host by host: a chart per reporting host, every one on the merged buckets
    // and one scale, so equal bars are equal counts.
    void histogramComparison()
    {
        FleetMapsView view;
        view.resize(1000, 700);
        view.setFleetResults(FleetData::databases());
        QVERIFY(view.mapsView()->selectMap(u"@usecs"_s));
        QVERIFY(view.isComparingHistograms());
        const QList<HistogramWidget *> charts = view.hostCharts();
        QCOMPARE(charts.size(), 3); // db4 reported nothing
        const MergedMap *map = view.fleetResults().find(u"@usecs"_s);
        const QStringList labels = map->value().value.histogram()->labels();
        qint64 largest = 0;
        for (int h = 0; h < 3; ++h) {
            QCOMPARE(charts.at(h)->labels(), labels);
            QCOMPARE(charts.at(h)->histogram(), map->hostHistogram(-1, h));
            for (const HistogramBucket &b : charts.at(h)->buckets())
                largest = qMax(largest, b.count);
        }
        for (HistogramWidget *chart : charts)
            QCOMPARE(chart->scaleMax(), largest);
        QVERIFY(view.hostChartLabels().at(2)->text().startsWith(u"db3: "_s));
        // db3 is the slow one: its largest bucket lies above db1's.
        auto peak = [](const Histogram &h) {
            return std::max_element(h.buckets().cbegin(), h.buckets().cend(),
                       [](const HistogramBucket &a, const HistogramBucket &b) { return a.count < b.count; })
                - h.buckets().cbegin();
        };
        QVERIFY(peak(charts.at(2)->histogram()) > peak(charts.at(0)->histogram()));
        // The merged bars are in the maps view beside it.
        QVERIFY(view.mapsView()->isShowingHistogram());
        QCOMPARE(*view.mapsView()->histogram()->histogram().buckets().constData(),
            map->value().value.histogram()->buckets().first());

        // Side by side in the maps view too: a histogram per host on the same buckets.
        view.showByHost();
        QVERIFY(view.mapsView()->selectMap(u"@usecs"_s));
        QCOMPARE(view.mapsView()->keyCombo()->count(), 3);
        QCOMPARE(view.mapsView()->histogram()->labels(), labels);
    }

    // The flame graph with a host filter: merged, one host, or the host as the first level.
    void flameGraphHostFilter()
    {
        FleetMapsView view;
        view.setFleetResults(FleetData::databases());
        const FleetResults &fleet = view.fleetResults();
        QVERIFY(view.mapsView()->selectMap(u"@samples"_s));
        QVERIFY(view.mapsView()->isShowingFlameGraph());
        FlameGraphView *flame = view.mapsView()->flameGraph();
        QCOMPARE(flame->tree().total(), fleet.stackTree(u"@samples"_s).total());
        view.showHost(u"db2"_s);
        QVERIFY(view.mapsView()->isShowingFlameGraph());
        QCOMPARE(flame->tree().total(), StackTree::fromMap(*fleet.hostResults(1).find(u"@samples"_s)).total());
        QVERIFY(flame->tree().total() < fleet.stackTree(u"@samples"_s).total());
        view.showByHost();
        const StackTree &byHost = flame->tree();
        QCOMPARE(byHost.total(), fleet.stackTree(u"@samples"_s).total());
        QCOMPARE(byHost.node(0).childCount, 3);
        QVERIFY(byHost.find({ u"db3"_s }) > 0);
        QCOMPARE(byHost.node(byHost.find({ u"db2"_s })).total,
            StackTree::fromMap(*fleet.hostResults(1).find(u"@samples"_s)).total());
    }

    // A map the hosts could not merge says why instead of showing a merged value.
    void conflictShown()
    {
        const FleetResults fleet
            = FleetResults::merge({ HostResults { u"a"_s, HostRunState::Finished, {},
                                        RunResults::fromJson(QJsonObject { { u"@x"_s,
                                            QJsonObject { { u"kind"_s, u"hist"_s },
                                                { u"data"_s, QJsonArray { ChartData::bucket(1, 1, 2) } } } } }) },
                HostResults { u"b"_s, HostRunState::Finished, {},
                    RunResults::fromJson(QJsonObject { { u"@x"_s,
                        QJsonObject { { u"kind"_s, u"map"_s }, { u"data"_s, QJsonObject { { u"k"_s, 1 } } } } } }) } });
        FleetMapsView view;
        view.setFleetResults(fleet);
        QVERIFY(view.compareMap(u"@x"_s));
        QVERIFY(!view.isComparingHistograms());
        QVERIFY(view.conflictLabel()->text().contains(u"could not be merged"_s));
        QVERIFY(view.summaryLabel()->text().contains(u"1 map could not be merged"_s));
        // Each host's own map is still there.
        QVERIFY(view.showHost(u"b"_s));
        QCOMPARE(view.mapsView()->maps().find(u"@x"_s)->entryCount(), 1);
    }
};

QTEST_MAIN(TestFleetMapsView)
#include "tst_fleetmapsview.moc"
