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
    /// (the latest snapshot is also what insert() keeps). Bounded: past maxSnapshotsPerMap
    /// snapshots of one map, or maxSeriesBytes for all series together, the older half of the
    /// largest series is thinned (every other snapshot dropped, counted in MapSeries::dropped),
    /// so the recent past stays at full resolution and the whole run stays in view.
    void appendSnapshot(qint64 msSinceStart, const MapResult &map);
    /// Every print() of the map during the run; nullptr when it was never printed.
    const MapSeries *series(const QString &name) const;
    QStringList seriesNames() const { return m_series.keys(); } ///< sorted

    /// Takes over `other`'s maps (replacing those of the same name) and appends its snapshots to
    /// the series here, under the caps: how a run gathers the batches its controller parses.
    void merge(const RunResults &other);
    /// Marks the series of `name` as delta (the script clears the map after printing it).
    void setSeriesDelta(const QString &name, bool delta);
    /// Drops the latest snapshot of `name` when taken at `msSinceStart` (bpftrace's dump at exit,
    /// which is the end state in find(), not one more point in time); a series left without
    /// snapshots goes.
    void dropSnapshot(const QString &name, qint64 msSinceStart);
    /// Splits the keys of the map and of its snapshots by these key types.
    void setKeyTypes(const QString &name, const QStringList &keyTypes);

    void setSeriesLimits(int maxSnapshotsPerMap, qint64 maxSeriesBytes);
    int maxSnapshotsPerMap() const { return m_maxSnapshotsPerMap; }
    qint64 maxSeriesBytes() const { return m_maxSeriesBytes; }
    /// What the series hold (estimated) and how many snapshots the caps thinned away in all.
    qint64 seriesBytes() const;
    qint64 snapshotsDropped() const;
    static constexpr int kDefaultMaxSnapshotsPerMap = 1000;
    static constexpr qint64 kDefaultMaxSeriesBytes = 64 * 1024 * 1024;

    /// The series in stored form: {"@name": {"delta", "dropped", "snapshots": [{"ms", "map"}]}}
    /// with each map as toJson() stores it; seriesFromJson() reads it back into these results.
    QJsonObject seriesToJson() const;
    void seriesFromJson(const QJsonObject &stored);

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
    int m_maxSnapshotsPerMap = kDefaultMaxSnapshotsPerMap;
    qint64 m_maxSeriesBytes = kDefaultMaxSeriesBytes;

    void thin(MapSeries &series);
    void enforceLimits(const QString &grown);
};
