// SPDX-License-Identifier: GPL-2.0-or-later
// A map over time as lines: one per key (the heaviest N over the whole series, the rest summed
// as "other"), seconds since the run started across, values up. Drawn with QPainter.
#pragma once

#include "engine/results/mapseries.h"

#include <QHash>
#include <QWidget>

class TimeSeriesChart : public QWidget
{
    Q_OBJECT
public:
    static constexpr int DefaultTopCount = 8;

    struct Line
    {
        QString key; ///< MapKey::text(); empty for "other" and for a map without keys
        QString label; ///< what the legend shows (a stack as its innermost frame)
        QString toolTip; ///< the whole key
        bool other = false;
        double total = 0; ///< over the whole series
        QList<double> values; ///< one per snapshot
    };

    explicit TimeSeriesChart(QWidget *parent = nullptr);

    /// The whole series, or the same series with snapshots appended (a live run): then only the
    /// new snapshots are read, unless the heaviest keys changed.
    void setSeries(const MapSeries &series);
    void clear();
    void setTopCount(int count);
    int topCount() const { return m_topCount; }

    const QList<Line> &lines() const { return m_lines; }
    qsizetype snapshotCount() const { return m_times.size(); }
    const QList<double> &timesInSeconds() const { return m_times; }
    bool isDelta() const { return m_delta; }
    /// How often setSeries() read every snapshot (tests check that live appends do not).
    int fullRebuildCount() const { return m_fullRebuilds; }

    QString xAxisTitle() const;
    QString yAxisTitle() const;
    QStringList xTickLabels() const;
    QStringList yTickLabels() const;

    /// Where snapshot `index` of line `line` is drawn.
    QPointF pointAt(int line, int index) const;
    /// What hovering at `pos` shows: time, key and value of the nearest point; empty off the plot.
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
        QRectF plot;
        QRectF legend;
        QList<QRectF> legendItems; ///< one per line; fewer when they do not all fit
        QList<double> xTicks;
        QList<double> yTicks;
        double xMax = 1;
        double yMin = 0;
        double yMax = 1;
    };
    Layout layout() const;
    void rebuild();
    void addSnapshot(const MapSnapshot &snapshot);
    bool chooseTopKeys();
    void fillLines();
    void appendLineValues(const MapSnapshot &snapshot);
    int nearestIndex(const Layout &layout, double x) const;
    int nearestLine(const Layout &layout, int index, double y) const;
    int legendItemAt(const Layout &layout, const QPoint &pos) const;

    MapSeries m_series;
    bool m_delta = false;
    int m_topCount = DefaultTopCount;
    int m_fullRebuilds = 0;
    QList<double> m_times;
    QHash<QString, double> m_totals; ///< by key text
    QHash<QString, MapKey> m_keys; ///< the first seen MapKey per key text
    QStringList m_top; ///< key texts, heaviest first
    QList<Line> m_lines;
    int m_hoverIndex = -1;
    int m_hoverLine = -1;
};
