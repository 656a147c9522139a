// SPDX-License-Identifier: GPL-2.0-or-later
// Every map of one run, by name: the run's results in typed form.
#pragma once

#include "engine/results/mapresult.h"
#include "engine/results/mapseries.h"

#include <QJsonObject>
#include <QMap>
#include <QStringList>

class RunResults
{
public:
    /// Replaces the map of that name (a print() or the final dump sends each map whole).
    void insert(MapResult map);
    /// Adds the maps of one bpftrace output line ({"@name": value, ...} of type `type`).
    void insertBpftraceJson(const QString &type, const QJsonObject &data);

    bool isEmpty() const { return m_maps.isEmpty(); }
    qsizetype size() const { return m_maps.size(); }
    bool contains(const QString &name) const { return m_maps.contains(name); }
    /// nullptr when there is no map of that name.
    const MapResult *find(const QString &name) const;
    QStringList names() const { return m_maps.keys(); } ///< sorted
    QList<MapResult> maps() const { return m_maps.values(); } ///< in name order

    /// Keeps `map` as one more snapshot of its series, taken `msSinceStart` after the run began
    /// (the latest snapshot is also what insert() keeps).
    void appendSnapshot(qint64 msSinceStart, const MapResult &map);
    /// Every print() of the map during the run; nullptr when it was never printed.
    const MapSeries *series(const QString &name) const;
    QStringList seriesNames() const { return m_series.keys(); } ///< sorted

    /// The stored form, {"@name": {"kind": ..., "data": ...}}, which fromJson() reads back
    /// (and which history files written by earlier versions have).
    QJsonObject toJson() const;
    static RunResults fromJson(const QJsonObject &stored);
    /// All maps as bpftrace's text output would print them.
    QString toText() const;

    bool operator==(const RunResults &) const = default;

private:
    QMap<QString, MapResult> m_maps;
    QMap<QString, MapSeries> m_series;
};
