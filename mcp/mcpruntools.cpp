// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tools that run programs: exec_program, get_result, stop_execution and list_executions.
#include "mcp/mcpruntools.h"

#include "engine/approvalqueue.h"
#include "engine/engine.h"
#include "engine/run.h"
#include "engine/runmanager.h"
#include "mcp/mcpcursor.h"
#include "mcp/mcplogging.h"
#include "mcp/mcprunjson.h"
#include "mcp/mcpschema.h"
#include "mcp/mcptargettools.h"
#include "mcp/mcpwaiter.h"

#include <QJsonArray>
#include <QPointer>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;
using namespace McpSchema;

namespace {
constexpr int kMaxWaitSeconds = 30;
constexpr int kStopWaitMs = 10000;

// Another client's run, and the person's while the person does not share them, get the very
// answer an id that never existed gets. Saying "not yours" would confirm that the id is real:
// an id can only reach a client by leaking (a shared log, a prompt injected into it), and the
// client should learn nothing from trying it, not even that the run exists.
QString unknownIdMessage(const QString &id)
{
    return u"Unknown execution_id '%1'; use the id exec_program returned, or find your runs with "
           "list_executions."_s.arg(id);
}

// The argument a proxy or load balancer routes on: which run a call is about. Annotated with
// x-mcp-header (SEP-2243), a 2026-07-28 client over HTTP mirrors it as Mcp-Param-Execution-Id and
// the server checks that the two agree.
QJsonObject executionIdProp()
{
    QJsonObject property = stringProp(u"From exec_program or list_executions"_s, 1, 128);
    property.insert(u"x-mcp-header"_s, u"Execution-Id"_s);
    return property;
}
} // namespace

