// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP tools that look without running anything: list_probes, describe_probe, bpf_info,
// list_helpers and validate_program (which asks bpftrace to compile a program, never to run it).
#include "mcp/mcpprobetools.h"

#include "engine/capabilities.h"
#include "engine/engine.h"
#include "engine/probecatalog.h"
#include "engine/scriptanalyzer.h"
#include "mcp/mcpcursor.h"
#include "mcp/mcprunjson.h"
#include "mcp/mcpschema.h"
#include "mcp/mcptargettools.h"
#include "mcp/mcpwaiter.h"

#include <QJsonArray>
#include <QPointer>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace McpSchema;

namespace {
constexpr int kMaxAttachListed = 500;
constexpr int kLookupWaitMs = 30000; // describe and analyze run bpftrace; never wait forever

/// A target removed by the person while a tool waited on it (its catalog and capabilities go
/// with it).
QString targetRemoved(const QString &target, const QString &before)
{
    if (target == Target::LocalName) // never removed: its parts go only with the Engine
        return u"TraceDesk is shutting down."_s;
    return u"Target '%1' was removed before %2; list_targets shows the targets there are now."_s.arg(target, before);
}

QJsonArray findingsJson(const QList<Finding> &list)
{
    QJsonArray array;
    for (const Finding &f : list) {
        QJsonObject o { { u"level"_s, riskLevelName(f.level) }, { u"code"_s, f.code }, { u"message"_s, f.message } };
        if (f.line > 0)
            o.insert(u"line"_s, f.line);
        array.append(o);
    }
    return array;
}
} // namespace

