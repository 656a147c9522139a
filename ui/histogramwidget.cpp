// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/histogramwidget.h"

#include "ui/chartsupport.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

using namespace Qt::StringLiterals;

namespace {
constexpr int rowSpacing = 4;
constexpr int margin = 8;
} // namespace

HistogramWidget::HistogramWidget(QWidget *parent)
    : QWidget(parent)
{
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void HistogramWidget::setHistogram(const Histogram &histogram)
{
    m_histogram = histogram;
    updateGeometry();
    update();
}

void HistogramWidget::setSharedScale(qint64 count)
{
    if (count == m_sharedScale)
        return;
    m_sharedScale = qMax<qint64>(0, count);
    updateGeometry();
    update();
}

QStringList HistogramWidget::scaleLabels() const
{
    QStringList labels;
    const double max = double(qMax<qint64>(1, scaleMax()));
    for (const double tick : ChartSupport::niceTicks(0, max, 4)) {
        if (tick <= max)
            labels.append(ChartSupport::compactNumber(tick));
    }
    return labels;
}

QSize HistogramWidget::sizeHint() const
{
    const int row = fontMetrics().height() + rowSpacing;
    const int scaleRow = m_sharedScale > 0 ? row + 4 : 0;
    return { 480, 2 * margin + qMax(1, int(m_histogram.buckets().size())) * row + scaleRow };
}

QSize HistogramWidget::minimumSizeHint() const
{
    return { 240, sizeHint().height() };
}

void HistogramWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm = fontMetrics();
    const QList<HistogramBucket> &buckets = m_histogram.buckets();
    const QStringList labels = m_histogram.labels();
    if (buckets.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No buckets yet"));
        return;
    }
    const qint64 maxCount = scaleMax();
    int labelWidth = 0;
    int countWidth = 0;
    const QLocale locale;
    for (int i = 0; i < buckets.size(); ++i) {
        labelWidth = qMax(labelWidth, fm.horizontalAdvance(labels.at(i)));
        countWidth = qMax(countWidth, fm.horizontalAdvance(locale.toString(buckets.at(i).count)));
    }
    const int rowHeight = fm.height() + rowSpacing;
    const int countX = margin + labelWidth + 12;
    const int barX = countX + countWidth + 10;
    const int barMax = qMax(10, width() - barX - margin);
    const QColor barColor = palette().color(QPalette::Highlight);
    const QColor gridColor = palette().color(QPalette::Mid);

    painter.setPen(gridColor);
    painter.drawLine(barX, margin, barX, margin + int(buckets.size()) * rowHeight);
    for (int i = 0; i < buckets.size(); ++i) {
        const int y = margin + i * rowHeight;
        const HistogramBucket &b = buckets.at(i);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(margin, y, labelWidth, rowHeight), Qt::AlignRight | Qt::AlignVCenter, labels.at(i));
        painter.drawText(
            QRect(countX, y, countWidth, rowHeight), Qt::AlignRight | Qt::AlignVCenter, locale.toString(b.count));
        if (b.count <= 0 || maxCount <= 0)
            continue;
        const double fraction = qMin(1.0, double(b.count) / double(maxCount));
        const QRectF bar(barX + 1, y + 2, qMax(2.0, fraction * barMax), rowHeight - 4);
        QPainterPath path;
        path.addRoundedRect(bar, 2, 2);
        painter.fillPath(path, barColor);
    }
    if (m_sharedScale <= 0)
        return;
    // The shared scale: ticks under the bars, so a short bar reads as few next to other keys.
    const int axisY = margin + int(buckets.size()) * rowHeight + 2;
    painter.setPen(gridColor);
    painter.drawLine(barX, axisY, barX + barMax, axisY);
    const double max = double(maxCount);
    const QStringList ticks = scaleLabels();
    const QList<double> values = ChartSupport::niceTicks(0, max, 4);
    for (int i = 0; i < ticks.size(); ++i) {
        const int x = barX + int(values.at(i) / max * barMax);
        painter.setPen(gridColor);
        painter.drawLine(x, axisY, x, axisY + 3);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        const int textWidth = fm.horizontalAdvance(ticks.at(i));
        painter.drawText(
            QRect(qMin(x - textWidth / 2, width() - margin - textWidth), axisY + 3, textWidth + 2, fm.height()),
            Qt::AlignLeft | Qt::AlignTop, ticks.at(i));
    }
    painter.drawText(
        QRect(margin, axisY + 3, barX - margin - 10, fm.height()), Qt::AlignRight | Qt::AlignTop, tr("shared scale"));
}
