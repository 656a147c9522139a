// SPDX-License-Identifier: GPL-2.0-or-later
// hist() and lhist() maps drawn as bars, with the bucket labels of the typed Histogram.
#pragma once

#include "engine/results/histogram.h"

#include <QWidget>

class HistogramWidget : public QWidget
{
    Q_OBJECT
public:
    explicit HistogramWidget(QWidget *parent = nullptr);

    /// Draws `histogram` with the labels it carries (the same labels MCP sends).
    void setHistogram(const Histogram &histogram);
    const Histogram &histogram() const { return m_histogram; }
    const QList<HistogramBucket> &buckets() const { return m_histogram.buckets(); }
    QStringList labels() const { return m_histogram.labels(); }
    bool isLinear() const { return m_histogram.isLinear(); }
    /// Bars relative to `count` instead of this histogram's largest bucket, with that scale drawn
    /// under them: the keys of one map side by side then compare at a glance. 0: own scale.
    void setSharedScale(qint64 count);
    qint64 sharedScale() const { return m_sharedScale; }
    /// The count a full-width bar stands for.
    qint64 scaleMax() const { return m_sharedScale > 0 ? m_sharedScale : m_histogram.maxCount(); }
    /// The labels of the scale drawn under shared-scale bars.
    QStringList scaleLabels() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Histogram m_histogram;
    qint64 m_sharedScale = 0;
};
