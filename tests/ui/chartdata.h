// SPDX-License-Identifier: GPL-2.0-or-later
// Maps and series for the chart tests, made the way the engine makes them.
#pragma once

#include "engine/results/runresults.h"

#include <QJsonArray>
#include <QJsonObject>

namespace ChartData {
/// A keyed count map: {"key": count, ...}.
inline MapResult counts(const QString &name, const QJsonObject &counts)
{
    return MapResult::fromBpftraceJson(name, QStringLiteral("map"), counts);
}

inline MapResult scalar(const QString &name, qint64 value)
{
    return MapResult::fromBpftraceJson(name, QStringLiteral("map"), value);
}

inline QJsonObject bucket(qint64 min, qint64 max, qint64 count)
{
    return { { QStringLiteral("min"), min }, { QStringLiteral("max"), max }, { QStringLiteral("count"), count } };
}

/// A hist() map without keys from [min, max, count] triples.
inline MapResult histogram(const QString &name, const QList<std::array<qint64, 3>> &buckets)
{
    QJsonArray array;
    for (const auto &b : buckets)
        array.append(bucket(b[0], b[1], b[2]));
    return MapResult::fromBpftraceJson(name, QStringLiteral("hist"), array);
}

inline MapSeries series(const QString &name, const QList<std::pair<qint64, MapResult>> &snapshots, bool delta = false)
{
    MapSeries series;
    series.name = name;
    series.delta = delta;
    for (const auto &[ms, map] : snapshots)
        series.snapshots.append({ ms, map });
    return series;
}
} // namespace ChartData
