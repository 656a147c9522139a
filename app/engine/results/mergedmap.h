// SPDX-License-Identifier: GPL-2.0-or-later
// One map of a fleet run: the same map of each host merged the way its data allows, with every
// merged value keeping what each host contributed. Pure data; FleetResults makes these.
#pragma once

#include "engine/results/mapresult.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

class MergedMap
{
public:
    /// How the hosts' values of the map combine.
    enum class Rule
    {
        Sum, ///< count(), sum(): values add
        Min, ///< min(): the smallest
        Max, ///< max(): the largest
        Stats, ///< avg(), stats(): counts and totals add, average = total / count
        Histogram, ///< hist(), lhist(): bucket by bucket
        Same, ///< plain assignments, strings, print() values: no arithmetic; kept when every host agrees
    };

    /// One merged value: a key's (or, for a map without keys, the map's) value over all hosts.
    struct Entry
    {
        MapKey key; ///< as the first host with the key printed it (typed parts as split there)
        MapValue value; ///< merged; Empty when the values do not merge (Same with hosts that differ)
        QList<MapValue> hosts; ///< one per host, in FleetResults::hosts() order; Empty: no such key there
        /// Histograms only: for each bucket of `value`, the count of each host (0 where it had none).
        QList<QList<qint64>> bucketHosts;

        /// Hosts that have this key.
        int hostCount() const;
    };

    MergedMap() = default;
    /// Merges `hostMaps`, one per host named in `hostNames` (nullptr: the host did not report the
    /// map). `valueType` is the script's value type of the map from bpftrace's AST ("count_t",
    /// "min_t", "hist_t", ...): bpftrace's JSON prints count, sum, min and max alike, so without it
    /// a plain map of numbers is summed and ruleAssumed() says so.
    static MergedMap merge(const QString &name, const QStringList &hostNames, const QList<const MapResult *> &hostMaps,
        const QString &valueType = QString());
    /// The rule for an AST value type (Same for plain values: "int64", "string", "kstack"). With
    /// no type, `kind` decides, and `assumed` is set where the kind alone cannot tell (a plain map
    /// of count() and one of max() print alike).
    static Rule ruleFor(const QString &valueType, MapResult::Kind kind, bool *assumed = nullptr);
    /// "sum", "min", "max", "stats", "hist", "same": the names both front doors use.
    static QString ruleName(Rule rule);

    QString name() const { return m_name; }
    MapResult::Kind kind() const { return m_kind; }
    /// As MapResult::kindName() of the merged map ("map", "hist", "lhist", "stats", "value").
    QString kindName() const;
    Rule rule() const { return m_rule; }
    /// No value type was known and the rule was taken from the map's kind (a plain map: Sum).
    bool ruleAssumed() const { return m_ruleAssumed; }
    bool isKeyed() const { return m_keyed; }
    bool isHistogram() const { return m_kind == MapResult::Kind::Histogram; }
    QStringList keyTypes() const { return m_keyTypes; }

    /// Hosts whose maps cannot be merged: the kinds differ (a hist on one, a plain map on another),
    /// one is keyed and another not, or histogram buckets do not line up (lhist with other
    /// parameters). Then there are no merged values; each host's own map is still there (host()).
    bool hasConflict() const { return !m_conflict.isEmpty(); }
    QString conflict() const { return m_conflict; }

    /// Why some values have no merged value although the map merged: avg() prints only its
    /// average, without the count that would weigh it. Empty when there is nothing to say.
    QString note() const { return m_note; }

    /// The number of hosts of the fleet (every index below is into these).
    int hostCount() const { return int(m_hostMaps.size()); }
    /// Indexes of the hosts that reported the map (empty or not).
    QList<int> reportingHosts() const { return m_reporting; }
    bool isReportedBy(int host) const { return m_reporting.contains(host); }

    /// The value of a map without keys.
    const Entry &value() const { return m_value; }
    /// The keys of a keyed map, each once however many hosts have it: plain maps in bpftrace's
    /// order (smallest merged value first), histograms in the order the hosts printed their keys.
    const QList<Entry> &entries() const { return m_entries; }
    qsizetype entryCount() const { return m_keyed ? m_entries.size() : 1; }
    /// Index into entries() of the key with this text (MapKey::text()); -1 when none.
    qsizetype indexOf(const QString &keyText) const;

    /// The merged map as a plain MapResult, so every view of one run shows it (a conflict: an
    /// empty map of the first host's kind).
    MapResult merged() const;
    /// The map exactly as host `index` reported it; an empty map of the same shape when it did not.
    MapResult host(int index) const;
    /// The map merged over only `hosts` (indexes; the host filter of a view).
    MapResult select(const QList<int> &hosts) const;
    /// Each host's entries under a leading text key part naming the host (`hostNames`, one per
    /// host), from `hosts` (empty: all): the host as a level of the flame graph, a "by host" table,
    /// a histogram per host on one bucket set. A map without keys becomes keyed by host.
    MapResult byHost(const QStringList &hostNames, const QList<int> &hosts = {}) const;
    /// Host `host`'s histogram of entry `entry` (-1: the map without keys) on the merged buckets,
    /// 0 where it had none, so the hosts' charts line up bucket for bucket.
    Histogram hostHistogram(qsizetype entry, int host) const;

private:
    Entry combine(const QList<int> &hosts, const Entry &from) const;
    bool mergeHistograms(Entry &entry);

    QString m_name;
    MapResult::Kind m_kind = MapResult::Kind::Map;
    bool m_keyed = false;
    Rule m_rule = Rule::Sum;
    bool m_ruleAssumed = false;
    bool m_linear = false;
    QStringList m_keyTypes;
    QString m_conflict;
    QString m_note;
    QList<MapResult> m_hostMaps; ///< one per host, a default MapResult where it has none
    QList<int> m_reporting;
    Entry m_value;
    QList<Entry> m_entries;
    QHash<QString, qsizetype> m_index;
};
