// SPDX-License-Identifier: GPL-2.0-or-later
// Every print() of one map during a run, in order: the map as a series over time.
#pragma once

#include "engine/results/mapresult.h"

#include <QList>

/// The map as one print() showed it, at a time measured from the start of the run.
struct MapSnapshot
{
    qint64 msSinceStart = 0;
    MapResult map;
    bool operator==(const MapSnapshot &) const = default;
};

/// The snapshots of one map, oldest first. A script that clears the map after printing it
/// makes each snapshot a delta (the counts of that interval) rather than a running total.
class MapSeries
{
public:
    QString name;
    QList<MapSnapshot> snapshots;
    bool delta = false; ///< each snapshot holds one interval's values (the script clears after print)
    qint64 bytes = 0; ///< MapResult::estimatedBytes() of the snapshots kept
    qint64 dropped = 0; ///< snapshots thinned away to stay within the caps (RunResults)

    bool isEmpty() const { return snapshots.isEmpty(); }
    qsizetype size() const { return snapshots.size(); }
    bool operator==(const MapSeries &) const = default;
};
