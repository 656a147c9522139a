// SPDX-License-Identifier: GPL-2.0-or-later
// Runs as MCP clients read them, shared by the run tools and the tracedesk://runs/{id} resource.
#include "mcp/mcprunjson.h"

#include "engine/approvalqueue.h"
#include "engine/run.h"
#include "engine/scriptanalyzer.h"
#include "mcp/mcpschema.h"

#include <QJsonArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
constexpr int kMaxMapEntries = 1000;

QString isoTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

void putTime(QJsonObject &object, const QString &key, const QDateTime &time)
{
    if (time.isValid())
        object.insert(key, isoTime(time));
}

// ---------------------------------------------------------------------------------------------
// Maps and histograms

// Buckets with bpftrace's bounds and the label the Histogram gives them (the window shows the
// same labels).
QJsonArray bucketsJson(const Histogram &histogram)
{
    QJsonArray buckets;
    const QStringList labels = histogram.labels();
    for (qsizetype i = 0; i < histogram.buckets().size(); ++i) {
        QJsonObject out = histogram.buckets().at(i).toJson();
        out.insert(u"label"_s, labels.at(i));
        buckets.append(out);
    }
    return buckets;
}

QJsonObject mapJson(const MapResult &map)
{
    QJsonObject out { { u"kind"_s, map.kindName() } };
    if (!map.isKeyed()) {
        if (const Histogram *histogram = map.value().histogram()) {
            out.insert(u"buckets"_s, bucketsJson(*histogram));
            out.insert(u"total_count"_s, histogram->totalCount());
        } else {
            out.insert(u"value"_s, map.value().toJson());
        }
        return out;
    }
    QJsonArray array;
    if (map.isHistogram()) {
        // Keys in bpftrace's order: each is a series of its own.
        for (const MapEntry &entry : map.entries()) {
            if (array.size() >= kMaxMapEntries)
                break;
            const Histogram histogram = entry.value.histogram() ? *entry.value.histogram() : Histogram();
            array.append(QJsonObject { { u"key"_s, entry.key.text() }, { u"buckets"_s, bucketsJson(histogram) },
                { u"total_count"_s, histogram.totalCount() } });
        }
        out.insert(u"series"_s, array);
    } else {
        // Largest first: what a person reads first in bpftrace's own output (it prints them last).
        for (const MapEntry &entry : map.entriesByWeight(kMaxMapEntries))
            array.append(QJsonObject { { u"key"_s, entry.key.text() }, { u"value"_s, entry.value.toJson() } });
        out.insert(u"entries"_s, array);
    }
    out.insert(u"total_entries"_s, map.entryCount());
    if (map.entryCount() > array.size())
        out.insert(u"truncated"_s, true);
    return out;
}

QJsonObject diagnosticJson(const Diagnostic &d)
{
    QJsonObject o { { u"severity"_s, Diagnostic::severityName(d.severity) }, { u"message"_s, d.message } };
    if (d.line > 0)
        o.insert(u"line"_s, d.line);
    if (d.column > 0)
        o.insert(u"column"_s, d.column);
    if (d.endColumn > 0)
        o.insert(u"end_column"_s, d.endColumn);
    return o;
}

QString scriptPreview(const QString &script)
{
    QString flat = script.simplified();
    if (flat.size() > 120)
        flat = flat.left(117) + u"..."_s;
    return flat;
}

bool deniedByPolicy(const Run *run)
{
    return run->decision() == Decision::DeniedByPolicy || run->decidedBy().startsWith("policy"_L1);
}
} // namespace

QJsonArray McpRunJson::diagnosticsJson(const QList<Diagnostic> &list)
{
    QJsonArray array;
    for (const Diagnostic &d : list)
        array.append(diagnosticJson(d));
    return array;
}

QJsonObject McpRunJson::diagnosticSchema()
{
    return QJsonObject { { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject { { u"severity"_s,
                              QJsonObject { { u"type"_s, u"string"_s },
                                  { u"enum"_s, QJsonArray { u"error"_s, u"warning"_s, u"note"_s } } } },
                { u"line"_s, McpSchema::typed(u"integer"_s, u"1-based line in the program"_s) },
                { u"column"_s, McpSchema::typed(u"integer"_s) }, { u"end_column"_s, McpSchema::typed(u"integer"_s) },
                { u"message"_s, McpSchema::typed(u"string"_s) } } },
        { u"required"_s, QJsonArray { u"severity"_s, u"message"_s } } };
}

