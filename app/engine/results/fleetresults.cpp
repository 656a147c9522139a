// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/fleetresults.h"

#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
// The maps a host reported: the maps it printed at exit, and for a map it has only printed
// with print() so far (a running host), the latest print.
QHash<QString, MapResult> reportedMaps(const RunResults &results)
{
    QHash<QString, MapResult> maps;
    for (const MapResult &map : results.maps())
        maps.insert(map.name(), map);
    for (const QString &name : results.seriesNames()) {
        const MapSeries *series = results.series(name);
        if (!maps.contains(name) && series && !series->isEmpty())
            maps.insert(name, series->snapshots.constLast().map);
    }
    return maps;
}

QString hostsText(int count)
{
    return count == 1 ? u"1 host"_s : u"%1 hosts"_s.arg(count);
}
} // namespace

QString FleetResults::stateName(HostRunState state)
{
    switch (state) {
    case HostRunState::Running:
        return u"running"_s;
    case HostRunState::Finished:
        return u"finished"_s;
    case HostRunState::Stopped:
        return u"stopped"_s;
    case HostRunState::Failed:
        return u"failed"_s;
    case HostRunState::Unreachable:
        break;
    }
    return u"unreachable"_s;
}

std::optional<HostRunState> FleetResults::stateFromName(const QString &name)
{
    for (const HostRunState state : { HostRunState::Running, HostRunState::Finished, HostRunState::Stopped,
             HostRunState::Failed, HostRunState::Unreachable }) {
        if (stateName(state) == name)
            return state;
    }
    return std::nullopt;
}

FleetResults FleetResults::merge(const QList<HostResults> &hosts, const QHash<QString, QString> &valueTypes)
{
    FleetResults fleet;
    QSet<QString> taken;
    QList<QHash<QString, MapResult>> reported;
    QStringList names;
    reported.reserve(hosts.size());
    for (qsizetype i = 0; i < hosts.size(); ++i) {
        const HostResults &host = hosts.at(i);
        const QString base = host.host.trimmed().isEmpty() ? u"host %1"_s.arg(i + 1) : host.host;
        QString name = base;
        for (int n = 2; taken.contains(name); ++n)
            name = u"%1 (%2)"_s.arg(base, QString::number(n));
        taken.insert(name);
        names.append(name);
        reported.append(reportedMaps(host.results));
        fleet.m_hosts.append(HostStatus { name, host.state, host.message, reported.last().size() });
        fleet.m_results.append(host.results);
    }
    QSet<QString> mapNames;
    for (const QHash<QString, MapResult> &maps : std::as_const(reported)) {
        for (auto it = maps.cbegin(); it != maps.cend(); ++it)
            mapNames.insert(it.key());
    }
    for (const QString &name : std::as_const(mapNames)) {
        QList<const MapResult *> hostMaps;
        hostMaps.reserve(reported.size());
        for (const QHash<QString, MapResult> &maps : std::as_const(reported)) {
            auto it = maps.constFind(name);
            hostMaps.append(it == maps.cend() ? nullptr : &*it);
        }
        fleet.m_maps.insert(name, MergedMap::merge(name, names, hostMaps, valueTypes.value(name)));
    }
    return fleet;
}

QStringList FleetResults::hostNames() const
{
    QStringList names;
    for (const HostStatus &host : m_hosts)
        names.append(host.host);
    return names;
}

int FleetResults::hostIndex(const QString &host) const
{
    for (int i = 0; i < m_hosts.size(); ++i) {
        if (m_hosts.at(i).host == host)
            return i;
    }
    return -1;
}

int FleetResults::contributingHostCount() const
{
    return int(std::count_if(m_hosts.cbegin(), m_hosts.cend(), [](const HostStatus &h) { return h.contributes(); }));
}

QList<int> FleetResults::missingHosts() const
{
    QList<int> missing;
    for (int i = 0; i < m_hosts.size(); ++i) {
        if (!m_hosts.at(i).contributes())
            missing.append(i);
    }
    return missing;
}

QString FleetResults::coverage() const
{
    return u"%1 of %2"_s.arg(contributingHostCount()).arg(hostsText(hostCount()));
}

QString FleetResults::summary() const
{
    QString text = u"Merged over %1"_s.arg(coverage());
    QStringList notes;
    for (const HostStatus &host : m_hosts) {
        QString note;
        if (host.state == HostRunState::Failed || host.state == HostRunState::Unreachable)
            note = host.host + u' ' + stateName(host.state);
        else if (!host.contributes())
            note = host.host + u" reported no maps"_s + (host.state == HostRunState::Running ? u" yet"_s : QString());
        else if (host.state == HostRunState::Running)
            note = host.host + u" still running"_s;
        if (note.isEmpty())
            continue;
        if (!host.message.isEmpty())
            note += u": "_s + host.message.simplified();
        notes.append(note);
    }
    if (!notes.isEmpty())
        text += u"; "_s + notes.join(u"; "_s);
    return text + u'.';
}

const MergedMap *FleetResults::find(const QString &name) const
{
    auto it = m_maps.constFind(name);
    return it == m_maps.cend() ? nullptr : &*it;
}

QStringList FleetResults::conflicts() const
{
    QStringList list;
    for (const MergedMap &map : m_maps) {
        if (map.hasConflict())
            list.append(map.name() + u": "_s + map.conflict());
    }
    return list;
}

RunResults FleetResults::mergedResults() const
{
    RunResults results;
    for (const MergedMap &map : m_maps)
        results.insert(map.merged());
    return results;
}

RunResults FleetResults::hostResults(int index) const
{
    return index >= 0 && index < m_results.size() ? m_results.at(index) : RunResults();
}

RunResults FleetResults::selectResults(const QList<int> &hosts) const
{
    RunResults results;
    for (const MergedMap &map : m_maps) {
        if (std::any_of(hosts.cbegin(), hosts.cend(), [&map](int h) { return map.isReportedBy(h); }))
            results.insert(map.select(hosts));
    }
    return results;
}

RunResults FleetResults::byHostResults() const
{
    RunResults results;
    const QStringList names = hostNames();
    for (const MergedMap &map : m_maps)
        results.insert(map.byHost(names));
    return results;
}

StackTree FleetResults::stackTree(const QString &name, const QList<int> &hosts, bool hostLevel) const
{
    const MergedMap *map = find(name);
    if (!map)
        return {};
    if (hostLevel)
        return StackTree::fromMap(map->byHost(hostNames(), hosts));
    return StackTree::fromMap(hosts.isEmpty() ? map->merged() : map->select(hosts));
}
