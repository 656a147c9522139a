// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/heatmapwidget.h"

#include "ui/chartsupport.h"
#include "ui/uihelpers.h"

#include <QHash>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

using namespace Qt::StringLiterals;

namespace {
constexpr int Margin = 10;
constexpr int ScaleWidth = 14;

using BucketId = std::pair<qint64, qint64>;

BucketId bucketId(const HistogramBucket &bucket)
{
    return { bucket.min.value_or(std::numeric_limits<qint64>::min()),
        bucket.max.value_or(std::numeric_limits<qint64>::max()) };
}
} // namespace

HeatmapWidget::HeatmapWidget(QWidget *parent)
    : QWidget(parent)
{
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapWidget::setSeries(const MapSeries &series)
{
    m_series = series;
    rebuild();
}

void HeatmapWidget::setKey(const QString &key)
{
    if (key == m_key)
        return;
    m_key = key;
    rebuild();
}

QString HeatmapWidget::description() const
{
    if (m_keyOrder.isEmpty())
        return {};
    if (m_key.isEmpty())
        return tr("Sum of all %n keys", "", int(m_keyOrder.size()));
    return tr("Key: %1").arg(m_key);
}

void HeatmapWidget::rebuild()
{
    // Counts per key over the series (for the key order), and the union of the buckets: bpftrace
    // prints only the range of buckets that have counts, which differs from print to print.
    std::map<BucketId, HistogramBucket> buckets;
    QHash<QString, qint64> keyTotals;
    Histogram::Scale scale = Histogram::Scale::Log2;
    bool scaleKnown = false;
    auto collect = [&](const Histogram &histogram) {
        if (!scaleKnown) {
            scale = histogram.scale();
            scaleKnown = true;
        }
        for (const HistogramBucket &bucket : histogram.buckets()) {
            HistogramBucket bounds = bucket;
            bounds.count = 0;
            buckets.emplace(bucketId(bucket), bounds);
        }
    };
    for (const MapSnapshot &snapshot : std::as_const(m_series.snapshots)) {
        const MapResult &map = snapshot.map;
        if (!map.isKeyed()) {
            if (const Histogram *histogram = map.value().histogram())
                collect(*histogram);
            continue;
        }
        for (const MapEntry &entry : map.entries()) {
            if (const Histogram *histogram = entry.value.histogram()) {
                keyTotals[entry.key.text()] += histogram->totalCount();
                collect(*histogram);
            }
        }
    }
    QList<std::pair<qint64, QString>> ranked;
    for (auto it = keyTotals.cbegin(); it != keyTotals.cend(); ++it)
        ranked.append({ it.value(), it.key() });
    std::sort(ranked.begin(), ranked.end(),
        [](const auto &a, const auto &b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    m_keyOrder.clear();
    for (const auto &[total, key] : std::as_const(ranked))
        m_keyOrder.append(key);
    if (!m_key.isEmpty() && !keyTotals.contains(m_key))
        m_key.clear();

    m_buckets.clear();
    for (const auto &[id, bucket] : buckets)
        m_buckets.append(bucket);
    m_labels = Histogram(scale, m_buckets).labels();
    QHash<BucketId, int> rows;
    for (int row = 0; row < m_buckets.size(); ++row)
        rows.insert(bucketId(m_buckets.at(row)), row);

    m_times.clear();
    m_counts.clear();
    m_maxCount = 0;
    auto add = [&](QList<qint64> &column, const Histogram &histogram) {
        for (const HistogramBucket &bucket : histogram.buckets())
            column[rows.value(bucketId(bucket))] += bucket.count;
    };
    for (const MapSnapshot &snapshot : std::as_const(m_series.snapshots)) {
        QList<qint64> column(m_buckets.size(), 0);
        const MapResult &map = snapshot.map;
        if (!map.isKeyed()) {
            if (const Histogram *histogram = map.value().histogram())
                add(column, *histogram);
        } else {
            for (const MapEntry &entry : map.entries()) {
                const Histogram *histogram = entry.value.histogram();
                if (histogram && (m_key.isEmpty() || entry.key.text() == m_key))
                    add(column, *histogram);
            }
        }
        for (const qint64 count : std::as_const(column))
            m_maxCount = std::max(m_maxCount, count);
        m_times.append(double(snapshot.msSinceStart) / 1000.0);
        m_counts.append(column);
    }
    m_hover = { -1, -1 };
    update();
}

qint64 HeatmapWidget::count(int column, int row) const
{
    if (column < 0 || column >= m_counts.size() || row < 0 || row >= m_buckets.size())
        return 0;
    return m_counts.at(column).at(row);
}

QColor HeatmapWidget::cellColor(int column, int row) const
{
    const qint64 value = count(column, row);
    if (value <= 0 || m_maxCount <= 0)
        return palette().color(QPalette::Base);
    return ChartSupport::sequentialColor(double(value) / double(m_maxCount));
}

QString HeatmapWidget::legendTitle() const
{
    return m_series.delta ? tr("Count per interval") : tr("Count");
}

QStringList HeatmapWidget::legendTickLabels() const
{
    QStringList labels;
    for (const double tick : ChartSupport::niceTicks(0, double(std::max<qint64>(m_maxCount, 1)), 4)) {
        if (tick <= double(std::max<qint64>(m_maxCount, 1)))
            labels.append(ChartSupport::compactNumber(tick));
    }
    return labels;
}

double HeatmapWidget::columnStart(int column) const
{
    // Each print covers the time since the one before (the first: since the start).
    if (column > 0)
        return m_times.at(column - 1);
    if (m_times.size() > 1 && m_times.at(0) <= 0)
        return m_times.at(0) - (m_times.at(1) - m_times.at(0));
    return 0;
}

HeatmapWidget::Layout HeatmapWidget::layout() const
{
    Layout result;
    const QFontMetricsF fm(font());
    double labelWidth = 0;
    for (const QString &label : m_labels)
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(label));
    double tickWidth = fm.horizontalAdvance(legendTitle()) / 2;
    for (const QString &tick : legendTickLabels())
        tickWidth = std::max(tickWidth, fm.horizontalAdvance(tick));
    const double top = Margin + fm.height() + 4;
    result.caption = QRectF(Margin, Margin / 2.0, width() - 2 * Margin, fm.height());
    const double left = Margin + labelWidth + 8;
    const double right = width() - Margin - tickWidth - 6 - ScaleWidth - 2 * Margin;
    const double bottom = height() - Margin - 2 * fm.height() - 8;
    result.plot = QRectF(QPointF(left, top), QPointF(std::max(left + 10, right), std::max(top + 20, bottom)));
    result.scale = QRectF(result.plot.right() + 2 * Margin, result.plot.top() + fm.height() + 4, ScaleWidth,
        std::max(10.0, result.plot.height() - fm.height() - 4));
    result.xMax = m_times.isEmpty() ? 1 : std::max(m_times.constLast(), 0.001);
    const double xMin = m_times.isEmpty() ? 0 : std::min(0.0, columnStart(0));
    // The axis ends at the last print, so the cells use the whole width.
    const int target = std::max(2, int(result.plot.width() / (fm.horizontalAdvance(u"0000"_s) * 2)));
    for (const double tick : ChartSupport::niceTicks(xMin, result.xMax, target)) {
        if (tick <= result.xMax * (1 + 1e-9) || result.xTicks.isEmpty())
            result.xTicks.append(tick);
    }
    return result;
}

QRectF HeatmapWidget::cellRect(int column, int row) const
{
    if (column < 0 || column >= m_counts.size() || row < 0 || row >= m_buckets.size())
        return {};
    const Layout l = layout();
    const double xMin = l.xTicks.constFirst();
    auto xFor = [&](double t) { return l.plot.left() + (t - xMin) / (l.xMax - xMin) * l.plot.width(); };
    const double rowHeight = l.plot.height() / double(m_buckets.size());
    const double left = xFor(columnStart(column));
    const double right = std::max(left + 1, xFor(m_times.at(column)));
    const double bottom = l.plot.bottom() - row * rowHeight;
    return QRectF(QPointF(left, bottom - rowHeight), QPointF(right, bottom));
}

std::pair<int, int> HeatmapWidget::cellAt(const Layout &l, const QPointF &pos) const
{
    if (m_counts.isEmpty() || m_buckets.isEmpty() || !l.plot.contains(pos))
        return { -1, -1 };
    const double xMin = l.xTicks.constFirst();
    const double time = xMin + (pos.x() - l.plot.left()) / l.plot.width() * (l.xMax - xMin);
    // The first print at or after the time covers it.
    const auto it = std::lower_bound(m_times.cbegin(), m_times.cend(), time);
    if (it == m_times.cend())
        return { -1, -1 };
    const int column = int(it - m_times.cbegin());
    if (time < columnStart(column))
        return { -1, -1 };
    const double rowHeight = l.plot.height() / double(m_buckets.size());
    const int row = std::clamp(int((l.plot.bottom() - pos.y()) / rowHeight), 0, int(m_buckets.size()) - 1);
    return { column, row };
}

QString HeatmapWidget::textAt(const QPoint &pos) const
{
    const auto [column, row] = cellAt(layout(), pos);
    if (column < 0)
        return {};
    QString text = tr("%1 s since the start\nBucket %2\nCount: %3")
                       .arg(QLocale().toString(m_times.at(column), 'f', 1), m_labels.at(row),
                           QLocale().toString(count(column, row)));
    if (m_series.delta)
        text += u' ' + tr("(in that interval)");
    if (!m_keyOrder.isEmpty())
        text += u'\n' + description();
    return text;
}

bool HeatmapWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = textAt(help->pos());
        UiHelpers::showPlainToolTip(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void HeatmapWidget::mouseMoveEvent(QMouseEvent *event)
{
    const auto cell = cellAt(layout(), event->position());
    if (cell != m_hover) {
        m_hover = cell;
        update();
        const QString text = textAt(event->position().toPoint());
        UiHelpers::showPlainToolTip(event->globalPosition().toPoint(), text, this);
    }
}

void HeatmapWidget::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    m_hover = { -1, -1 };
    update();
}

QSize HeatmapWidget::sizeHint() const
{
    return { 640, 360 };
}

QSize HeatmapWidget::minimumSizeHint() const
{
    return { 320, 200 };
}

void HeatmapWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QFontMetricsF fm(font());
    const QColor text = palette().color(QPalette::Text);
    const QColor dim = palette().color(QPalette::PlaceholderText);
    if (m_counts.isEmpty() || m_buckets.isEmpty()) {
        painter.setPen(dim);
        painter.drawText(rect(), Qt::AlignCenter, tr("Nothing printed yet"));
        return;
    }
    const Layout l = layout();
    const QRectF &plot = l.plot;
    const double xMin = l.xTicks.constFirst();
    auto xFor = [&](double t) { return plot.left() + (t - xMin) / (l.xMax - xMin) * plot.width(); };

    painter.setPen(text);
    const QString title = m_series.delta ? tr("%1 per interval").arg(m_series.name) : m_series.name;
    const QString caption = description().isEmpty() ? title : title + u" · "_s + description();
    painter.drawText(
        l.caption, Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(caption, Qt::ElideMiddle, l.caption.width()));

    // Cells: a column per print, a row per bucket. Neighbouring cells touch; no outlines.
    QColor empty = palette().color(QPalette::AlternateBase);
    painter.fillRect(plot, empty);
    for (int column = 0; column < m_counts.size(); ++column) {
        for (int row = 0; row < m_buckets.size(); ++row) {
            if (count(column, row) > 0)
                painter.fillRect(cellRect(column, row).adjusted(0, 0, 0.5, 0.5), cellColor(column, row));
        }
    }
    if (m_hover.first >= 0) {
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(text, 1.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(cellRect(m_hover.first, m_hover.second));
        painter.setRenderHint(QPainter::Antialiasing, false);
    }
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(plot);

    // Bucket labels, thinned so they never overlap.
    const double rowHeight = plot.height() / double(m_buckets.size());
    const int every = std::max(1, int(std::ceil((fm.height() + 2) / rowHeight)));
    painter.setPen(dim);
    for (int row = 0; row < m_buckets.size(); row += every) {
        const double y = plot.bottom() - (row + 0.5) * rowHeight;
        painter.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
            Qt::AlignRight | Qt::AlignVCenter, m_labels.at(row));
    }
    // Time axis.
    const double step = l.xTicks.size() > 1 ? l.xTicks.at(1) - l.xTicks.at(0) : 1;
    for (const double tick : l.xTicks) {
        const double x = xFor(tick);
        painter.setPen(QPen(palette().color(QPalette::Mid), 1));
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
        painter.setPen(dim);
        painter.drawText(QRectF(x - 40, plot.bottom() + 5, 80, fm.height()), Qt::AlignHCenter | Qt::AlignTop,
            ChartSupport::secondsText(tick, step));
    }
    painter.setPen(text);
    painter.drawText(QRectF(plot.left(), plot.bottom() + 7 + fm.height(), plot.width(), fm.height()),
        Qt::AlignHCenter | Qt::AlignTop, tr("Seconds since the run started"));

    // The colour scale: the palette from 0 (bottom) to the largest count (top).
    QLinearGradient gradient(l.scale.bottomLeft(), l.scale.topLeft());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, ChartSupport::sequentialColor(i / 8.0));
    painter.fillRect(l.scale, gradient);
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.drawRect(l.scale);
    painter.setPen(text);
    painter.drawText(QRectF(l.scale.left() - Margin, plot.top(), width() - l.scale.left() + Margin, fm.height()),
        Qt::AlignLeft | Qt::AlignVCenter, legendTitle());
    const double maxCount = double(std::max<qint64>(m_maxCount, 1));
    painter.setPen(dim);
    for (const double tick : ChartSupport::niceTicks(0, maxCount, 4)) {
        if (tick > maxCount)
            break;
        const double y = l.scale.bottom() - tick / maxCount * l.scale.height();
        painter.drawLine(QPointF(l.scale.right(), y), QPointF(l.scale.right() + 3, y));
        painter.drawText(QRectF(l.scale.right() + 6, y - fm.height() / 2, width() - l.scale.right(), fm.height()),
            Qt::AlignLeft | Qt::AlignVCenter, ChartSupport::compactNumber(tick));
    }
}
