// SPDX-License-Identifier: GPL-2.0-or-later
// Runs as MCP clients read them, shared by the run tools and the tracedesk://runs/{id} resource.
#pragma once

#include "engine/results/fleetresults.h"
#include "engine/results/runresults.h"
#include "engine/runtypes.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

class ApprovalQueue;
class Run;

namespace McpRunJson {
/// What of the maps a reader asks for: one map or all, how many heaviest stacks to sum up, and
/// which page of each map's series of snapshots.
struct MapView
{
    QString map; ///< "@name"; empty: every map
    int topStacks = 10; ///< stacks in top_stacks (0: none)
    qint64 seriesOffset = 0; ///< first snapshot of each series
    int seriesLimit = 20; ///< most snapshots of each series
};
constexpr int kMaxSeriesEntries = 100; ///< entries per snapshot in a series, heaviest first
/// About this much JSON per series in one answer (at least one snapshot); the rest is the next
/// page, so a client asking for many snapshots of a big map gets a bounded answer.
constexpr qint64 kMaxSeriesPageBytes = 2 * 1024 * 1024;

/// The get_result view of a run: state, a page of output from `offset` (at most `limit`
/// lines and about `maxBytes` of text), totals, maps as structured data, the series of
/// snapshots, diagnostics and the decision. Also the body of the tracedesk://runs/{id}
/// resource. `approvals` may be null.
QJsonObject describeRun(const Run *run, const ApprovalQueue *approvals, qint64 offset, int limit,
    qint64 maxBytes = 512 * 1024, const MapView &view = {});
/// One list_executions entry: id, state, origin, decision, a script preview, counts and times.
QJsonObject runSummary(const Run *run);
/// One plain sentence telling a client what the run's state means and what to do next.
QString stateMessage(const Run *run);
/// Every run state's name as the results spell it, in life-cycle order (for schema enums).
QStringList stateNames();

/// Run::maps() as structured data: entries sorted by value, histogram buckets with min/max/count
/// and the labels of the typed Histogram ("[4, 8)", "[1K, 2K)"), the window's labels too. A
/// kind is the typed one: an lhist bpftrace 0.23 printed as "hist" is "lhist".
/// Keys come as text ("key", bpftrace's comma-joined form) and as typed parts ("key_parts":
/// {"type": "string"|"integer", "value"} or {"type": "stack", "space", "frames": [{"symbol",
/// "offset", "module", "address"}]}); a map with a stack in its key adds "top_stacks", and a
/// map without entries says "empty": true.
QJsonObject formatMaps(const RunResults &maps, const MapView &view = {});
/// Every series (or view.map's) as {"delta", "total_snapshots", "offset", "returned",
/// "has_more", "dropped", "snapshots": [{"ms", ...the map at that moment}]}, paged by `view`.
QJsonObject formatSeries(const RunResults &maps, const MapView &view = {});
/// The schemas of one map and one series as formatMaps() and formatSeries() write them. Every
/// map is described by mapSchema() (a snapshot and a merged map by "allOf" with it), so an
/// output schema holds it once and a validator compiles it once; the per-host "hosts" of its
/// items is optional and says it appears in merged maps only.
QJsonObject mapSchema();
QJsonObject seriesSchema();

/// A fleet run's maps merged across its hosts (FleetResults), as get_result's "fleet" property:
/// {"hosts_total", "hosts_merged", "coverage" ("2 of 3 hosts"), "summary" (one sentence naming
/// every host left out of the totals and why), "host_states": [{"host", "state", "message",
/// "maps", "contributes"}] (every host, also the failed and unreachable ones), "conflicts",
/// "maps": formatMergedMaps()}.
QJsonObject formatFleet(const FleetResults &fleet, const MapView &view = {});
/// The merged maps by name, each in formatMaps()'s shape (so a client reads them like one host's)
/// plus "merge" (how values combined: "sum", "min", "max", "stats", "hist", "same"),
/// "merge_assumed" (no value type was known: a plain map was summed), "reported_by" (host names),
/// "coverage", and beside every value a breakdown "hosts": {"host": value}: on the map's value,
/// on each entry, on each series key (its total count), on each bucket (its count) and on each of
/// top_stacks (its samples); only hosts that have the key are in it. A map the hosts printed in
/// different kinds, or histograms whose buckets do not line up, has "conflict" (the reason),
/// no merged values, and "per_host": {"host": that host's map in formatMaps()'s shape}.
QJsonObject formatMergedMaps(const FleetResults &fleet, const MapView &view = {});
/// The "host_states" array of formatFleet().
QJsonArray hostStatesJson(const FleetResults &fleet);
/// The schemas of formatFleet() and of one merged map.
QJsonObject fleetSchema();
QJsonObject mergedMapSchema();

/// Compile diagnostics as {severity, message, line, column, end_column} (positions 1-based,
/// absent when unknown), and the schema of one entry.
QJsonArray diagnosticsJson(const QList<Diagnostic> &list);
QJsonObject diagnosticSchema();
} // namespace McpRunJson
