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

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Histogram m_histogram;
};
