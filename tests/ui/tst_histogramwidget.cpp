// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/histogramwidget.h"

#include <QImage>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
Histogram log2(const QList<HistogramBucket> &buckets)
{
    return Histogram(Histogram::Scale::Log2, buckets);
}
} // namespace

class TestHistogramWidget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesAndPaints()
    {
        HistogramWidget widget;
        widget.setHistogram(log2({ { 0, 0, 3 }, { 1, 1, 1 }, { 2, 3, 5 }, { 1024, 2047, 9 } }));
        QCOMPARE(widget.labels(), (QStringList { u"[0]"_s, u"[1]"_s, u"[2, 4)"_s, u"[1K, 2K)"_s }));
        QCOMPARE(widget.buckets().at(3).count, 9);
        widget.resize(500, widget.sizeHint().height());
        const QImage image = widget.grab().toImage();
        // The longest bar (count 9) is drawn in the highlight colour across most of the width.
        const QColor highlight = widget.palette().color(QPalette::Highlight);
        int highlighted = 0;
        const int y = image.height() - 14;
        for (int x = 0; x < image.width(); ++x)
            highlighted += QColor(image.pixel(x, y)) == highlight ? 1 : 0;
        QVERIFY2(highlighted > image.width() / 3, qPrintable(QString::number(highlighted)));
    }

    void sizeGrowsWithBuckets()
    {
        HistogramWidget widget;
        widget.setHistogram(log2({ { 0, 0, 1 } }));
        const int small = widget.sizeHint().height();
        QList<HistogramBucket> many;
        for (int i = 0; i < 20; ++i)
            many.append({ qint64(1) << i, (qint64(2) << i) - 1, i });
        widget.setHistogram(log2(many));
        QVERIFY(widget.sizeHint().height() > small * 5);
    }
};

QTEST_MAIN(TestHistogramWidget)
#include "tst_histogramwidget.moc"
