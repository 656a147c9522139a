// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/runresults.h"

void RunResults::insert(MapResult map)
{
    const QString name = map.name();
    m_maps.insert(name, std::move(map));
}

void RunResults::insertBpftraceJson(const QString &type, const QJsonObject &data)
{
    for (auto it = data.begin(); it != data.end(); ++it)
        insert(MapResult::fromBpftraceJson(it.key(), type, it.value()));
}

void RunResults::appendSnapshot(qint64 msSinceStart, const MapResult &map)
{
    MapSeries &series = m_series[map.name()];
    series.name = map.name();
    series.snapshots.append(MapSnapshot { msSinceStart, map });
}

const MapSeries *RunResults::series(const QString &name) const
{
    const auto it = m_series.constFind(name);
    return it == m_series.cend() ? nullptr : &*it;
}

const MapResult *RunResults::find(const QString &name) const
{
    const auto it = m_maps.constFind(name);
    return it == m_maps.cend() ? nullptr : &*it;
}

QJsonObject RunResults::toJson() const
{
    QJsonObject object;
    for (const MapResult &map : m_maps)
        object.insert(map.name(), map.toJson());
    return object;
}

RunResults RunResults::fromJson(const QJsonObject &stored)
{
    RunResults results;
    for (auto it = stored.begin(); it != stored.end(); ++it)
        results.insert(MapResult::fromJson(it.key(), it.value()));
    return results;
}

QString RunResults::toText() const
{
    QString text;
    for (const MapResult &map : m_maps)
        text += map.toText() + u'\n';
    return text;
}
