// SPDX-License-Identifier: GPL-2.0-or-later
// hist() and lhist() maps drawn as bars, labelled the way bpftrace labels its buckets.
#pragma once

#include <QJsonArray>
#include <QWidget>

#include <optional>

struct HistBucket
{
    std::optional<qint64> min; ///< nullopt: the underflow bucket "(..., x)"
    std::optional<qint64> max; ///< inclusive; nullopt: the overflow bucket "[x, ...)"
    qint64 count = 0;
};

class HistogramWidget : public QWidget
{
    Q_OBJECT
public:
    explicit HistogramWidget(QWidget *parent = nullptr);

    /// `buckets` as bpftrace -f json prints them: [{"min": 2, "max": 3, "count": 7}, ...].
    void setBuckets(const QJsonArray &buckets, bool linear);
    QList<HistBucket> buckets() const { return m_buckets; }
    QStringList labels() const { return m_labels; }
    bool isLinear() const { return m_linear; }

    static QList<HistBucket> parseBuckets(const QJsonArray &buckets);
    /// bpftrace 0.23 prints lhist() maps with "type": "hist"; equal bucket widths (or a first
    /// bucket [0, n) with n > 1, which log2 never makes) tell them apart.
    static bool looksLinear(const QList<HistBucket> &buckets);
    /// [0], [1], [2, 4), [1K, 2K), [1M, 2M), (..., 0) for hist; [0, 10), [1K, 2K), [100, ...) for lhist.
    static QString bucketLabel(const HistBucket &bucket, bool linear, qint64 step);
    static QStringList bucketLabels(const QList<HistBucket> &buckets, bool linear);
    /// A number as hist() labels its power-of-two bounds: 1024 -> "1K", 3 << 20 -> "3M".
    static QString histNumber(qint64 value);
    /// As lhist() does: suffixes only when the step is a multiple of 1024.
    static QString lhistNumber(qint64 value, qint64 step);
    /// The whole histogram as bpftrace's text output would print it (for export).
    static QString toText(const QList<HistBucket> &buckets, bool linear, int barWidth = 52);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<HistBucket> m_buckets;
    QStringList m_labels;
    bool m_linear = false;
};
