// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/timeserieschart.h"

#include "ui/chartsupport.h"
#include "ui/uihelpers.h"

#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace {
constexpr int Margin = 10;
constexpr int Swatch = 14;
// Points are marked while they are few enough to tell apart.
constexpr int MarkedPoints = 40;

QString valueText(double value)
{
    if (value == std::round(value) && std::abs(value) < 9e15)
        return QLocale().toString(qint64(value));
    return QLocale().toString(value, 'g', 6);
}
} // namespace

TimeSeriesChart::TimeSeriesChart(QWidget *parent)
    : QWidget(parent)
{
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void TimeSeriesChart::setSeries(const MapSeries &series)
{
    // A live run sends the same series with more snapshots: the old ones are the same (compared
    // by time, cheap) and only the new are read. Anything else (another map, thinned snapshots)
    // is read anew.
    const qsizetype known = m_series.snapshots.size();
    const bool appended = !m_series.snapshots.isEmpty() && series.name == m_series.name
        && series.delta == m_series.delta && series.snapshots.size() >= known
        && series.snapshots.constFirst().msSinceStart == m_series.snapshots.constFirst().msSinceStart
        && series.snapshots.at(known - 1).msSinceStart == m_series.snapshots.constLast().msSinceStart;
    if (!appended) {
        m_series = series;
        rebuild();
        return;
    }
    if (series.snapshots.size() == known)
        return;
    m_series = series;
    for (qsizetype i = known; i < m_series.snapshots.size(); ++i)
        addSnapshot(m_series.snapshots.at(i));
    if (chooseTopKeys()) {
        fillLines();
    } else {
        for (qsizetype i = known; i < m_series.snapshots.size(); ++i)
            appendLineValues(m_series.snapshots.at(i));
    }
    update();
}

void TimeSeriesChart::clear()
{
    setSeries(MapSeries());
}

void TimeSeriesChart::setTopCount(int count)
{
    m_topCount = qMax(1, count);
    rebuild();
}

void TimeSeriesChart::rebuild()
{
    ++m_fullRebuilds;
    m_delta = m_series.delta;
    m_times.clear();
    m_totals.clear();
    m_keys.clear();
    m_top.clear();
    m_hoverIndex = -1;
    for (const MapSnapshot &snapshot : std::as_const(m_series.snapshots))
        addSnapshot(snapshot);
    chooseTopKeys();
    fillLines();
    update();
}

void TimeSeriesChart::addSnapshot(const MapSnapshot &snapshot)
{
    m_times.append(double(snapshot.msSinceStart) / 1000.0);
    const MapResult &map = snapshot.map;
    if (!map.isKeyed()) {
        m_totals[QString()] += map.value().weight();
        return;
    }
    for (const MapEntry &entry : map.entries()) {
        const QString key = entry.key.text();
        auto total = m_totals.find(key);
        if (total == m_totals.end()) {
            m_totals.insert(key, entry.value.weight());
            m_keys.insert(key, entry.key);
        } else {
            *total += entry.value.weight();
        }
    }
}

bool TimeSeriesChart::chooseTopKeys()
{
    QList<std::pair<double, QString>> ranked;
    ranked.reserve(m_totals.size());
    for (auto it = m_totals.cbegin(); it != m_totals.cend(); ++it)
        ranked.append({ it.value(), it.key() });
    const qsizetype count = qMin(qsizetype(m_topCount), ranked.size());
    // Heaviest first; equal totals by key, so the choice does not depend on hash order.
    std::partial_sort(ranked.begin(), ranked.begin() + count, ranked.end(),
        [](const auto &a, const auto &b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    QStringList top;
    for (qsizetype i = 0; i < count; ++i)
        top.append(ranked.at(i).second);
    const bool hadOther = !m_lines.isEmpty() && m_lines.constLast().other;
    const bool hasOther = ranked.size() > count;
    if (top == m_top && hadOther == hasOther && !m_lines.isEmpty())
        return false;
    m_top = top;
    return true;
}

void TimeSeriesChart::fillLines()
{
    m_lines.clear();
    for (const QString &key : std::as_const(m_top)) {
        Line line;
        line.key = key;
        if (key.isEmpty() && !m_keys.contains(key)) {
            line.label = m_series.name;
            line.toolTip = m_series.name;
        } else {
            line.label = ChartSupport::shortKeyText(m_keys.value(key));
            line.toolTip = key;
            if (line.label.isEmpty())
                line.label = key;
        }
        m_lines.append(line);
    }
    if (m_totals.size() > m_top.size()) {
        Line other;
        other.other = true;
        const int rest = int(m_totals.size() - m_top.size());
        other.label = tr("other (%n keys)", "", rest);
        other.toolTip = tr("The sum of the %n keys not drawn on their own.", "", rest);
        m_lines.append(other);
    }
    for (const MapSnapshot &snapshot : std::as_const(m_series.snapshots))
        appendLineValues(snapshot);
}

void TimeSeriesChart::appendLineValues(const MapSnapshot &snapshot)
{
    const MapResult &map = snapshot.map;
    const qsizetype tops = m_top.size();
    QList<double> values(tops, 0.0);
    double other = 0;
    if (!map.isKeyed()) {
        if (tops > 0)
            values[0] = map.value().weight();
    } else {
        for (const MapEntry &entry : map.entries()) {
            // N is small (8 by default): a linear look-up beats hashing each key.
            const qsizetype index = m_top.indexOf(entry.key.text());
            if (index >= 0)
                values[index] += entry.value.weight();
            else
                other += entry.value.weight();
        }
    }
    for (qsizetype i = 0; i < tops; ++i) {
        m_lines[i].values.append(values.at(i));
        m_lines[i].total += values.at(i);
    }
    if (!m_lines.isEmpty() && m_lines.constLast().other) {
        m_lines.last().values.append(other);
        m_lines.last().total += other;
    }
}

QString TimeSeriesChart::xAxisTitle() const
{
    return tr("Seconds since the run started");
}

QString TimeSeriesChart::yAxisTitle() const
{
    const QString name = m_series.name.isEmpty() ? tr("Value") : m_series.name;
    return m_delta ? tr("%1 per interval").arg(name) : name;
}

TimeSeriesChart::Layout TimeSeriesChart::layout() const
{
    Layout result;
    const QFontMetricsF fm(font());
    double yLow = 0;
    double yHigh = 0;
    for (const Line &line : m_lines) {
        for (const double value : line.values) {
            yLow = std::min(yLow, value);
            yHigh = std::max(yHigh, value);
        }
    }
    result.yTicks = ChartSupport::niceTicks(yLow, yHigh > yLow ? yHigh : yLow + 1, 5);
    result.yMin = result.yTicks.constFirst();
    result.yMax = result.yTicks.constLast();
    double labelWidth = 0;
    for (const double tick : std::as_const(result.yTicks))
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(ChartSupport::compactNumber(tick)));

    // The legend takes the right, up to a quarter of the width, when the chart is wide; in a narrow
    // chart it goes below in columns, so the plot keeps its width. Long keys are elided.
    const double row = fm.height() + 4;
    double itemWidth = 0;
    for (const Line &line : m_lines)
        itemWidth = std::max(itemWidth, fm.horizontalAdvance(line.label) + Swatch + 16);
    const bool below = width() < 600;
    const double left = Margin + fm.height() + 6 + labelWidth + 6;
    const double axisBelow = 2 * fm.height() + 8;
    double bottom = height() - Margin - axisBelow;
    double right = width() - Margin;
    int columns = 1;
    if (!m_lines.isEmpty() && below) {
        const double available = width() - left - Margin;
        itemWidth = std::min(itemWidth, available);
        columns = std::max(1, int(available / itemWidth));
        itemWidth = available / columns;
        const int rows = int((m_lines.size() + columns - 1) / columns);
        // At most a third of the height for the legend; the rest waits in the tooltip.
        const int shownRows = std::min(rows, std::max(1, int(height() / 3.0 / row)));
        bottom -= shownRows * row + Margin / 2.0;
        result.legend = QRectF(left, bottom + axisBelow + Margin / 2.0, available, shownRows * row);
    } else if (!m_lines.isEmpty()) {
        itemWidth = std::min(itemWidth, width() / 4.0);
        right -= itemWidth + Margin;
    }
    result.plot = QRectF(
        QPointF(left, Margin + fm.height() / 2), QPointF(std::max(left + 10, right), std::max(Margin + 20.0, bottom)));
    if (!below)
        result.legend = QRectF(result.plot.right() + Margin, result.plot.top(), itemWidth, result.plot.height());
    for (int i = 0; i < m_lines.size(); ++i) {
        const int column = below ? i % columns : 0;
        const int line = below ? i / columns : i;
        const QRectF item(result.legend.left() + column * itemWidth, result.legend.top() + line * row, itemWidth, row);
        if (item.bottom() > result.legend.bottom() + row / 2)
            break;
        result.legendItems.append(item);
    }

    // The axis ends at the last print, so the lines use the whole width; ticks at round seconds.
    result.xMax = m_times.isEmpty() ? 1 : std::max(m_times.constLast(), 0.001);
    const int xTarget = std::max(2, int(result.plot.width() / (fm.horizontalAdvance(u"0000"_s) * 2)));
    const QList<double> ticks = ChartSupport::niceTicks(0, result.xMax, xTarget);
    for (const double tick : ticks) {
        if (tick <= result.xMax * (1 + 1e-9))
            result.xTicks.append(tick);
    }
    return result;
}

QStringList TimeSeriesChart::xTickLabels() const
{
    const Layout l = layout();
    const double step = l.xTicks.size() > 1 ? l.xTicks.at(1) - l.xTicks.at(0) : 1;
    QStringList labels;
    for (const double tick : l.xTicks)
        labels.append(ChartSupport::secondsText(tick, step));
    return labels;
}

QStringList TimeSeriesChart::yTickLabels() const
{
    QStringList labels;
    for (const double tick : layout().yTicks)
        labels.append(ChartSupport::compactNumber(tick));
    return labels;
}

QPointF TimeSeriesChart::pointAt(int line, int index) const
{
    if (line < 0 || line >= m_lines.size() || index < 0 || index >= m_times.size())
        return {};
    const Layout l = layout();
    const double x = l.plot.left() + m_times.at(index) / l.xMax * l.plot.width();
    const double value = m_lines.at(line).values.at(index);
    const double y = l.plot.bottom() - (value - l.yMin) / (l.yMax - l.yMin) * l.plot.height();
    return { x, y };
}

int TimeSeriesChart::nearestIndex(const Layout &l, double x) const
{
    if (m_times.isEmpty())
        return -1;
    const double time = (x - l.plot.left()) / l.plot.width() * l.xMax;
    const auto it = std::lower_bound(m_times.cbegin(), m_times.cend(), time);
    qsizetype index = it - m_times.cbegin();
    if (index >= m_times.size())
        index = m_times.size() - 1;
    else if (index > 0 && time - m_times.at(index - 1) < m_times.at(index) - time)
        --index;
    return int(index);
}

int TimeSeriesChart::nearestLine(const Layout &l, int index, double y) const
{
    int best = -1;
    double bestDistance = 0;
    for (int line = 0; line < m_lines.size(); ++line) {
        const double value = m_lines.at(line).values.at(index);
        const double lineY = l.plot.bottom() - (value - l.yMin) / (l.yMax - l.yMin) * l.plot.height();
        const double distance = std::abs(lineY - y);
        if (best < 0 || distance < bestDistance) {
            best = line;
            bestDistance = distance;
        }
    }
    return best;
}

QString TimeSeriesChart::textAt(const QPoint &pos) const
{
    const Layout l = layout();
    if (m_lines.isEmpty() || !l.plot.adjusted(-4, -4, 4, 4).contains(pos))
        return {};
    const int index = nearestIndex(l, pos.x());
    const int line = index < 0 ? -1 : nearestLine(l, index, pos.y());
    if (line < 0)
        return {};
    const Line &chosen = m_lines.at(line);
    const QString time = tr("%1 s since the start").arg(QLocale().toString(m_times.at(index), 'f', 1));
    QString value = valueText(chosen.values.at(index));
    if (m_delta)
        value = tr("%1 in that interval").arg(value);
    return u"%1\n%2: %3"_s.arg(time, chosen.label, value);
}

int TimeSeriesChart::legendItemAt(const Layout &l, const QPoint &pos) const
{
    for (int i = 0; i < l.legendItems.size(); ++i) {
        if (l.legendItems.at(i).contains(pos))
            return i;
    }
    return -1;
}

bool TimeSeriesChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const Layout l = layout();
        const int item = legendItemAt(l, help->pos());
        QString text = item >= 0
            ? tr("%1\nTotal over the run: %2").arg(m_lines.at(item).toolTip, valueText(m_lines.at(item).total))
            : textAt(help->pos());
        UiHelpers::showPlainToolTip(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void TimeSeriesChart::mouseMoveEvent(QMouseEvent *event)
{
    const Layout l = layout();
    const QPoint pos = event->position().toPoint();
    int index = -1;
    int line = -1;
    if (l.plot.adjusted(-4, -4, 4, 4).contains(pos)) {
        index = nearestIndex(l, pos.x());
        line = index < 0 ? -1 : nearestLine(l, index, pos.y());
    }
    if (index != m_hoverIndex || line != m_hoverLine) {
        m_hoverIndex = index;
        m_hoverLine = line;
        update();
        const QString text = textAt(pos);
        UiHelpers::showPlainToolTip(event->globalPosition().toPoint(), text, this);
    }
}

void TimeSeriesChart::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    m_hoverIndex = -1;
    m_hoverLine = -1;
    update();
}

QSize TimeSeriesChart::sizeHint() const
{
    return { 640, 320 };
}

QSize TimeSeriesChart::minimumSizeHint() const
{
    return { 320, 180 };
}

void TimeSeriesChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetricsF fm(font());
    const QColor text = palette().color(QPalette::Text);
    const QColor dim = palette().color(QPalette::PlaceholderText);
    if (m_lines.isEmpty()) {
        painter.setPen(dim);
        painter.drawText(rect(), Qt::AlignCenter, tr("Nothing printed yet"));
        return;
    }
    const Layout l = layout();
    const QRectF &plot = l.plot;
    auto xFor = [&](double seconds) { return plot.left() + seconds / l.xMax * plot.width(); };
    auto yFor = [&](double value) { return plot.bottom() - (value - l.yMin) / (l.yMax - l.yMin) * plot.height(); };

    // Grid and axes.
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlphaF(0.35f);
    painter.setFont(font());
    for (const double tick : l.yTicks) {
        const double y = yFor(tick);
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.setPen(dim);
        painter.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
            Qt::AlignRight | Qt::AlignVCenter, ChartSupport::compactNumber(tick));
    }
    const QStringList xLabels = xTickLabels();
    for (int i = 0; i < l.xTicks.size(); ++i) {
        const double x = xFor(l.xTicks.at(i));
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(dim);
        painter.drawText(
            QRectF(x - 40, plot.bottom() + 4, 80, fm.height()), Qt::AlignHCenter | Qt::AlignTop, xLabels.at(i));
    }
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    painter.drawLine(plot.bottomLeft(), plot.topLeft());
    painter.setPen(text);
    // Centred under the plot, or under the whole chart when the plot is too narrow for it.
    const double titleWidth = fm.horizontalAdvance(xAxisTitle());
    const QRectF titleRect = titleWidth <= plot.width()
        ? QRectF(plot.left(), plot.bottom() + 6 + fm.height(), plot.width(), fm.height())
        : QRectF(Margin, plot.bottom() + 6 + fm.height(), width() - 2 * Margin, fm.height());
    painter.drawText(
        titleRect, Qt::AlignHCenter | Qt::AlignTop, fm.elidedText(xAxisTitle(), Qt::ElideRight, titleRect.width()));
    painter.save();
    painter.translate(Margin, plot.center().y());
    painter.rotate(-90);
    const QString yTitle = fm.elidedText(yAxisTitle(), Qt::ElideMiddle, plot.height());
    painter.drawText(QRectF(-plot.height() / 2, 0, plot.height(), fm.height()), Qt::AlignCenter, yTitle);
    painter.restore();

    // The lines, "other" last, dashed and grey, so the named keys stay in front.
    painter.setClipRect(plot.adjusted(-3, -3, 3, 3));
    const bool mark = m_times.size() <= MarkedPoints;
    for (int line = int(m_lines.size()) - 1; line >= 0; --line) {
        const Line &current = m_lines.at(line);
        const QColor color = current.other ? dim : ChartSupport::lineColor(line);
        QPolygonF points;
        points.reserve(current.values.size());
        for (int i = 0; i < current.values.size(); ++i)
            points.append(QPointF(xFor(m_times.at(i)), yFor(current.values.at(i))));
        QPen pen(color, line == m_hoverLine ? 3 : 2);
        if (current.other)
            pen.setStyle(Qt::DashLine);
        pen.setJoinStyle(Qt::RoundJoin);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawPolyline(points);
        if (mark || points.size() == 1) {
            painter.setPen(Qt::NoPen);
            painter.setBrush(color);
            for (const QPointF &point : std::as_const(points))
                painter.drawEllipse(point, 2.5, 2.5);
        }
    }
    if (m_hoverIndex >= 0 && m_hoverIndex < m_times.size()) {
        const double x = xFor(m_times.at(m_hoverIndex));
        painter.setPen(QPen(dim, 1, Qt::DotLine));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        if (m_hoverLine >= 0) {
            const Line &hovered = m_lines.at(m_hoverLine);
            painter.setPen(QPen(palette().color(QPalette::Base), 2));
            painter.setBrush(hovered.other ? dim : ChartSupport::lineColor(m_hoverLine));
            painter.drawEllipse(QPointF(x, yFor(hovered.values.at(m_hoverIndex))), 5, 5);
        }
    }
    painter.setClipping(false);

    // Legend: a swatch per line and its key, elided (the whole key is in the tooltip).
    for (int line = 0; line < l.legendItems.size(); ++line) {
        const QRectF &item = l.legendItems.at(line);
        const double middle = item.center().y();
        const Line &current = m_lines.at(line);
        const QColor color = current.other ? dim : ChartSupport::lineColor(line);
        QPen pen(color, 3);
        if (current.other)
            pen.setStyle(Qt::DashLine);
        painter.setPen(pen);
        painter.drawLine(QPointF(item.left(), middle), QPointF(item.left() + Swatch, middle));
        painter.setPen(line == m_hoverLine ? text : (current.other ? dim : text));
        QFont labelFont = font();
        labelFont.setBold(line == m_hoverLine);
        painter.setFont(labelFont);
        const double textWidth = item.width() - Swatch - 12;
        painter.drawText(QRectF(item.left() + Swatch + 6, item.top(), textWidth, item.height()),
            Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(labelFont).elidedText(current.label, Qt::ElideMiddle, textWidth));
    }
}
