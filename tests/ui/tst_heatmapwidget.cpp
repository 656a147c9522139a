// SPDX-License-Identifier: GPL-2.0-or-later
#include "chartdata.h"

#include "ui/heatmapwidget.h"

#include <QImage>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
// Three prints of a latency histogram; bpftrace prints only the buckets from the first to the last
// with counts, so the range differs from print to print.
MapSeries latency(bool delta = false)
{
    return ChartData::series(u"@lat"_s,
        { { 1000, ChartData::histogram(u"@lat"_s, { { 4, 7, 2 }, { 8, 15, 10 } }) },
            { 2000, ChartData::histogram(u"@lat"_s, { { 2, 3, 1 }, { 4, 7, 40 }, { 8, 15, 5 } }) },
            { 3000, ChartData::histogram(u"@lat"_s, { { 8, 15, 20 }, { 16, 31, 7 } }) } },
        delta);
}

// Perceived brightness: what a sequential palette makes rise with the value.
double luminance(const QColor &color)
{
    return 0.2126 * color.redF() + 0.7152 * color.greenF() + 0.0722 * color.blueF();
}

MapResult keyed(const char *json)
{
    return MapResult::fromBpftraceJson(u"@lat"_s, u"hist"_s, QJsonDocument::fromJson(json).object());
}
} // namespace

class TestHeatmapWidget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void bucketsOfEveryPrint()
    {
        HeatmapWidget heatmap;
        heatmap.setSeries(latency());
        QCOMPARE(heatmap.columnCount(), 3);
        QCOMPARE(heatmap.bucketLabels(), (QStringList { u"[2, 4)"_s, u"[4, 8)"_s, u"[8, 16)"_s, u"[16, 32)"_s }));
        QCOMPARE(heatmap.count(0, 1), 2);
        QCOMPARE(heatmap.count(1, 1), 40);
        QCOMPARE(heatmap.count(0, 0), 0); // not printed in the first print: none
        QCOMPARE(heatmap.count(2, 3), 7);
        QCOMPARE(heatmap.maxCount(), 40);
        QVERIFY(heatmap.keys().isEmpty());
        QVERIFY(heatmap.description().isEmpty());
    }

    void colourFollowsCount()
    {
        HeatmapWidget heatmap;
        heatmap.resize(640, 360);
        heatmap.setSeries(latency());
        // 1 < 2 < 5 < 7 < 10 < 20 < 40: each brighter than the one before on the sequential scale.
        const QList<std::pair<int, int>> byCount { { 1, 0 }, { 0, 1 }, { 1, 2 }, { 2, 3 }, { 0, 2 }, { 2, 2 },
            { 1, 1 } };
        for (int i = 1; i < byCount.size(); ++i) {
            const auto [c0, r0] = byCount.at(i - 1);
            const auto [c1, r1] = byCount.at(i);
            QVERIFY(heatmap.count(c0, r0) < heatmap.count(c1, r1));
            QVERIFY2(luminance(heatmap.cellColor(c0, r0)) < luminance(heatmap.cellColor(c1, r1)),
                qPrintable(u"%1 %2"_s.arg(c0).arg(r0)));
        }
        // No count: the background, not the darkest colour of the scale.
        QCOMPARE(heatmap.cellColor(0, 0), heatmap.palette().color(QPalette::Base));
        // What is drawn is that colour.
        const QImage image = heatmap.grab().toImage();
        const QPoint center = heatmap.cellRect(1, 1).center().toPoint();
        QCOMPARE(QColor(image.pixel(center)), heatmap.cellColor(1, 1));
        // Later prints lie to the right, larger buckets higher.
        QVERIFY(heatmap.cellRect(2, 1).left() > heatmap.cellRect(1, 1).left());
        QVERIFY(heatmap.cellRect(1, 2).top() < heatmap.cellRect(1, 1).top());
        QCOMPARE(heatmap.legendTickLabels().first(), u"0"_s);
        QCOMPARE(heatmap.legendTickLabels().last(), u"40"_s);
    }

    void hoverShowsTimeBucketAndCount()
    {
        HeatmapWidget heatmap;
        heatmap.resize(640, 360);
        heatmap.setSeries(latency());
        const QPoint center = heatmap.cellRect(1, 1).center().toPoint();
        QCOMPARE(heatmap.textAt(center), u"2.0 s since the start\nBucket [4, 8)\nCount: 40"_s);
        QCOMPARE(heatmap.textAt(QPoint(1, 1)), QString());
        heatmap.setSeries(latency(true));
        QVERIFY(heatmap.textAt(center).endsWith(u"Count: 40 (in that interval)"_s));
        QCOMPARE(heatmap.legendTitle(), u"Count per interval"_s);
    }

    void keyedHistogramOneKeyOrTheSum()
    {
        HeatmapWidget heatmap;
        heatmap.setSeries(ChartData::series(u"@lat"_s,
            { { 1000,
                  keyed(
                      R"({"bash": [{"min": 4, "max": 7, "count": 3}], "sshd": [{"min": 4, "max": 7, "count": 5}]})") },
                { 2000,
                    keyed(
                        R"({"bash": [{"min": 4, "max": 7, "count": 1}], "sshd": [{"min": 8, "max": 15, "count": 9}]})") } }));
        QCOMPARE(heatmap.keys(), (QStringList { u"sshd"_s, u"bash"_s })); // heaviest first
        QCOMPARE(heatmap.description(), u"Sum of all 2 keys"_s);
        QCOMPARE(heatmap.count(0, 0), 8);
        heatmap.setKey(u"bash"_s);
        QCOMPARE(heatmap.description(), u"Key: bash"_s);
        QCOMPARE(heatmap.count(0, 0), 3);
        QCOMPARE(heatmap.count(1, 1), 0);
        heatmap.setKey(QString());
        QCOMPARE(heatmap.count(1, 1), 9);
    }
};

QTEST_MAIN(TestHeatmapWidget)
#include "tst_heatmapwidget.moc"
