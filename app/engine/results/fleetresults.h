// SPDX-License-Identifier: GPL-2.0-or-later
// The results of one script run on several hosts: each host's state and maps, and every map
// merged across them with its per-host breakdown. Independent of how the hosts' runs were started
// (SSH, kubectl, synthetic data in tests): it takes what each host printed and how its run stands.
#pragma once

#include "engine/results/mergedmap.h"
#include "engine/results/runresults.h"
#include "engine/results/stacktree.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

/// How one host's run of the fleet's script stands.
enum class HostRunState
{
    Running, ///< still running: its maps are the latest it printed
    Finished, ///< bpftrace exited normally
    Stopped, ///< stopped on request or by the timeout: the maps it printed as it exited
    Failed, ///< bpftrace failed there (compile error, killed, connection dropped mid-run)
    Unreachable, ///< the run never started there (no connection, refused, no privilege)
};

/// What one host contributes: its name, its state (with the reason when it failed) and its maps.
struct HostResults
{
    QString host; ///< as the person named the target ("db1", "ssh://root@db1")
    HostRunState state = HostRunState::Finished;
    QString message; ///< why it failed or could not be reached; may be empty otherwise
    RunResults results;
};

/// One host as the merged results list it.
struct HostStatus
{
    QString host;
    HostRunState state = HostRunState::Finished;
    QString message;
    qsizetype mapCount = 0; ///< maps it reported

    /// Its maps are in the merged values (it reported at least one, whatever its state).
    bool contributes() const { return mapCount > 0; }
    bool operator==(const HostStatus &) const = default;
};

class FleetResults
{
public:
    /// Merges every map the hosts reported. `valueTypes` maps a map name to its value type from
    /// the script's AST (ScriptMap::valueType: "count_t", "max_t", ...), which decides how plain
    /// maps merge (see MergedMap::merge()). Hosts keep their order; a name given twice gets
    /// " (2)" added and an empty one "host N", so every host stays listed and addressable.
    static FleetResults merge(const QList<HostResults> &hosts, const QHash<QString, QString> &valueTypes = {});

    /// "running", "finished", "stopped", "failed", "unreachable": the names both front doors use.
    static QString stateName(HostRunState state);
    static std::optional<HostRunState> stateFromName(const QString &name);

    /// Every host given, in order, also those that failed or were never reached.
    const QList<HostStatus> &hosts() const { return m_hosts; }
    QStringList hostNames() const;
    int hostCount() const { return int(m_hosts.size()); }
    /// -1 when there is no such host.
    int hostIndex(const QString &host) const;
    /// Hosts whose maps are in the merged values.
    int contributingHostCount() const;
    /// Hosts that are not (failed, unreachable, or reported nothing yet), by index.
    QList<int> missingHosts() const;
    /// "2 of 3 hosts": how many hosts the merged values cover.
    QString coverage() const;
    /// One plain sentence for people and clients: "Merged over 2 of 3 hosts; db3 unreachable:
    /// connection refused." Every host that is not in the totals is named with its reason.
    QString summary() const;

    bool isEmpty() const { return m_maps.isEmpty(); }
    QStringList names() const { return m_maps.keys(); } ///< sorted
    const MergedMap *find(const QString &name) const;
    QList<MergedMap> maps() const { return m_maps.values(); } ///< in name order
    /// "@x: the hosts' maps differ in kind: ...", one per map that could not be merged.
    QStringList conflicts() const;

    /// The merged maps as one run's results (every view of a run shows them); no series.
    RunResults mergedResults() const;
    /// Host `index`'s own results, as it reported them (series included).
    RunResults hostResults(int index) const;
    /// The maps merged over only `hosts` (indexes): a view's host filter.
    RunResults selectResults(const QList<int> &hosts) const;
    /// Every map with the host as the first key part: each host's values side by side.
    RunResults byHostResults() const;

    /// The calling-context tree of stack map `map` over `hosts` (empty: all hosts); with
    /// `hostLevel` each host is a level of its own right below the root, so the flame graph shows
    /// which host the time went to before which function.
    StackTree stackTree(const QString &map, const QList<int> &hosts = {}, bool hostLevel = false) const;

private:
    QList<HostStatus> m_hosts;
    QList<RunResults> m_results;
    QMap<QString, MergedMap> m_maps;
};
