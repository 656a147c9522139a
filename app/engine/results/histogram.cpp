// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/histogram.h"

#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

Histogram::Histogram(Scale scale, QList<HistogramBucket> buckets)
    : m_scale(scale)
    , m_buckets(std::move(buckets))
    , m_labels(bucketLabels(m_buckets, m_scale))
{
    for (const HistogramBucket &b : std::as_const(m_buckets)) {
        m_totalCount += b.count;
        m_maxCount = std::max(m_maxCount, b.count);
    }
}

Histogram Histogram::fromJson(const QJsonArray &json, bool declaredLinear)
{
    QList<HistogramBucket> buckets = parseBuckets(json);
    const bool linear = declaredLinear || looksLinear(buckets);
    return Histogram(linear ? Scale::Linear : Scale::Log2, std::move(buckets));
}

QJsonObject HistogramBucket::toJson() const
{
    QJsonObject o;
    if (min)
        o.insert(u"min"_s, *min);
    if (max)
        o.insert(u"max"_s, *max);
    o.insert(u"count"_s, count);
    return o;
}

QJsonArray Histogram::toJson() const
{
    QJsonArray array;
    for (const HistogramBucket &b : m_buckets)
        array.append(b.toJson());
    return array;
}

QList<HistogramBucket> Histogram::parseBuckets(const QJsonArray &buckets)
{
    QList<HistogramBucket> result;
    result.reserve(buckets.size());
    for (const QJsonValue &value : buckets) {
        const QJsonObject o = value.toObject();
        HistogramBucket b;
        if (o.contains("min"_L1) && !o.value("min"_L1).isNull())
            b.min = o.value("min"_L1).toInteger();
        if (o.contains("max"_L1) && !o.value("max"_L1).isNull())
            b.max = o.value("max"_L1).toInteger();
        b.count = o.value("count"_L1).toInteger();
        result.append(b);
    }
    return result;
}

bool Histogram::looksLinear(const QList<HistogramBucket> &buckets)
{
    qint64 width = -1;
    int regular = 0;
    for (const HistogramBucket &b : buckets) {
        if (!b.max)
            return true; // only lhist has an overflow bucket
        if (!b.min)
            continue; // an underflow bucket: hist's negative values or below lhist's minimum
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
        const auto regularBucket
            = std::find_if(buckets.cbegin(), buckets.cend(), [](const HistogramBucket &b) { return b.min && b.max; });
        const qint64 min = *regularBucket->min;
        return !(min > 0 && (min & (min - 1)) == 0 && width == min);
    }
    return regular > 1 && width > 0 && !(width == 1 && regular <= 2);
}

QString Histogram::log2Number(qint64 value)
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

QString Histogram::linearNumber(qint64 value, qint64 step)
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

QString Histogram::bucketLabel(const HistogramBucket &bucket, Scale scale, qint64 step)
{
    const bool linear = scale == Scale::Linear;
    auto number = [&](qint64 v) { return linear ? linearNumber(v, step) : log2Number(v); };
    if (!bucket.min && bucket.max)
        return u"(..., "_s + number(*bucket.max + 1) + u')';
    if (bucket.min && !bucket.max)
        return u'[' + number(*bucket.min) + u", ...)"_s;
    if (!bucket.min)
        return u"(..., ...)"_s;
    if (!linear && *bucket.min == *bucket.max)
        return u'[' + number(*bucket.min) + u']';
    return u'[' + number(*bucket.min) + u", "_s + number(*bucket.max + 1) + u')';
}

QStringList Histogram::bucketLabels(const QList<HistogramBucket> &buckets, Scale scale)
{
    // lhist's suffix rule depends on its step, which only the regular buckets reveal.
    qint64 step = 1;
    for (const HistogramBucket &b : buckets) {
        if (b.min && b.max) {
            step = *b.max - *b.min + 1;
            break;
        }
    }
    QStringList labels;
    labels.reserve(buckets.size());
    for (const HistogramBucket &b : buckets)
        labels.append(bucketLabel(b, scale, step));
    return labels;
}

QString Histogram::toText(int barWidth) const
{
    int labelWidth = 0;
    int countWidth = 0;
    for (int i = 0; i < m_buckets.size(); ++i) {
        labelWidth = qMax(labelWidth, int(m_labels.at(i).size()));
        countWidth = qMax(countWidth, int(QString::number(m_buckets.at(i).count).size()));
    }
    QString text;
    for (int i = 0; i < m_buckets.size(); ++i) {
        const int bar = m_maxCount > 0 ? int(m_buckets.at(i).count * barWidth / m_maxCount) : 0;
        text += m_labels.at(i).leftJustified(labelWidth + 4)
            + QString::number(m_buckets.at(i).count).rightJustified(countWidth) + u" |"_s + QString(bar, u'@')
            + QString(barWidth - bar, u' ') + u"|\n"_s;
    }
    return text;
}
