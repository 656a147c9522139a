// SPDX-License-Identifier: GPL-2.0-or-later
// A hist() or lhist() value: its buckets, its bucket rule and the labels bpftrace gives them.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

struct HistogramBucket
{
    std::optional<qint64> min; ///< nullopt: the underflow bucket "(..., x)"
    std::optional<qint64> max; ///< inclusive; nullopt: the overflow bucket "[x, ...)"
    qint64 count = 0;

    /// As bpftrace prints it: {"min", "max", "count"}, an open bound left out.
    QJsonObject toJson() const;
    bool operator==(const HistogramBucket &) const = default;
};

/// One histogram, as bpftrace's `-f json` prints it and as every view labels it. The bucket rule
/// is decided once, here: the window, the MCP tools and the text export all read labels() and
/// never re-derive them.
class Histogram
{
public:
    enum class Scale
    {
        Log2, ///< hist(): power-of-two buckets, labels with K/M/G/T/P/E suffixes
        Linear, ///< lhist(): equal steps, suffixes only when the step is a multiple of 1024
    };

    Histogram() = default;
    Histogram(Scale scale, QList<HistogramBucket> buckets);

    /// `buckets` as bpftrace prints them: [{"min": 2, "max": 3, "count": 7}, ...]. `declaredLinear`
    /// is true for a "lhist" line; bpftrace 0.23 prints lhist() maps with "type": "hist" too, so a
    /// hist whose buckets look linear (looksLinear()) is linear as well.
    static Histogram fromJson(const QJsonArray &buckets, bool declaredLinear);
    /// The buckets in bpftrace's form (the form fromJson() reads).
    QJsonArray toJson() const;

    Scale scale() const { return m_scale; }
    bool isLinear() const { return m_scale == Scale::Linear; }
    const QList<HistogramBucket> &buckets() const { return m_buckets; }
    QStringList labels() const { return m_labels; }
    qint64 totalCount() const { return m_totalCount; }
    qint64 maxCount() const { return m_maxCount; }

    /// The whole histogram as bpftrace's text output prints it.
    QString toText(int barWidth = 52) const;

    static QList<HistogramBucket> parseBuckets(const QJsonArray &buckets);
    /// Equal widths of the bounded buckets, an overflow bucket "[x, ...)" or a first bucket [0, n)
    /// with n > 1: things log2 never makes. An underflow bucket says nothing (hist has one too).
    static bool looksLinear(const QList<HistogramBucket> &buckets);
    /// [0], [1], [2, 4), [1K, 2K), (..., 0) for hist; [0, 10), [1K, 2K), [100, ...) for lhist.
    static QString bucketLabel(const HistogramBucket &bucket, Scale scale, qint64 step);
    static QStringList bucketLabels(const QList<HistogramBucket> &buckets, Scale scale);
    /// A number as hist() labels its power-of-two bounds: 1024 -> "1K", 3 << 20 -> "3M".
    static QString log2Number(qint64 value);
    /// As lhist() does: suffixes only when the step is a multiple of 1024.
    static QString linearNumber(qint64 value, qint64 step);

    bool operator==(const Histogram &other) const { return m_scale == other.m_scale && m_buckets == other.m_buckets; }

private:
    Scale m_scale = Scale::Log2;
    QList<HistogramBucket> m_buckets;
    QStringList m_labels;
    qint64 m_totalCount = 0;
    qint64 m_maxCount = 0;
};
