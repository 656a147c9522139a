// SPDX-License-Identifier: GPL-2.0-or-later
// A histogram printed several times as a heatmap: seconds since the run started across, buckets
// up (smallest at the bottom), the count of each bucket at each print as a colour on a perceptual
// scale shown beside it. A keyed histogram shows one key or the sum of all keys.
#pragma once

#include "engine/results/mapseries.h"

#include <QWidget>

class HeatmapWidget : public QWidget
{
    Q_OBJECT
public:
    explicit HeatmapWidget(QWidget *parent = nullptr);

    void setSeries(const MapSeries &series);
    void clear() { setSeries(MapSeries()); }
    /// The keys of a keyed histogram, heaviest first (over the whole series); empty without keys.
    QStringList keys() const { return m_keyOrder; }
    /// One key (MapKey::text()), or empty for the sum of all keys.
    void setKey(const QString &key);
    QString key() const { return m_key; }
    /// What is drawn, in words: "Sum of all 3 keys", "Key: bash", or nothing for a histogram
    /// without keys.
    QString description() const;
    bool isDelta() const { return m_series.delta; }

    qsizetype columnCount() const { return m_counts.size(); } ///< one per snapshot
    qsizetype rowCount() const { return m_buckets.size(); } ///< one per bucket, smallest first
    QStringList bucketLabels() const { return m_labels; }
    qint64 count(int column, int row) const;
    qint64 maxCount() const { return m_maxCount; }
    QColor cellColor(int column, int row) const;
    QRectF cellRect(int column, int row) const;
    QString legendTitle() const;
    QStringList legendTickLabels() const;
    /// What hovering at `pos` shows: time, bucket and count; empty off the cells.
    QString textAt(const QPoint &pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    struct Layout
    {
        QRectF caption;
        QRectF plot;
        QRectF scale;
        QList<double> xTicks;
        double xMax = 1;
    };
    Layout layout() const;
    void rebuild();
    std::pair<int, int> cellAt(const Layout &layout, const QPointF &pos) const;
    double columnStart(int column) const;

    MapSeries m_series;
    QString m_key;
    QStringList m_keyOrder;
    QList<HistogramBucket> m_buckets; ///< every bucket any snapshot has, counts unused
    QStringList m_labels;
    QList<double> m_times; ///< seconds, one per snapshot
    QList<QList<qint64>> m_counts; ///< [snapshot][bucket]
    qint64 m_maxCount = 0;
    std::pair<int, int> m_hover { -1, -1 };
};
