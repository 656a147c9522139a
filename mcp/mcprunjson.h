// SPDX-License-Identifier: GPL-2.0-or-later
// Runs as MCP clients read them, shared by the run tools and the tracedesk://runs/{id} resource.
#pragma once

#include "engine/results/runresults.h"
#include "engine/runtypes.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

class ApprovalQueue;
class Run;

namespace McpRunJson {
/// The get_result view of a run: state, a page of output from `offset` (at most `limit`
/// lines and about `maxBytes` of text), totals, maps as structured data, diagnostics and the
/// decision. Also the body of the tracedesk://runs/{id} resource. `approvals` may be null.
QJsonObject describeRun(
    const Run *run, const ApprovalQueue *approvals, qint64 offset, int limit, qint64 maxBytes = 512 * 1024);
/// One list_executions entry: id, state, origin, decision, a script preview, counts and times.
QJsonObject runSummary(const Run *run);
/// One plain sentence telling a client what the run's state means and what to do next.
QString stateMessage(const Run *run);
/// Every run state's name as the results spell it, in life-cycle order (for schema enums).
QStringList stateNames();

/// Run::maps() as structured data: entries sorted by value, histogram buckets with min/max/count
/// and the labels of the typed Histogram ("[4, 8)", "[1K, 2K)"), the window's labels too. A
/// kind is the typed one: an lhist bpftrace 0.23 printed as "hist" is "lhist".
QJsonObject formatMaps(const RunResults &maps);

/// Compile diagnostics as {severity, message, line, column, end_column} (positions 1-based,
/// absent when unknown), and the schema of one entry.
QJsonArray diagnosticsJson(const QList<Diagnostic> &list);
QJsonObject diagnosticSchema();
} // namespace McpRunJson