McpRunTools::McpRunTools(Engine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{ }

QList<McpTool> McpRunTools::tools()
{
    const RunLimits limits = m_engine->runs()->limits();
    const int maxTimeout = std::max(1, limits.maxTimeoutSeconds);
    QList<McpTool> list;
    auto add = [this, &list](const QString &name, const QString &title, const QString &description,
                   const QJsonObject &input, const QJsonObject &output, const QJsonObject &hints, auto handler) {
        list.append(McpTool(name, title, description, input, output, hints, std::bind_front(handler, this)));
    };

    // ---- exec_program
    add(u"exec_program"_s, u"Run a bpftrace program (needs approval)"_s,
        u"Asks to run a bpftrace program. A person must approve, edit or deny it in TraceDesk first, so this returns "
        "at once with {execution_id, status} (status 'pending_approval' while the person decides); it never waits "
        "for the run. Then call get_result with the execution_id and wait_seconds (up to 30), repeatedly, until "
        "'terminal' is true; maps and histograms arrive when the program ends (timeout, exit() or stop_execution). "
        "Give a 'reason' the person can judge, and a timeout_seconds that fits (default "_s
            + QString::number(limits.defaultClientTimeoutSeconds) + u" s, at most "_s + QString::number(maxTimeout)
            + u" s). If it comes back denied, do not resubmit the same program; ask the person or change the "
              "approach. Run validate_program first. 'targets' runs it on several configured machines at once: one "
              "approval covers exactly those, and get_result merges their maps with each host's share."_s,
        inputSchema(
            QJsonObject {
                { u"program"_s, program() },
                { u"timeout_seconds"_s,
                    intProp(u"Stop the run (with SIGINT, so maps are printed) after this many seconds"_s, 1, maxTimeout,
                        limits.defaultClientTimeoutSeconds) },
                { u"reason"_s, stringProp(u"Why you want to run it, shown to the person who approves"_s, -1, 2000) },
                { u"target"_s, McpTargetTools::targetProperty() },
                { u"targets"_s, McpTargetTools::targetsProperty() },
            },
            { u"program"_s }),
        outputSchema(QJsonObject { { u"execution_id"_s, typed(u"string"_s) },
                         { u"status"_s,
                             QJsonObject { { u"type"_s, u"string"_s },
                                 { u"enum"_s, QJsonArray::fromStringList(McpRunJson::stateNames()) } } },
                         { u"approval_required"_s, typed(u"boolean"_s) }, { u"decision"_s, typed(u"string"_s) },
                         { u"timeout_seconds"_s, typed(u"integer"_s) }, { u"message"_s, typed(u"string"_s) },
                         { u"target"_s, typed(u"string"_s) }, { u"targets"_s, arrayOf(typed(u"string"_s)) } },
            { u"execution_id"_s, u"status"_s, u"message"_s }),
        // Honest: a script may use unsafe builtins (signal, system, override), and it observes every
        // process on the machine; the person's approval is the guard, not the tool.
        annotations(false, true, false, true), &McpRunTools::execProgram);

    // ---- get_result
    const QJsonObject lineSchema { { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject { { u"offset"_s, typed(u"integer"_s) },
                { u"stream"_s,
                    QJsonObject { { u"type"_s, u"string"_s },
                        { u"enum"_s, QJsonArray { u"stdout"_s, u"stderr"_s, u"event"_s } } } },
                { u"ms"_s, typed(u"integer"_s, u"milliseconds since the run started"_s) },
                { u"text"_s, typed(u"string"_s) } } },
        { u"required"_s, QJsonArray { u"offset"_s, u"stream"_s, u"text"_s } } };
    add(u"get_result"_s, u"Get the result of a run"_s,
        u"Reads a run started with exec_program: its state ('terminal' is true once it can no longer change), a "
        "page of output lines from 'offset' (pass next_offset back to continue), totals and drop counters, the "
        "number of attached probes, lost events, maps and histograms as structured data (final once the run "
        "ended), compile diagnostics, and the approval decision: who decided, any message, and whether the "
        "person edited the script (then 'decision.script' is what actually ran). Map keys come as text ('key') "
        "and as typed parts ('key_parts': strings, integers, and stacks as frame lists, innermost first); a map "
        "with a stack in its key sums up its heaviest stacks in 'top_stacks' (share of all samples); a map the "
        "script declares but never filled is there with 'empty': true. Every print() of a map during the run "
        "is kept as a snapshot in 'series' (ms since the start; 'delta' when the script clears the map after "
        "printing it), paged with series_offset and series_limit; the maps printed at exit are the end state "
        "in 'maps', not a snapshot. With wait_seconds (0 to 30) it "
        "waits until new output arrives or the state changes, so poll it in a loop with wait_seconds=30 until "
        "terminal. 'message' says in one sentence what happened and what to do next."_s,
        inputSchema(
            QJsonObject {
                { u"execution_id"_s, executionIdProp() },
                { u"offset"_s,
                    intProp(u"First output line to return (next_offset of the previous call)"_s, 0,
                        std::numeric_limits<int>::max(), 0) },
                { u"limit"_s, intProp(u"Most output lines to return"_s, 1, 5000, 1000) },
                { u"map"_s,
                    stringProp(u"Only this map ('@name', '@' for the anonymous one) in maps and series"_s, 1, 256) },
                { u"top_stacks"_s,
                    intProp(u"How many of the heaviest stacks a map with a stack in its key sums up in top_stacks"_s, 0,
                        1000, 10) },
                { u"series_offset"_s,
                    intProp(u"First snapshot of each series to return (next_offset of the previous page)"_s, 0,
                        std::numeric_limits<int>::max(), 0) },
                { u"series_limit"_s, intProp(u"Most snapshots of each series to return"_s, 0, 1000, 20) },
                { u"wait_seconds"_s,
                    QJsonObject { { u"type"_s, u"number"_s },
                        { u"description"_s, u"Wait up to this long for new output or a change of state"_s },
                        { u"minimum"_s, 0 }, { u"maximum"_s, kMaxWaitSeconds }, { u"default"_s, 0 } } },
            },
            { u"execution_id"_s }),
        outputSchema(
            QJsonObject {
                { u"execution_id"_s, typed(u"string"_s) },
                { u"state"_s,
                    QJsonObject { { u"type"_s, u"string"_s },
                        { u"enum"_s, QJsonArray::fromStringList(McpRunJson::stateNames()) } } },
                { u"terminal"_s, typed(u"boolean"_s) },
                { u"message"_s, typed(u"string"_s) },
                { u"origin"_s, typed(u"string"_s) },
                { u"client"_s, typed(u"string"_s) },
                { u"reason"_s, typed(u"string"_s) },
                { u"created_at"_s, typed(u"string"_s) },
                { u"started_at"_s, typed(u"string"_s) },
                { u"ended_at"_s, typed(u"string"_s) },
                { u"duration_seconds"_s, typed(u"number"_s) },
                { u"timeout_seconds"_s, typed(u"integer"_s) },
                { u"exit_code"_s, typed(u"integer"_s) },
                { u"approval_expires_at"_s, typed(u"string"_s) },
                { u"failure_reason"_s, typed(u"string"_s) },
                { u"decision"_s,
                    QJsonObject { { u"type"_s, u"object"_s },
                        { u"properties"_s,
                            QJsonObject { { u"decision"_s, typed(u"string"_s) },
                                { u"decided_by"_s, typed(u"string"_s) }, { u"message"_s, typed(u"string"_s) },
                                { u"decided_at"_s, typed(u"string"_s) }, { u"script_edited"_s, typed(u"boolean"_s) },
                                { u"script"_s, typed(u"string"_s) } } },
                        { u"required"_s, QJsonArray { u"decision"_s, u"script_edited"_s } } } },
                { u"output"_s,
                    QJsonObject { { u"type"_s, u"object"_s },
                        { u"properties"_s,
                            QJsonObject { { u"lines"_s, arrayOf(lineSchema) }, { u"offset"_s, typed(u"integer"_s) },
                                { u"next_offset"_s, typed(u"integer"_s) }, { u"returned"_s, typed(u"integer"_s) },
                                { u"has_more"_s, typed(u"boolean"_s) }, { u"skipped"_s, typed(u"integer"_s) } } },
                        { u"required"_s,
                            QJsonArray { u"lines"_s, u"next_offset"_s, u"returned"_s, u"has_more"_s } } } },
                { u"totals"_s,
                    QJsonObject { { u"type"_s, u"object"_s },
                        { u"properties"_s,
                            QJsonObject { { u"total_lines"_s, typed(u"integer"_s) },
                                { u"total_bytes"_s, typed(u"integer"_s) },
                                { u"first_available_offset"_s, typed(u"integer"_s) },
                                { u"dropped_by_cap"_s, typed(u"integer"_s) },
                                { u"dropped_by_rate"_s, typed(u"integer"_s) } } },
                        { u"required"_s,
                            QJsonArray { u"total_lines"_s, u"dropped_by_cap"_s, u"dropped_by_rate"_s } } } },
                { u"next_offset"_s, typed(u"integer"_s) },
                { u"attached_probes"_s, typed(u"integer"_s) },
                { u"lost_events"_s, typed(u"integer"_s) },
                { u"maps"_s,
                    QJsonObject { { u"type"_s, u"object"_s },
                        { u"description"_s,
                            u"by map name ('@name'): kind plus value, entries [{key, key_parts, value}], "
                            "buckets [{min, max, count, label}] or series [{key, key_parts, buckets}] (a histogram "
                            "per key), top_stacks for maps with a stack in their key, empty when never filled"_s },
                        { u"additionalProperties"_s, McpRunJson::mapSchema() } } },
                { u"series"_s,
                    QJsonObject { { u"type"_s, u"object"_s },
                        { u"description"_s,
                            u"by map name: every print() of the map during the run as a timestamped snapshot, "
                            "one page of them"_s },
                        { u"additionalProperties"_s, McpRunJson::seriesSchema() } } },
                { u"series_memory"_s,
                    QJsonObject { { u"type"_s, u"object"_s },
                        { u"description"_s,
                            u"what the kept snapshots take (estimated) and how many the caps thinned away"_s },
                        { u"properties"_s,
                            QJsonObject { { u"bytes"_s, typed(u"integer"_s) },
                                { u"snapshots_dropped"_s, typed(u"integer"_s) },
                                { u"max_snapshots_per_map"_s, typed(u"integer"_s) },
                                { u"max_bytes"_s, typed(u"integer"_s) } } } } },
                { u"diagnostics"_s, arrayOf(McpRunJson::diagnosticSchema()) },
                { u"risk"_s, typed(u"string"_s) },
                { u"target"_s, typed(u"string"_s, u"where it runs (a run on one target)"_s) },
                { u"targets"_s, arrayOf(typed(u"string"_s), u"where it runs (a fleet run: 'fleet' merges them)"_s) },
                { u"fleet"_s, McpRunJson::fleetSchema() },
            },
            { u"execution_id"_s, u"state"_s, u"terminal"_s, u"message"_s, u"decision"_s, u"output"_s, u"totals"_s,
                u"next_offset"_s, u"maps"_s, u"series"_s, u"diagnostics"_s }),
        annotations(true, false, true, false), &McpRunTools::getResult);

    // ---- stop_execution
    add(u"stop_execution"_s, u"Stop a run"_s,
        u"Stops one of your runs exactly like the person's Stop button: SIGINT first (so bpftrace prints its maps), "
        "then SIGTERM and SIGKILL if it does not exit. A run still waiting for approval is withdrawn instead. Waits "
        "up to 10 s for the run to end and returns its state; then read the final maps with get_result. Only the "
        "session that started a run can stop it."_s,
        inputSchema(QJsonObject { { u"execution_id"_s, executionIdProp() } }, { u"execution_id"_s }),
        outputSchema(QJsonObject { { u"execution_id"_s, typed(u"string"_s) }, { u"state"_s, typed(u"string"_s) },
                         { u"terminal"_s, typed(u"boolean"_s) }, { u"map_names"_s, arrayOf(typed(u"string"_s)) },
                         { u"message"_s, typed(u"string"_s) } },
            { u"execution_id"_s, u"state"_s, u"terminal"_s, u"message"_s }),
        annotations(false, true, true, false), &McpRunTools::stopExecution);

    // ---- list_executions
    QStringList statusFilter = McpRunJson::stateNames();
    statusFilter.append(u"active"_s);
    statusFilter.append(u"terminal"_s);
    add(u"list_executions"_s, u"List runs"_s,
        u"Lists your runs, newest first: those this MCP session requested with exec_program, and, only when the "
        "person allows it in TraceDesk's settings, the runs the person started there (read-only: origin "
        "'person'). Other clients' runs are never shown. Filter by 'status' (a state such as 'running' or "
        "'finished', or 'active' / 'terminal'). Returns a page of summaries; pass next_cursor back as 'cursor' "
        "for more. Read one in full with get_result."_s,
        inputSchema(QJsonObject {
            { u"status"_s,
                QJsonObject { { u"type"_s, u"string"_s }, { u"description"_s, u"Only runs in this state"_s },
                    { u"enum"_s, QJsonArray::fromStringList(statusFilter) } } },
            { u"limit"_s, intProp(u"Runs per page"_s, 1, 500, 50) },
            { u"cursor"_s, stringProp(u"next_cursor from the previous page"_s, 1, 1024) },
        }),
        outputSchema(
            QJsonObject {
                { u"executions"_s,
                    arrayOf(QJsonObject { { u"type"_s, u"object"_s },
                        { u"properties"_s,
                            QJsonObject { { u"execution_id"_s, typed(u"string"_s) }, { u"state"_s, typed(u"string"_s) },
                                { u"origin"_s, typed(u"string"_s) }, { u"client"_s, typed(u"string"_s) },
                                { u"reason"_s, typed(u"string"_s) }, { u"decision"_s, typed(u"string"_s) },
                                { u"decided_by"_s, typed(u"string"_s) }, { u"script_edited"_s, typed(u"boolean"_s) },
                                { u"script_preview"_s, typed(u"string"_s) }, { u"total_lines"_s, typed(u"integer"_s) },
                                { u"map_count"_s, typed(u"integer"_s) }, { u"duration_seconds"_s, typed(u"number"_s) },
                                { u"created_at"_s, typed(u"string"_s) }, { u"ended_at"_s, typed(u"string"_s) },
                                { u"target"_s, typed(u"string"_s) }, { u"targets"_s, arrayOf(typed(u"string"_s)) } } },
                        { u"required"_s, QJsonArray { u"execution_id"_s, u"state"_s } } }) },
                { u"returned"_s, typed(u"integer"_s) },
                { u"total"_s, typed(u"integer"_s, u"runs matching the filter"_s) },
                { u"next_cursor"_s, typed(u"string"_s) } },
            { u"executions"_s, u"returned"_s, u"total"_s }),
        annotations(true, false, true, false), &McpRunTools::listExecutions);

    return list;
}

void McpRunTools::execProgram(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    RunRequest request;
    request.script = args.value(u"program"_s).toString();
    request.reason = args.value(u"reason"_s).toString().trimmed();
    // Ownership is the session the server made for this connection (or Mcp-Session-Id), never
    // anything the client says about itself.
    request.client = context.client;
    request.client.sessionId = context.sessionId;
    if (request.client.sessionId.isEmpty())
        return reply(McpTool::error(u"This request has no MCP session; send initialize first."_s));
    if (args.contains(u"timeout_seconds"_s))
        request.timeoutSeconds = args.value(u"timeout_seconds"_s).toInt();
    if (request.script.trimmed().isEmpty())
        return reply(McpTool::error(u"'program' is only white space; send the bpftrace program text."_s));
    QString targetError;
    const QStringList targets = McpTargetTools::resolveTargets(m_engine, args, &targetError);
    if (targets.isEmpty())
        return reply(McpTool::error(targetError));
    if (targets.size() > 1)
        request.targets = targets;
    else if (targets.constFirst() != Target::LocalName)
        request.target = targets.constFirst();

    QString error;
    Run *run = m_engine->runs()->submitClientRun(request, &error);
    if (!run)
        return reply(McpTool::error(u"The run was not queued: %1"_s.arg(error.isEmpty() ? u"unknown error"_s : error)));
    qCInfo(lcMcpTools) << "exec_program from" << request.client.displayName() << "->" << run->id();

    const RunState state = run->state();
    QString message;
    if (state == RunState::PendingApproval)
        message = u"Queued: a person must approve, edit or deny this program in TraceDesk before it runs. Call "
                  "get_result with execution_id '%1' and wait_seconds=30, repeatedly, until 'terminal' is true."_s.arg(
                      run->id());
    else
        message = McpRunJson::stateMessage(run)
            + u" Follow it with get_result (execution_id '%1', wait_seconds=30)."_s.arg(run->id());
    QJsonObject out { { u"execution_id"_s, run->id() }, { u"status"_s, runStateName(state) },
        { u"approval_required"_s, true }, { u"decision"_s, decisionName(run->decision()) }, { u"message"_s, message } };
    if (run->timeoutSeconds())
        out.insert(u"timeout_seconds"_s, *run->timeoutSeconds());
    if (run->isFleet())
        out.insert(u"targets"_s, QJsonArray::fromStringList(run->targets()));
    else
        out.insert(u"target"_s, targets.constFirst());
    reply(McpTool::result(out));
}

void McpRunTools::getResult(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString id = args.value(u"execution_id"_s).toString().trimmed();
    const qint64 offset = args.value(u"offset"_s).toInteger(0);
    const int limit = args.value(u"limit"_s).toInt(1000);
    const double waitSeconds = args.value(u"wait_seconds"_s).toDouble(0);
    McpRunJson::MapView view;
    view.map = args.value(u"map"_s).toString().trimmed();
    view.topStacks = args.value(u"top_stacks"_s).toInt(10);
    view.seriesOffset = args.value(u"series_offset"_s).toInteger(0);
    view.seriesLimit = args.value(u"series_limit"_s).toInt(20);

    Run *run = m_engine->runs()->run(id);
    if (m_engine->runs()->clientAccess(run, context.sessionId) == RunAccess::None)
        return reply(McpTool::error(unknownIdMessage(id)));
    if (!view.map.isEmpty() && !view.map.startsWith(u'@'))
        return reply(McpTool::error(u"'map' is a map name such as '@counts' (with the @), not '%1'."_s.arg(view.map)));
    // While the run goes on a map may still appear; once it has ended, a name it never had is a mistake.
    if (!view.map.isEmpty() && isTerminal(run->state()) && !run->maps().contains(view.map)
        && !run->maps().series(view.map)) {
        const QStringList names = run->maps().names();
        return reply(McpTool::error(u"Run '%1' has no map '%2'; its maps are: %3."_s.arg(
            id, view.map, names.isEmpty() ? u"(none)"_s : names.join(u", "_s))));
    }
    if (offset > run->totalLines())
        return reply(McpTool::error(u"'offset' %1 is past the end of the output (%2 lines so far); pass the "
                                    "next_offset of the previous result."_s.arg(offset)
                                        .arg(run->totalLines())));

    QPointer<Run> guarded(run);
    QPointer<ApprovalQueue> approvals(m_engine->approvals());
    auto answer = [guarded, approvals, offset, limit, view, reply, id] {
        if (!guarded)
            return reply(McpTool::error(u"Run '%1' is gone (TraceDesk is shutting down)."_s.arg(id)));
        reply(McpTool::result(McpRunJson::describeRun(guarded, approvals, offset, limit, 512 * 1024, view)));
    };

    const bool hasNews = run->totalLines() > offset || isTerminal(run->state());
    if (waitSeconds <= 0 || hasNews || (context.cancellation && context.cancellation->isCancelled()))
        return answer();

    // Long-poll: the first new output, change of state, cancellation or the deadline answers.
    McpWaiter::whenRunChanged(this, run, context.cancellation, int(std::lround(waitSeconds * 1000)), answer);
}

void McpRunTools::stopExecution(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString id = args.value(u"execution_id"_s).toString().trimmed();
    Run *run = m_engine->runs()->run(id);
    const RunAccess access = m_engine->runs()->clientAccess(run, context.sessionId);
    if (access == RunAccess::None)
        return reply(McpTool::error(unknownIdMessage(id)));
    // The person shares their runs to be read; only the person's own Stop button ends them.
    if (access != RunAccess::Control)
        return reply(McpTool::error(u"Run '%1' belongs to the person, who started it in TraceDesk; clients may read "
                                    "it with get_result but never stop it."_s.arg(id)));
    if (isTerminal(run->state()))
        return reply(McpTool::error(
            u"Run '%1' already ended (%2); read its result with get_result."_s.arg(id, runStateName(run->state()))));
    QString error;
    if (!m_engine->runs()->stop(id, &error))
        return reply(McpTool::error(u"Could not stop run '%1': %2"_s.arg(id, error)));
    qCInfo(lcMcpTools) << "stop_execution" << id << "by" << context.client.displayName();

    QPointer<Run> guarded(run);
    auto answer = [guarded, reply, id] {
        if (!guarded)
            return reply(McpTool::error(u"Run '%1' is gone (TraceDesk is shutting down)."_s.arg(id)));
        const bool terminal = isTerminal(guarded->state());
        QString message;
        if (terminal)
            message = McpRunJson::stateMessage(guarded) + u" Read its output and final maps with get_result."_s;
        else
            message = u"Stop requested (SIGINT sent); bpftrace is still exiting. Call get_result with "
                      "wait_seconds=30 to collect the final maps."_s;
        reply(McpTool::result(QJsonObject { { u"execution_id"_s, id }, { u"state"_s, runStateName(guarded->state()) },
            { u"terminal"_s, terminal }, { u"map_names"_s, QJsonArray::fromStringList(guarded->maps().names()) },
            { u"message"_s, message } }));
    };
    if (isTerminal(run->state()))
        return answer();
    McpWaiter::whenRunEnded(this, run, context.cancellation, kStopWaitMs, answer);
}

void McpRunTools::listExecutions(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString status = args.value(u"status"_s).toString();
    const int limit = args.value(u"limit"_s).toInt(50);
    QString after;
    if (args.contains(u"cursor"_s)) {
        const auto cursor = McpCursor::decode(args.value(u"cursor"_s).toString(), u"runs"_s);
        if (!cursor)
            return reply(McpTool::error(u"'cursor' is not a cursor this server gave out; call list_executions without "
                                        "'cursor' to start from the newest run."_s));
        if (cursor->value(u"s"_s).toString() != status)
            return reply(McpTool::error(u"'cursor' belongs to a different 'status' filter; repeat the same 'status' "
                                        "with it, or drop 'cursor'."_s));
        after = cursor->value(u"a"_s).toString();
    }

    const RunManager *manager = m_engine->runs();
    // Stateless (2026-07-28) clients of one transport share an owner, so one of them must not
    // learn the others' execution ids by listing: their runs are reached by id only.
    const bool stateless = ClientInfo::isStatelessOwner(context.sessionId);
    auto matches = [&status, manager, &context, stateless](const Run *run) {
        if (manager->clientAccess(run, context.sessionId) == RunAccess::None)
            return false;
        if (stateless && run->origin() == RunOrigin::Client)
            return false;
        if (status.isEmpty())
            return true;
        if (status == "active"_L1)
            return !isTerminal(run->state());
        if (status == "terminal"_L1)
            return isTerminal(run->state());
        return runStateName(run->state()) == status;
    };

    // Paging continues after the last id returned, so runs added meanwhile (at the front) neither
    // shift nor repeat entries.
    const QList<Run *> runs = m_engine->runs()->runs();
    int total = 0;
    bool started = after.isEmpty();
    bool afterFound = after.isEmpty();
    QJsonArray page;
    QString lastId;
    bool more = false;
    for (const Run *run : runs) {
        if (!matches(run))
            continue;
        ++total;
        if (!started) {
            if (run->id() == after) {
                started = true;
                afterFound = true;
            }
            continue;
        }
        if (page.size() < limit) {
            page.append(McpRunJson::runSummary(run));
            lastId = run->id();
        } else {
            more = true;
        }
    }
    if (!afterFound)
        return reply(McpTool::error(u"'cursor' refers to a run that no longer matches; call list_executions without "
                                    "'cursor'."_s));
    QJsonObject out { { u"executions"_s, page }, { u"returned"_s, page.size() }, { u"total"_s, total } };
    if (more)
        out.insert(
            u"next_cursor"_s, McpCursor::encode(u"runs"_s, QJsonObject { { u"a"_s, lastId }, { u"s"_s, status } }));
    reply(McpTool::result(out));
}
