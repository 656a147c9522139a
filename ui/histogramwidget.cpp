// SPDX-License-Identifier: GPL-2.0-or-later
#include "histogramwidget.h"

#include <QJsonObject>
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

QList<HistBucket> HistogramWidget::parseBuckets(const QJsonArray &buckets)
{
    QList<HistBucket> result;
    result.reserve(buckets.size());
    for (const QJsonValue &value : buckets) {
        const QJsonObject o = value.toObject();
        HistBucket b;
        if (o.contains("min"_L1) && !o.value("min"_L1).isNull())
            b.min = o.value("min"_L1).toInteger();
        if (o.contains("max"_L1) && !o.value("max"_L1).isNull())
            b.max = o.value("max"_L1).toInteger();
        b.count = o.value("count"_L1).toInteger();
        result.append(b);
    }
    return result;
}

bool HistogramWidget::looksLinear(const QList<HistBucket> &buckets)
{
    qint64 width = -1;
    int regular = 0;
    for (const HistBucket &b : buckets) {
        if (!b.min || !b.max)
            return true; // only lhist has overflow buckets; hist's negative bucket has no min but is rare
        const qint64 w = *b.max - *b.min + 1;
        if (*b.min == 0 && w > 1)
            return true;
        if (width >= 0 && w != width)
            return false;
        width = w;
        ++regular;
    }
    if (regular == 1 && width > 1) {
        // A single bucket: log2 buckets are [2^k, 2^(k+1)).
        const qint64 min = *buckets.first().min;
        return !(min > 0 && (min & (min - 1)) == 0 && width == min);
    }
    return regular > 1 && width > 0 && !(width == 1 && regular <= 2);
}

QString HistogramWidget::histNumber(qint64 value)
{
    static constexpr char suffixes[] = { '\0', 'K', 'M', 'G', 'T', 'P', 'E' };
    if (value == 0)
        return u"0"_s;
    int decade = 0;
    qint64 v = value;
    while (decade < 6 && v % 1024 == 0 && (v / 1024) != 0) {
        v /= 1024;
        ++decade;
    }
    QString text = QString::number(v);
    if (decade > 0)
        text += QLatin1Char(suffixes[decade]);
    return text;
}

QString HistogramWidget::lhistNumber(qint64 value, qint64 step)
{
    constexpr qint64 kilo = 1024;
    constexpr qint64 mega = 1024 * 1024;
    if (step % kilo != 0 || value == 0)
        return QString::number(value);
    if (value % mega == 0)
        return QString::number(value / mega) + u'M';
    if (value % kilo == 0)
        return QString::number(value / kilo) + u'K';
    return QString::number(value);
}

QString HistogramWidget::bucketLabel(const HistBucket &bucket, bool linear, qint64 step)
{
    auto number = [&](qint64 v) { return linear ? lhistNumber(v, step) : histNumber(v); };
    if (!bucket.min && bucket.max)
        return u"(..., "_s + number(*bucket.max + 1) + u')';
    if (bucket.min && !bucket.max)
        return u'[' + number(*bucket.min) + u", ...)"_s;
    if (!bucket.min)
        return u"?"_s;
    if (!linear && *bucket.min == *bucket.max)
        return u'[' + number(*bucket.min) + u']';
    return u'[' + number(*bucket.min) + u", "_s + number(*bucket.max + 1) + u')';
}

QStringList HistogramWidget::bucketLabels(const QList<HistBucket> &buckets, bool linear)
{
    // lhist's suffix rule depends on its step, which only the regular buckets reveal.
    qint64 step = 1;
    for (const HistBucket &b : buckets) {
        if (b.min && b.max) {
            step = *b.max - *b.min + 1;
            break;
        }
    }
    QStringList labels;
    labels.reserve(buckets.size());
    for (const HistBucket &b : buckets)
        labels.append(bucketLabel(b, linear, step));
    return labels;
}

QString HistogramWidget::toText(const QList<HistBucket> &buckets, bool linear, int barWidth)
{
    const QStringList labels = bucketLabels(buckets, linear);
    qint64 maxCount = 0;
    int labelWidth = 0;
    int countWidth = 0;
    for (int i = 0; i < buckets.size(); ++i) {
        maxCount = qMax(maxCount, buckets.at(i).count);
        labelWidth = qMax(labelWidth, int(labels.at(i).size()));
        countWidth = qMax(countWidth, int(QString::number(buckets.at(i).count).size()));
    }
    QString text;
    for (int i = 0; i < buckets.size(); ++i) {
        const int bar = maxCount > 0 ? int(buckets.at(i).count * barWidth / maxCount) : 0;
        text += labels.at(i).leftJustified(labelWidth + 4)
            + QString::number(buckets.at(i).count).rightJustified(countWidth) + u" |"_s + QString(bar, u'@')
            + QString(barWidth - bar, u' ') + u"|\n"_s;
    }
    return text;
}

void HistogramWidget::setBuckets(const QJsonArray &buckets, bool linear)
{
    m_buckets = parseBuckets(buckets);
    m_linear = linear;
    m_labels = bucketLabels(m_buckets, linear);
    updateGeometry();
    update();
}

QSize HistogramWidget::sizeHint() const
{
    const int row = fontMetrics().height() + rowSpacing;
    return { 480, 2 * margin + qMax(1, int(m_buckets.size())) * row };
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
    if (m_buckets.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No buckets yet"));
        return;
    }
    qint64 maxCount = 0;
    int labelWidth = 0;
    int countWidth = 0;
    const QLocale locale;
    for (int i = 0; i < m_buckets.size(); ++i) {
        maxCount = qMax(maxCount, m_buckets.at(i).count);
        labelWidth = qMax(labelWidth, fm.horizontalAdvance(m_labels.at(i)));
        countWidth = qMax(countWidth, fm.horizontalAdvance(locale.toString(m_buckets.at(i).count)));
    }
    const int rowHeight = fm.height() + rowSpacing;
    const int countX = margin + labelWidth + 12;
    const int barX = countX + countWidth + 10;
    const int barMax = qMax(10, width() - barX - margin);
    const QColor barColor = palette().color(QPalette::Highlight);
    const QColor gridColor = palette().color(QPalette::Mid);

    painter.setPen(gridColor);
    painter.drawLine(barX, margin, barX, margin + int(m_buckets.size()) * rowHeight);
    for (int i = 0; i < m_buckets.size(); ++i) {
        const int y = margin + i * rowHeight;
        const HistBucket &b = m_buckets.at(i);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(margin, y, labelWidth, rowHeight), Qt::AlignRight | Qt::AlignVCenter, m_labels.at(i));
        painter.drawText(
            QRect(countX, y, countWidth, rowHeight), Qt::AlignRight | Qt::AlignVCenter, locale.toString(b.count));
        if (b.count <= 0 || maxCount <= 0)
            continue;
        const double fraction = double(b.count) / double(maxCount);
        const QRectF bar(barX + 1, y + 2, qMax(2.0, fraction * barMax), rowHeight - 4);
        QPainterPath path;
        path.addRoundedRect(bar, 2, 2);
        painter.fillPath(path, barColor);
    }
}
