// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/runresults.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

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
    series.bytes += map.estimatedBytes();
    enforceLimits(map.name());
}

void RunResults::thin(MapSeries &series)
{
    // Every other snapshot of the older half goes; the newest snapshot always stays. With two or
    // three snapshots that is the oldest, so every call frees something.
    const qsizetype older = series.snapshots.size() / 2;
    if (older < 1)
        return;
    const qsizetype dropParity = older == 1 ? 0 : 1;
    QList<MapSnapshot> kept;
    kept.reserve(series.snapshots.size() - older / 2);
    for (qsizetype i = 0; i < series.snapshots.size(); ++i) {
        if (i < older && i % 2 == dropParity) {
            series.bytes -= series.snapshots.at(i).map.estimatedBytes();
            ++series.dropped;
        } else {
            kept.append(std::move(series.snapshots[i]));
        }
    }
    series.snapshots = std::move(kept);
}

void RunResults::enforceLimits(const QString &grown)
{
    auto it = m_series.find(grown);
    if (it != m_series.end() && m_maxSnapshotsPerMap > 0 && it->size() > m_maxSnapshotsPerMap)
        thin(*it);
    if (m_maxSeriesBytes <= 0)
        return;
    while (seriesBytes() > m_maxSeriesBytes) {
        // The largest series gives way first; one that cannot shrink any more ends the loop.
        auto largest = std::max_element(
            m_series.begin(), m_series.end(), [](const MapSeries &a, const MapSeries &b) { return a.bytes < b.bytes; });
        if (largest == m_series.end() || largest->size() < 2)
            break;
        const qsizetype before = largest->size();
        thin(*largest);
        if (largest->size() == before)
            break; // nothing could go: never spin
    }
}

void RunResults::merge(const RunResults &other)
{
    for (const MapResult &map : other.m_maps)
        insert(map);
    for (const MapSeries &series : other.m_series) {
        for (const MapSnapshot &snapshot : series.snapshots)
            appendSnapshot(snapshot.msSinceStart, snapshot.map);
        if (series.delta)
            m_series[series.name].delta = true;
    }
}

void RunResults::setSeriesDelta(const QString &name, bool delta)
{
    const auto it = m_series.find(name);
    if (it != m_series.end())
        it->delta = delta;
}

void RunResults::dropSnapshot(const QString &name, qint64 msSinceStart)
{
    const auto it = m_series.find(name);
    if (it == m_series.end() || it->snapshots.isEmpty() || it->snapshots.last().msSinceStart != msSinceStart)
        return;
    it->bytes -= it->snapshots.last().map.estimatedBytes();
    it->snapshots.removeLast();
    if (it->snapshots.isEmpty())
        m_series.erase(it);
}

void RunResults::setKeyTypes(const QString &name, const QStringList &keyTypes)
{
    if (const auto it = m_maps.find(name); it != m_maps.end())
        it->setKeyTypes(keyTypes);
    if (const auto it = m_series.find(name); it != m_series.end()) {
        for (MapSnapshot &snapshot : it->snapshots) {
            if (snapshot.map.keyTypes() == keyTypes)
                continue;
            it->bytes -= snapshot.map.estimatedBytes();
            snapshot.map.setKeyTypes(keyTypes);
            it->bytes += snapshot.map.estimatedBytes();
        }
    }
}

void RunResults::setSeriesLimits(int maxSnapshotsPerMap, qint64 maxSeriesBytes)
{
    m_maxSnapshotsPerMap = maxSnapshotsPerMap;
    m_maxSeriesBytes = maxSeriesBytes;
}

qint64 RunResults::seriesBytes() const
{
    qint64 bytes = 0;
    for (const MapSeries &series : m_series)
        bytes += series.bytes;
    return bytes;
}

qint64 RunResults::snapshotsDropped() const
{
    qint64 dropped = 0;
    for (const MapSeries &series : m_series)
        dropped += series.dropped;
    return dropped;
}

QJsonObject RunResults::seriesToJson() const
{
    QJsonObject out;
    for (const MapSeries &series : m_series) {
        QJsonArray snapshots;
        for (const MapSnapshot &snapshot : series.snapshots)
            snapshots.append(QJsonObject { { u"ms"_s, snapshot.msSinceStart }, { u"map"_s, snapshot.map.toJson() } });
        out.insert(series.name,
            QJsonObject {
                { u"delta"_s, series.delta }, { u"dropped"_s, series.dropped }, { u"snapshots"_s, snapshots } });
    }
    return out;
}

void RunResults::seriesFromJson(const QJsonObject &stored)
{
    for (auto it = stored.begin(); it != stored.end(); ++it) {
        const QJsonObject object = it.value().toObject();
        MapSeries series;
        series.name = it.key();
        series.delta = object.value("delta"_L1).toBool();
        series.dropped = object.value("dropped"_L1).toInteger();
        for (const QJsonValue &value : object.value("snapshots"_L1).toArray()) {
            const QJsonObject snapshot = value.toObject();
            MapResult map = MapResult::fromJson(it.key(), snapshot.value("map"_L1));
            series.bytes += map.estimatedBytes();
            series.snapshots.append(MapSnapshot { snapshot.value("ms"_L1).toInteger(), std::move(map) });
        }
        if (!series.snapshots.isEmpty())
            m_series.insert(series.name, std::move(series));
    }
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