QJsonObject McpRunJson::runSummary(const Run *run)
{
    QJsonObject o {
        { u"execution_id"_s, run->id() },
        { u"state"_s, runStateName(run->state()) },
        { u"origin"_s, runOriginName(run->origin()) },
        { u"decision"_s, decisionName(run->decision()) },
        { u"script_edited"_s, run->scriptEdited() },
        { u"script_preview"_s, scriptPreview(run->script()) },
        { u"total_lines"_s, run->totalLines() },
        { u"map_count"_s, run->maps().size() },
        { u"duration_seconds"_s, run->durationSeconds() },
    };
    if (run->origin() == RunOrigin::Client)
        o.insert(u"client"_s, run->client().displayName());
    if (!run->reason().isEmpty())
        o.insert(u"reason"_s, run->reason());
    if (!run->decidedBy().isEmpty())
        o.insert(u"decided_by"_s, run->decidedBy());
    putTime(o, u"created_at"_s, run->createdAt());
    putTime(o, u"ended_at"_s, run->endedAt());
    return o;
}

QStringList McpRunJson::stateNames()
{
    static const QStringList names = [] {
        QStringList list;
        for (RunState s :
            { RunState::PendingApproval, RunState::Starting, RunState::Running, RunState::Stopping, RunState::Finished,
                RunState::Failed, RunState::Stopped, RunState::TimedOut, RunState::Denied, RunState::Expired })
            list.append(runStateName(s));
        return list;
    }();
    return names;
}

QJsonObject McpRunJson::formatMaps(const RunResults &maps)
{
    QJsonObject out;
    for (const MapResult &map : maps.maps())
        out.insert(map.name(), mapJson(map));
    return out;
}

QString McpRunJson::stateMessage(const Run *run)
{
    const QString edited = run->scriptEdited()
        ? u" The person edited the script before approving it: 'decision.script' is what actually ran, so read "
          "the output against that script, not yours."_s
        : QString();
    const QString note = run->decisionMessage().isEmpty() ? QString() : u": "_s + run->decisionMessage();
    switch (run->state()) {
    case RunState::PendingApproval:
        return u"Waiting for the person to approve, edit or deny it; nothing runs until then. Call get_result again "
               "with wait_seconds=30."_s;
    case RunState::Starting:
        return u"Approved; bpftrace is starting."_s + edited;
    case RunState::Running:
        return u"Running (%1 probes attached, %2 lines so far). Keep calling get_result with offset=next_offset "
               "and wait_seconds=30, or stop_execution to end it early and collect its maps."_s
                   .arg(run->attachedProbes())
                   .arg(run->totalLines())
            + edited;
    case RunState::Stopping:
        return u"Stopping; bpftrace prints its maps as it exits. Call get_result again with wait_seconds=30."_s
            + edited;
    case RunState::Finished:
        return u"Finished (bpftrace exited normally); output and maps are final."_s + edited;
    case RunState::Failed:
        return u"Failed: %1. See 'diagnostics' for bpftrace's errors, fix the program (validate_program helps) "
               "and submit again."_s.arg(
                   run->failureReason().isEmpty() ? u"bpftrace reported an error"_s : run->failureReason())
            + edited;
    case RunState::Stopped:
        return u"Stopped on request; the maps it printed as it exited are final."_s + edited;
    case RunState::TimedOut:
        return u"Stopped after its timeout of %1 s; the maps it printed as it exited are final."_s.arg(
                   run->timeoutSeconds().value_or(0))
            + edited;
    case RunState::Denied:
        if (deniedByPolicy(run))
            return u"Denied by the approval policy (%1)%2; it did not run. Do not retry the same script: TraceDesk "
                   "runs without a person to ask, and the person who started it chose to refuse such requests."_s.arg(
                       run->decidedBy(), note);
        return u"Denied by the person%1; it did not run. Do not retry the same script; ask the person what they "
               "would accept, or change the approach."_s.arg(note);
    case RunState::Expired:
        return u"Expired: nobody approved or denied it in time, so it did not run. Tell the person a request is "
               "waiting in TraceDesk before submitting it again."_s;
    }
    return {};
}