McpProbeTools::McpProbeTools(Engine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{ }

QList<McpTool> McpProbeTools::tools()
{
    QList<McpTool> list;
    auto add = [this, &list](const QString &name, const QString &title, const QString &description,
                   const QJsonObject &input, const QJsonObject &output, const QJsonObject &hints, auto handler) {
        list.append(McpTool(name, title, description, input, output, hints, std::bind_front(handler, this)));
    };

    const QJsonObject findingSchema { { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject { { u"level"_s,
                              QJsonObject { { u"type"_s, u"string"_s },
                                  { u"enum"_s, QJsonArray { u"low"_s, u"medium"_s, u"high"_s } } } },
                { u"code"_s, typed(u"string"_s) }, { u"message"_s, typed(u"string"_s) },
                { u"line"_s, typed(u"integer"_s) } } },
        { u"required"_s, QJsonArray { u"level"_s, u"code"_s, u"message"_s } } };
    const QJsonObject stringMap { { u"type"_s, u"object"_s }, { u"additionalProperties"_s, typed(u"string"_s) } };
    const QJsonObject boolMap { { u"type"_s, u"object"_s }, { u"additionalProperties"_s, typed(u"boolean"_s) } };

    // ---- list_probes
    add(u"list_probes"_s, u"List probes"_s,
        u"Lists the probes (attach points) the installed bpftrace can use on this machine, e.g. "
        "'tracepoint:syscalls:sys_enter_openat'. Use it first to find which probes exist before writing a "
        "program. 'pattern' is a case-insensitive substring, or a glob when it contains * ? or [ "
        "('tracepoint:syscalls:*open*'); 'provider' restricts to one provider ('tracepoint', 'kprobe', ...). "
        "Returns one page of probe names with the total match count; pass next_cursor back as 'cursor' for "
        "the next page. Attaches nothing."_s,
        inputSchema(QJsonObject {
            { u"pattern"_s, stringProp(u"Substring or glob to match probe names against"_s, -1, 256) },
            { u"provider"_s, stringProp(u"Only probes of this provider, e.g. 'tracepoint'"_s, 1, 64) },
            { u"limit"_s, intProp(u"Probes per page"_s, 1, 5000, 200) },
            { u"cursor"_s, stringProp(u"next_cursor from the previous page of the same query"_s, 1, 1024) },
            { u"target"_s, McpTargetTools::targetProperty() },
        }),
        outputSchema(
            QJsonObject { { u"probes"_s, arrayOf(typed(u"string"_s)) }, { u"returned"_s, typed(u"integer"_s) },
                { u"total"_s, typed(u"integer"_s, u"matches over all pages"_s) }, { u"offset"_s, typed(u"integer"_s) },
                { u"next_cursor"_s, typed(u"string"_s, u"absent on the last page"_s) },
                { u"catalog_size"_s, typed(u"integer"_s) },
                { u"providers"_s,
                    QJsonObject { { u"type"_s, u"object"_s }, { u"additionalProperties"_s, typed(u"integer"_s) },
                        { u"description"_s, u"probe count per provider"_s } } },
                { u"hint"_s, typed(u"string"_s) } },
            { u"probes"_s, u"returned"_s, u"total"_s, u"offset"_s, u"catalog_size"_s }),
        annotations(true, false, true, false), &McpProbeTools::listProbes);

    // ---- describe_probe
    add(u"describe_probe"_s, u"Describe a probe"_s,
        u"Shows the arguments of one probe and their C types, as 'bpftrace -lv' reports them (for a tracepoint: "
        "'const char * filename' is read in a program as str(args.filename)). Use it before writing a program "
        "that reads a probe's arguments, so the field names and types are right. Attaches nothing."_s,
        inputSchema(
            QJsonObject {
                { u"probe"_s, stringProp(u"Full probe name, e.g. 'tracepoint:syscalls:sys_enter_openat'"_s, 1, 512) },
                { u"target"_s, McpTargetTools::targetProperty() } },
            { u"probe"_s }),
        outputSchema(
            QJsonObject { { u"probe"_s, typed(u"string"_s) },
                { u"arguments"_s,
                    arrayOf(QJsonObject { { u"type"_s, u"object"_s },
                        { u"properties"_s,
                            QJsonObject { { u"name"_s, typed(u"string"_s) }, { u"type"_s, typed(u"string"_s) } } },
                        { u"required"_s, QJsonArray { u"name"_s, u"type"_s } } }) },
                { u"usage"_s, typed(u"string"_s, u"how to read the arguments in a program"_s) } },
            { u"probe"_s, u"arguments"_s }),
        annotations(true, false, true, false), &McpProbeTools::describeProbe);

    // ---- bpf_info
    add(u"bpf_info"_s, u"bpftrace and kernel capabilities"_s,
        u"Reports the installed bpftrace version, the kernel release, and which kernel helpers, features, map "
        "types and probe types this system supports (bpftrace --info). Use it to check that a probe type "
        "(kprobe, fentry, uprobe, ...) or helper is available before relying on it. 'target' asks another "
        "machine (list_targets). Attaches nothing."_s,
        inputSchema(QJsonObject { { u"target"_s, McpTargetTools::targetProperty() } }),
        outputSchema(QJsonObject { { u"version"_s, typed(u"string"_s, u"bpftrace version, e.g. 0.23.2"_s) },
                         { u"target"_s, typed(u"string"_s, u"the target these facts are from"_s) },
                         { u"kernel_release"_s, typed(u"string"_s) }, { u"system"_s, stringMap },
                         { u"build"_s, stringMap }, { u"kernel_helpers"_s, boolMap }, { u"kernel_features"_s, boolMap },
                         { u"map_types"_s, boolMap }, { u"probe_types"_s, boolMap },
                         { u"privilege"_s, typed(u"string"_s, u"how TraceDesk runs bpftrace"_s) } },
            { u"version"_s, u"kernel_helpers"_s, u"kernel_features"_s, u"map_types"_s, u"probe_types"_s }),
        annotations(true, false, true, false), &McpProbeTools::bpfInfo);

    // ---- list_helpers
    add(u"list_helpers"_s, u"List bpftrace builtins and functions"_s,
        u"Lists the builtin variables (pid, comm, nsecs, ...), functions (printf, str, kstack, ...) and map "
        "functions (count, sum, hist, ...) of the installed bpftrace version, one line each with its signature "
        "and a summary. Functions marked unsafe (system, signal, override, ...) need extra scrutiny from the "
        "person approving the run. Use it when writing a program."_s,
        inputSchema(QJsonObject {
            { u"kind"_s,
                QJsonObject { { u"type"_s, u"string"_s }, { u"description"_s, u"Only this kind of builtin"_s },
                    { u"enum"_s, QJsonArray { u"variable"_s, u"function"_s, u"map-function"_s, u"probe"_s } } } },
        }),
        outputSchema(QJsonObject { { u"bpftrace_version"_s, typed(u"string"_s) }, { u"count"_s, typed(u"integer"_s) },
                         { u"helpers"_s,
                             arrayOf(QJsonObject { { u"type"_s, u"object"_s },
                                 { u"properties"_s,
                                     QJsonObject { { u"name"_s, typed(u"string"_s) }, { u"kind"_s, typed(u"string"_s) },
                                         { u"signature"_s, typed(u"string"_s) }, { u"summary"_s, typed(u"string"_s) },
                                         { u"since"_s, typed(u"string"_s) }, { u"unsafe"_s, typed(u"boolean"_s) },
                                         { u"line"_s, typed(u"string"_s) } } },
                                 { u"required"_s, QJsonArray { u"name"_s, u"kind"_s, u"line"_s } } }) } },
            { u"bpftrace_version"_s, u"count"_s, u"helpers"_s }),
        annotations(true, false, true, false), &McpProbeTools::listHelpers);

    // ---- validate_program
    add(u"validate_program"_s, u"Validate a bpftrace program"_s,
        u"Checks a bpftrace program without running it: syntax and compile diagnostics from bpftrace, the probes it "
        "would attach (wildcards expanded, with the count), unsafe builtins, and a risk level with reasons, which "
        "is what the person sees when asked to approve it. Attaches nothing. 'status' is 'valid' (bpftrace compiled "
        "it), 'invalid' (fix the errors in 'diagnostics') or 'not-checked' (bpftrace could not be run to check it; "
        "'unchecked_reason' says why, and such a program is never approved automatically). Call it before "
        "exec_program and fix every error it reports; a high risk makes a denial more likely."_s,
        inputSchema(QJsonObject { { u"program"_s, program() }, { u"target"_s, McpTargetTools::targetProperty() } },
            { u"program"_s }),
        outputSchema(
            QJsonObject { { u"valid"_s, typed(u"boolean"_s, u"bpftrace checked it and found no errors"_s) },
                { u"target"_s, typed(u"string"_s, u"the target whose bpftrace checked it"_s) },
                { u"checked"_s,
                    typed(u"boolean"_s, u"bpftrace compiled the program to a verdict; false when it could not run"_s) },
                { u"status"_s,
                    QJsonObject { { u"type"_s, u"string"_s },
                        { u"enum"_s, QJsonArray { u"valid"_s, u"invalid"_s, u"not-checked"_s } } } },
                { u"unchecked_reason"_s,
                    typed(u"string"_s, u"why bpftrace could not check it (status not-checked)"_s) },
                { u"risk"_s,
                    QJsonObject {
                        { u"type"_s, u"string"_s }, { u"enum"_s, QJsonArray { u"low"_s, u"medium"_s, u"high"_s } } } },
                { u"reasons"_s, arrayOf(typed(u"string"_s)) }, { u"probe_specs"_s, arrayOf(typed(u"string"_s)) },
                { u"attach_count"_s, typed(u"integer"_s, u"-1 when unknown"_s) },
                { u"attach_list"_s, arrayOf(typed(u"string"_s)) }, { u"attach_list_truncated"_s, typed(u"boolean"_s) },
                { u"expanded"_s, typed(u"boolean"_s) }, { u"unsafe_builtins"_s, arrayOf(typed(u"string"_s)) },
                { u"needs_unsafe"_s, typed(u"boolean"_s) }, { u"findings"_s, arrayOf(findingSchema) },
                { u"diagnostics"_s, arrayOf(McpRunJson::diagnosticSchema()) }, { u"complete"_s, typed(u"boolean"_s) },
                { u"next_step"_s, typed(u"string"_s) } },
            { u"valid"_s, u"checked"_s, u"status"_s, u"risk"_s, u"reasons"_s, u"attach_count"_s, u"diagnostics"_s,
                u"findings"_s }),
        annotations(true, false, true, false), &McpProbeTools::validateProgram);

    return list;
}

void McpProbeTools::listProbes(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    ProbeQuery query;
    query.pattern = args.value(u"pattern"_s).toString().trimmed();
    query.provider = args.value(u"provider"_s).toString().trimmed();
    query.limit = args.value(u"limit"_s).toInt(200);
    if (args.contains(u"cursor"_s)) {
        const auto cursor = McpCursor::decode(args.value(u"cursor"_s).toString(), u"probes"_s);
        if (!cursor)
            return reply(McpTool::error(u"'cursor' is not a cursor this server gave out; call list_probes without "
                                        "'cursor' to start from the first page."_s));
        if (cursor->value(u"q"_s).toString() != query.pattern || cursor->value(u"p"_s).toString() != query.provider)
            return reply(McpTool::error(u"'cursor' belongs to a different query; repeat the same 'pattern' and "
                                        "'provider' with it, or drop 'cursor' to start over."_s));
        query.offset = cursor->value(u"o"_s).toInt();
    }
    QString targetError;
    const QString target = McpTargetTools::resolveTarget(m_engine, args, &targetError);
    if (target.isEmpty())
        return reply(McpTool::error(targetError));

    QPointer<McpProbeTools> self(this);
    QPointer<ProbeCatalog> targetCatalog = m_engine->targets()->catalog(target);
    McpWaiter::whenCatalogSettled(this, targetCatalog, context.cancellation, m_loadWaitMs,
        [self, query, reply, target, targetCatalog, cancellation = QPointer(context.cancellation)] {
            if (!self)
                return reply(McpTool::error(u"TraceDesk is shutting down."_s));
            if (!targetCatalog)
                return reply(McpTool::error(targetRemoved(target, u"its probe catalog loaded"_s)));
            if (cancellation && cancellation->isCancelled())
                return reply(McpTool::error(u"Cancelled."_s));
            ProbeCatalog *catalog = targetCatalog;
            if (catalog->status() == ProbeCatalog::Status::Failed)
                return reply(
                    McpTool::error(u"The probe catalog could not be loaded: %1"_s.arg(catalog->errorString())));
            const auto snapshot = catalog->snapshot();
            if (catalog->status() != ProbeCatalog::Status::Ready || !snapshot)
                return reply(McpTool::error(u"The probe catalog is still loading (bpftrace -l is running); try again "
                                            "in a few seconds."_s));

            if (!query.provider.isEmpty() && !snapshot->providers.contains(query.provider))
                return reply(McpTool::error(u"Unknown provider '%1'; this system lists probes of: %2."_s.arg(
                    query.provider, snapshot->providers.join(u", "_s))));

            const ProbeQueryResult result = ProbeCatalog::query(*snapshot, query);
            QJsonObject providers;
            for (const QString &p : snapshot->providers)
                providers.insert(p, snapshot->providerCounts.value(p));
            QJsonObject out { { u"probes"_s, QJsonArray::fromStringList(result.probes) },
                { u"returned"_s, result.probes.size() }, { u"total"_s, result.total }, { u"offset"_s, result.offset },
                { u"catalog_size"_s, snapshot->probes.size() }, { u"providers"_s, providers } };
            if (result.nextOffset >= 0)
                out.insert(u"next_cursor"_s,
                    McpCursor::encode(u"probes"_s,
                        QJsonObject {
                            { u"o"_s, result.nextOffset }, { u"q"_s, query.pattern }, { u"p"_s, query.provider } }));
            if (result.total == 0)
                out.insert(u"hint"_s,
                    u"No probe matches. Try a shorter substring, or a glob such as "
                    "'tracepoint:syscalls:*open*'. kprobe/kfunc probes are only listed when the "
                    "kernel exposes them to bpftrace."_s);
            reply(McpTool::result(out));
        });
}

void McpProbeTools::describeProbe(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString probe = args.value(u"probe"_s).toString().trimmed();
    if (probe.isEmpty() || probe.contains(QLatin1Char('\n')) || !probe.contains(QLatin1Char(':')))
        return reply(
            McpTool::error(u"'probe' must be a full probe name such as 'tracepoint:syscalls:sys_enter_openat'; "
                           "find names with list_probes."_s));
    if (context.cancellation && context.cancellation->isCancelled())
        return reply(McpTool::error(u"Cancelled."_s));
    QString targetError;
    const QString target = McpTargetTools::resolveTarget(m_engine, args, &targetError);
    if (target.isEmpty())
        return reply(McpTool::error(targetError));

    // A name the catalog's own provider does not list would only yield an empty description
    // from bpftrace; say so instead. Probes the catalog never lists (uprobes, usdt) go through.
    ProbeCatalog *catalog = m_engine->targets()->catalog(target);
    if (catalog->status() == ProbeCatalog::Status::Ready && catalog->snapshot() && !probe.contains(QLatin1Char('*'))
        && !probe.contains(QLatin1Char('?'))) {
        const auto snapshot = catalog->snapshot();
        const QString provider = probe.section(QLatin1Char(':'), 0, 0);
        if (snapshot->providers.contains(provider)
            && !std::binary_search(snapshot->probes.begin(), snapshot->probes.end(), probe))
            return reply(McpTool::error(
                u"Unknown probe '%1': this system lists no such %2 probe. Find the exact "
                "name with list_probes (pattern '%3')."_s.arg(probe, provider, probe.section(QLatin1Char(':'), -1))));
    }

    auto details = std::make_shared<std::optional<ProbeDetails>>();
    QPointer<ProbeCatalog> guarded(catalog);
    auto *waiter
        = new McpWaiter(this, context.cancellation, kLookupWaitMs, nullptr, [details, reply, probe, target, guarded] {
              if (!details->has_value() && !guarded)
                  return reply(McpTool::error(targetRemoved(target, u"bpftrace described '%1'"_s.arg(probe))));
              if (!details->has_value())
                  return reply(McpTool::error(
                      u"bpftrace did not describe '%1' in time, or the request was cancelled."_s.arg(probe)));
              const ProbeDetails &d = **details;
              if (!d.error.isEmpty())
                  return reply(McpTool::error(u"bpftrace could not describe '%1': %2. Check the exact name with "
                                              "list_probes."_s.arg(probe, d.error)));
              QJsonArray arguments;
              for (const ProbeArgument &a : d.arguments)
                  arguments.append(QJsonObject { { u"name"_s, a.name }, { u"type"_s, a.type } });
              QJsonObject out { { u"probe"_s, d.probe.isEmpty() ? probe : d.probe }, { u"arguments"_s, arguments } };
              if (probe.startsWith("tracepoint:"_L1) || probe.startsWith("rawtracepoint:"_L1)
                  || probe.startsWith("fentry:"_L1) || probe.startsWith("kfunc:"_L1) || probe.startsWith("fexit:"_L1))
                  out.insert(u"usage"_s, u"Read arguments as args.NAME (strings with str(args.NAME))."_s);
              else if (probe.startsWith("kprobe:"_L1) || probe.startsWith("uprobe:"_L1))
                  out.insert(u"usage"_s,
                      u"Read positional arguments as arg0, arg1, ... and the return value in the "
                      "matching kretprobe/uretprobe as retval."_s);
              reply(McpTool::result(out));
          });
    McpWaiter::fireWhenDestroyed(catalog, waiter);
    catalog->describe(probe, waiter, [waiter, details](const ProbeDetails &d) {
        *details = d;
        waiter->fire();
    });
}

void McpProbeTools::bpfInfo(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    QString targetError;
    const QString target = McpTargetTools::resolveTarget(m_engine, args, &targetError);
    if (target.isEmpty())
        return reply(McpTool::error(targetError));
    QPointer<McpProbeTools> self(this);
    QPointer<Capabilities> targetCaps = m_engine->targets()->capabilities(target);
    McpWaiter::whenCapabilitiesSettled(this, targetCaps, context.cancellation, m_loadWaitMs,
        [self, reply, target, targetCaps, cancellation = QPointer(context.cancellation)] {
            if (!self)
                return reply(McpTool::error(u"TraceDesk is shutting down."_s));
            if (!targetCaps)
                return reply(McpTool::error(targetRemoved(target, u"bpftrace --info answered"_s)));
            if (cancellation && cancellation->isCancelled())
                return reply(McpTool::error(u"Cancelled."_s));
            Capabilities *caps = targetCaps;
            if (!caps->isReady()) {
                if (!caps->errorString().isEmpty())
                    return reply(McpTool::error(u"bpftrace --info failed: %1"_s.arg(caps->errorString())));
                return reply(
                    McpTool::error(u"Still asking bpftrace about this system (bpftrace --info); try again in a "
                                   "few seconds."_s));
            }
            const BpfInfo info = caps->info();
            auto stringMap = [](const QMap<QString, QString> &map) {
                QJsonObject o;
                for (auto it = map.begin(); it != map.end(); ++it)
                    o.insert(it.key(), it.value());
                return o;
            };
            auto boolMap = [](const QMap<QString, bool> &map) {
                QJsonObject o;
                for (auto it = map.begin(); it != map.end(); ++it)
                    o.insert(it.key(), it.value());
                return o;
            };
            reply(McpTool::result(
                QJsonObject { { u"version"_s, info.version }, { u"kernel_release"_s, info.kernelRelease },
                    { u"system"_s, stringMap(info.system) }, { u"build"_s, stringMap(info.build) },
                    { u"kernel_helpers"_s, boolMap(info.helpers) }, { u"kernel_features"_s, boolMap(info.features) },
                    { u"map_types"_s, boolMap(info.mapTypes) }, { u"probe_types"_s, boolMap(info.probeTypes) },
                    { u"privilege"_s,
                        target == Target::LocalName ? self->m_engine->privilege().description()
                                                    : self->m_engine->targets()->health(target).summary() },
                    { u"target"_s, target } }));
        });
}

void McpProbeTools::listHelpers(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString kind = args.value(u"kind"_s).toString();
    QPointer<McpProbeTools> self(this);
    McpWaiter::whenCapabilitiesSettled(this, m_engine->capabilities(), context.cancellation, m_loadWaitMs,
        [self, kind, reply, cancellation = QPointer(context.cancellation)] {
            if (!self)
                return reply(McpTool::error(u"TraceDesk is shutting down."_s));
            if (cancellation && cancellation->isCancelled())
                return reply(McpTool::error(u"Cancelled."_s));
            // Without a known version the whole table is listed rather than nothing.
            const QString version = self->m_engine->capabilities()->info().version;
            QJsonArray helpers;
            for (const BuiltinHelp &b : Capabilities::builtins(version)) {
                if (!kind.isEmpty() && b.kind != kind)
                    continue;
                QString line = (b.signature.isEmpty() ? b.name : b.signature) + u" \u2014 "_s + b.summary;
                if (b.unsafe)
                    line += u" [unsafe: needs --unsafe]"_s;
                QJsonObject o { { u"name"_s, b.name }, { u"kind"_s, b.kind }, { u"signature"_s, b.signature },
                    { u"summary"_s, b.summary }, { u"unsafe"_s, b.unsafe }, { u"line"_s, line } };
                if (!b.since.isEmpty())
                    o.insert(u"since"_s, b.since);
                helpers.append(o);
            }
            reply(McpTool::result(QJsonObject { { u"bpftrace_version"_s, version.isEmpty() ? u"unknown"_s : version },
                { u"count"_s, helpers.size() }, { u"helpers"_s, helpers } }));
        });
}

void McpProbeTools::validateProgram(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString program = args.value(u"program"_s).toString();
    if (program.trimmed().isEmpty())
        return reply(McpTool::error(u"'program' is only white space; send the bpftrace program text."_s));
    if (context.cancellation && context.cancellation->isCancelled())
        return reply(McpTool::error(u"Cancelled."_s));
    QString targetError;
    const QString target = McpTargetTools::resolveTarget(m_engine, args, &targetError);
    if (target.isEmpty())
        return reply(McpTool::error(targetError));

    auto analysis = std::make_shared<std::optional<ScriptAnalysis>>();
    QPointer<McpProbeTools> self(this);
    auto *waiter = new McpWaiter(this, context.cancellation, kLookupWaitMs, nullptr, [self, analysis, reply, target] {
        if (!analysis->has_value())
            return reply(McpTool::error(u"The analysis did not finish in time, or the request was cancelled."_s));
        const bool removed = self && !self->m_engine->targets()->find(target);
        const ScriptAnalysis &a = **analysis;
        // "Could not check" is its own answer, never "valid": nothing vouches for such a program.
        const bool errors = a.hasErrors();
        const bool valid = a.checked && !errors;
        const QString status = errors ? u"invalid"_s : valid ? u"valid"_s : u"not-checked"_s;
        QJsonObject out { { u"valid"_s, valid }, { u"checked"_s, a.checked }, { u"status"_s, status },
            { u"risk"_s, riskLevelName(a.risk) }, { u"reasons"_s, QJsonArray::fromStringList(a.reasons()) },
            { u"probe_specs"_s, QJsonArray::fromStringList(a.probeSpecs) }, { u"attach_count"_s, a.attachCount },
            { u"attach_list"_s, QJsonArray::fromStringList(a.attachList.mid(0, kMaxAttachListed)) },
            { u"expanded"_s, a.expanded }, { u"unsafe_builtins"_s, QJsonArray::fromStringList(a.unsafeBuiltins) },
            { u"needs_unsafe"_s, a.needsUnsafe }, { u"findings"_s, findingsJson(a.findings) },
            { u"diagnostics"_s, McpRunJson::diagnosticsJson(a.diagnostics) }, { u"complete"_s, a.complete } };
        if (a.attachList.size() > kMaxAttachListed)
            out.insert(u"attach_list_truncated"_s, true);
        out.insert(u"target"_s, target);
        const QString reason
            = a.uncheckedReason.isEmpty() ? u"bpftrace could not be run to check the program"_s : a.uncheckedReason;
        if (!a.checked)
            out.insert(u"unchecked_reason"_s, reason);
        QString next;
        if (errors)
            next = u"Fix the errors in 'diagnostics' (line and column are 1-based) and validate again."_s;
        else if (!valid && removed)
            next = u"Not checked: %1. Choose a target there is now (list_targets) and validate again."_s.arg(reason);
        else if (!valid)
            next = u"Not checked: %1. Nothing vouches that it compiles, so no approval policy accepts it on its own "
                   "and the person is told it is unchecked. Validate again later, or tell the person that TraceDesk "
                   "cannot reach bpftrace (see bpf_info)."_s.arg(reason);
        else if (a.risk == RiskLevel::High)
            next = u"It compiles, but the risk is high (see 'reasons'); narrow it if you can, then call exec_program "
                   "with a reason that explains why it is needed."_s;
        else
            next = u"It compiles. Call exec_program with this program, a reason and a timeout_seconds."_s;
        out.insert(u"next_step"_s, next);
        reply(McpTool::result(out));
    });
    // Through analyzeOnTargets(): a target removed meanwhile takes its analyzer with it, and the
    // answer is then "not checked" at once rather than a timeout 30 s later.
    ScriptAnalyzer::analyzeOnTargets(program, { { target, m_engine->targets()->analyzer(target) } }, waiter,
        [waiter, analysis](qsizetype, const ScriptAnalysis &a) {
            *analysis = a;
            waiter->fire();
        },
        {});
}
