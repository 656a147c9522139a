// SPDX-License-Identifier: GPL-2.0-or-later
#include "chartdata.h"

#include "ui/chartsupport.h"
#include "ui/timeserieschart.h"

#include <QImage>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
// Twelve keys k00..k11; key i counts (i + 1) * (snapshot + 1) in each snapshot, printed every second.
MapSeries twelveKeys(int snapshots)
{
    QList<std::pair<qint64, MapResult>> list;
    for (int s = 0; s < snapshots; ++s) {
        QJsonObject counts;
        for (int i = 0; i < 12; ++i)
            counts.insert(u"k%1"_s.arg(i, 2, 10, QChar(u'0')), (i + 1) * (s + 1));
        list.append({ 1000 * (s + 1), ChartData::counts(u"@calls"_s, counts) });
    }
    return ChartData::series(u"@calls"_s, list);
}

QStringList labels(const TimeSeriesChart &chart)
{
    QStringList result;
    for (const TimeSeriesChart::Line &line : chart.lines())
        result.append(line.label);
    return result;
}
} // namespace

class TestTimeSeriesChart : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void topKeysAndOtherSumExactly()
    {
        TimeSeriesChart chart;
        chart.setSeries(twelveKeys(5));
        QCOMPARE(chart.topCount(), 8);
        QCOMPARE(chart.snapshotCount(), 5);
        QCOMPARE(chart.lines().size(), 9);
        QCOMPARE(labels(chart).mid(0, 8),
            (QStringList { u"k11"_s, u"k10"_s, u"k09"_s, u"k08"_s, u"k07"_s, u"k06"_s, u"k05"_s, u"k04"_s }));
        const TimeSeriesChart::Line &other = chart.lines().last();
        QVERIFY(other.other);
        QCOMPARE(other.label, u"other (4 keys)"_s);
        // Keys 0..3 count 1+2+3+4 = 10 per snapshot step.
        QCOMPARE(other.values, (QList<double> { 10, 20, 30, 40, 50 }));
        QCOMPARE(chart.lines().first().values, (QList<double> { 12, 24, 36, 48, 60 }));
        double drawn = 0;
        for (const TimeSeriesChart::Line &line : chart.lines())
            drawn += line.values.at(2);
        QCOMPARE(drawn, 78.0 * 3); // every key of the third snapshot, none lost or twice

        chart.setTopCount(3);
        QCOMPARE(chart.lines().size(), 4);
        QCOMPARE(chart.lines().last().values.first(), 45.0); // k00..k08: 1 + 2 + ... + 9
        // Fewer keys than N: no "other".
        chart.setTopCount(20);
        QCOMPARE(chart.lines().size(), 12);
        QVERIFY(!chart.lines().last().other);
    }

    void scalarMapIsOneLine()
    {
        TimeSeriesChart chart;
        chart.setSeries(ChartData::series(u"@"_s,
            { { 1000, ChartData::scalar(u"@"_s, 5) }, { 2000, ChartData::scalar(u"@"_s, 9) },
                { 3000, ChartData::scalar(u"@"_s, 4) } }));
        QCOMPARE(chart.lines().size(), 1);
        QCOMPARE(chart.lines().first().label, u"@"_s);
        QCOMPARE(chart.lines().first().values, (QList<double> { 5, 9, 4 }));
    }

    void axesInSeconds()
    {
        TimeSeriesChart chart;
        chart.resize(640, 320);
        chart.setSeries(twelveKeys(10));
        QCOMPARE(chart.xAxisTitle(), u"Seconds since the run started"_s);
        const QStringList x = chart.xTickLabels();
        QCOMPARE(x.first(), u"0"_s);
        QCOMPARE(x.last(), u"10"_s); // the last print at 10 s
        for (const QString &label : x) {
            bool ok = false;
            label.toDouble(&ok);
            QVERIFY2(ok, qPrintable(label));
        }
        // Ticks at round values: 0, 2, 4, ... or 0, 1, 2, ...
        const double step = x.at(1).toDouble() - x.at(0).toDouble();
        QVERIFY(step == 1 || step == 2 || step == 5);
        // Values up to 120: ticks end at a round number at or above it, compact.
        QCOMPARE(chart.yTickLabels().first(), u"0"_s);
        QVERIFY(chart.yTickLabels().last().toDouble() >= 120);

        // Sub-second prints get decimals.
        MapSeries fast = ChartData::series(u"@x"_s,
            { { 250, ChartData::scalar(u"@x"_s, 1) }, { 500, ChartData::scalar(u"@x"_s, 2) },
                { 750, ChartData::scalar(u"@x"_s, 3) } });
        chart.setSeries(fast);
        QVERIFY(chart.xTickLabels().join(u' ').contains(u'.'));

        QCOMPARE(ChartSupport::compactNumber(1234567), u"1.23M"_s);
        QCOMPARE(ChartSupport::compactNumber(9999), u"9999"_s);
        QCOMPARE(ChartSupport::compactNumber(25000), u"25K"_s);
    }

    void deltaSeriesSaysPerInterval()
    {
        TimeSeriesChart chart;
        MapSeries series = twelveKeys(3);
        chart.setSeries(series);
        QCOMPARE(chart.yAxisTitle(), u"@calls"_s);
        series.delta = true;
        chart.setSeries(series);
        QVERIFY(chart.isDelta());
        QCOMPARE(chart.yAxisTitle(), u"@calls per interval"_s);
    }

    void hoverShowsTimeKeyAndValue()
    {
        TimeSeriesChart chart;
        chart.resize(640, 320);
        MapSeries series = twelveKeys(5);
        chart.setSeries(series);
        const QPointF point = chart.pointAt(0, 2); // k11 at 3 s: 36
        QVERIFY(chart.rect().contains(point.toPoint()));
        QCOMPARE(chart.textAt(point.toPoint()), u"3.0 s since the start\nk11: 36"_s);
        QCOMPARE(chart.textAt(QPoint(1, 1)), QString());
        series.delta = true;
        chart.setSeries(series);
        QVERIFY(chart.textAt(chart.pointAt(0, 2).toPoint()).endsWith(u"k11: 36 in that interval"_s));
        // The legend names every line; hovering does not throw the chart off.
        QTest::mouseMove(&chart, point.toPoint());
        QVERIFY(!chart.grab().toImage().isNull());
    }

    void liveAppendIsIncremental()
    {
        TimeSeriesChart chart;
        chart.setSeries(twelveKeys(5));
        QCOMPARE(chart.fullRebuildCount(), 1);
        chart.setSeries(twelveKeys(6));
        chart.setSeries(twelveKeys(7));
        QCOMPARE(chart.fullRebuildCount(), 1);
        QCOMPARE(chart.snapshotCount(), 7);
        TimeSeriesChart fresh;
        fresh.setSeries(twelveKeys(7));
        QCOMPARE(labels(chart), labels(fresh));
        for (int i = 0; i < fresh.lines().size(); ++i)
            QCOMPARE(chart.lines().at(i).values, fresh.lines().at(i).values);

        // A new key that becomes the heaviest takes its place among the top lines.
        MapSeries series = twelveKeys(7);
        series.snapshots.append({ 8000, ChartData::counts(u"@calls"_s, { { u"big"_s, 100000 } }) });
        chart.setSeries(series);
        QCOMPARE(chart.fullRebuildCount(), 1);
        QCOMPARE(chart.lines().first().label, u"big"_s);
        QCOMPARE(chart.lines().first().values, (QList<double> { 0, 0, 0, 0, 0, 0, 0, 100000 }));
        QCOMPARE(chart.lines().last().values.last(), 0.0);
        // Another map (or thinned snapshots) is read anew.
        chart.setSeries(twelveKeys(3));
        QCOMPARE(chart.fullRebuildCount(), 2);
        QCOMPARE(chart.snapshotCount(), 3);
    }

    void paintsLinesInTheirColours()
    {
        TimeSeriesChart chart;
        chart.resize(640, 320);
        chart.setSeries(twelveKeys(5));
        const QImage image = chart.grab().toImage();
        const QColor first = ChartSupport::lineColor(0);
        int pixels = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x)
                pixels += QColor(image.pixel(x, y)) == first ? 1 : 0;
        }
        QVERIFY2(pixels > 100, qPrintable(QString::number(pixels)));
    }
};

QTEST_MAIN(TestTimeSeriesChart)
#include "tst_timeserieschart.moc"