QJsonObject McpRunJson::describeRun(
    const Run *run, const ApprovalQueue *approvals, qint64 offset, int limit, qint64 maxBytes)
{
    const RunState state = run->state();
    QJsonObject out { { u"execution_id"_s, run->id() }, { u"state"_s, runStateName(state) },
        { u"terminal"_s, isTerminal(state) }, { u"message"_s, stateMessage(run) },
        { u"origin"_s, runOriginName(run->origin()) }, { u"duration_seconds"_s, run->durationSeconds() },
        { u"attached_probes"_s, run->attachedProbes() }, { u"lost_events"_s, run->lostEvents() } };
    if (run->origin() == RunOrigin::Client)
        out.insert(u"client"_s, run->client().displayName());
    if (!run->reason().isEmpty())
        out.insert(u"reason"_s, run->reason());
    putTime(out, u"created_at"_s, run->createdAt());
    putTime(out, u"started_at"_s, run->startedAt());
    putTime(out, u"ended_at"_s, run->endedAt());
    if (run->timeoutSeconds())
        out.insert(u"timeout_seconds"_s, *run->timeoutSeconds());
    if (run->exitCode())
        out.insert(u"exit_code"_s, *run->exitCode());
    if (state == RunState::PendingApproval && approvals)
        putTime(out, u"approval_expires_at"_s, approvals->expiresAt(run->id()));
    if (!run->failureReason().isEmpty())
        out.insert(u"failure_reason"_s, run->failureReason());

    QJsonObject decision { { u"decision"_s, decisionName(run->decision()) },
        { u"script_edited"_s, run->scriptEdited() } };
    if (!run->decidedBy().isEmpty())
        decision.insert(u"decided_by"_s, run->decidedBy());
    if (!run->decisionMessage().isEmpty())
        decision.insert(u"message"_s, run->decisionMessage());
    putTime(decision, u"decided_at"_s, run->decidedAt());
    if (run->scriptEdited())
        decision.insert(u"script"_s, run->script());
    out.insert(u"decision"_s, decision);

    // A page of output, bounded by lines and by bytes so one result stays readable.
    const qint64 from = std::max(offset, run->firstOffset());
    const QList<OutputLine> lines = run->lines(from, limit);
    QJsonArray page;
    qint64 bytes = 0;
    qint64 next = from;
    for (const OutputLine &line : lines) {
        if (!page.isEmpty() && bytes + line.text.size() > maxBytes)
            break;
        bytes += line.text.size();
        page.append(QJsonObject { { u"offset"_s, line.offset }, { u"stream"_s, OutputLine::streamName(line.stream) },
            { u"ms"_s, line.msSinceStart }, { u"text"_s, line.text } });
        next = line.offset + 1;
    }
    QJsonObject output { { u"lines"_s, page }, { u"offset"_s, from }, { u"next_offset"_s, next },
        { u"returned"_s, page.size() }, { u"has_more"_s, next < run->totalLines() } };
    if (from > offset)
        output.insert(u"skipped"_s, from - offset);
    out.insert(u"output"_s, output);
    out.insert(u"next_offset"_s, next);
    out.insert(u"totals"_s,
        QJsonObject { { u"total_lines"_s, run->totalLines() }, { u"total_bytes"_s, run->totalBytes() },
            { u"first_available_offset"_s, run->firstOffset() }, { u"dropped_by_cap"_s, run->droppedByCap() },
            { u"dropped_by_rate"_s, run->droppedByRate() } });
    out.insert(u"maps"_s, formatMaps(run->maps()));
    out.insert(u"diagnostics"_s, diagnosticsJson(run->diagnostics()));
    const ScriptAnalysis analysis = run->analysis();
    if (analysis.complete || !analysis.probeSpecs.isEmpty())
        out.insert(u"risk"_s, riskLevelName(analysis.risk));
    return out;
}
