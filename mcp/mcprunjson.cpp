// SPDX-License-Identifier: GPL-2.0-or-later
// Runs as MCP clients read them, shared by the run tools and the tracedesk://runs/{id} resource.
#include "mcp/mcprunjson.h"

#include "engine/approvalqueue.h"
#include "engine/run.h"
#include "engine/scriptanalyzer.h"
#include "mcp/mcpschema.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

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

QJsonObject frameJson(const StackFrame &frame)
{
    QJsonObject out { { u"symbol"_s, frame.symbol } };
    if (frame.offset >= 0)
        out.insert(u"offset"_s, frame.offset);
    if (!frame.module.isEmpty())
        out.insert(u"module"_s, frame.module);
    if (frame.address)
        out.insert(u"address"_s, QString(u"0x"_s + QString::number(frame.address, 16)));
    return out;
}

QJsonObject stackJson(const CallStack &stack)
{
    QJsonArray frames;
    for (const StackFrame &frame : stack.frames)
        frames.append(frameJson(frame));
    return QJsonObject { { u"type"_s, u"stack"_s }, { u"space"_s, stack.spaceName() }, { u"frames"_s, frames } };
}

QJsonArray keyPartsJson(const MapKey &key)
{
    QJsonArray parts;
    for (const MapKeyPart &part : key.parts) {
        switch (part.type) {
        case MapKeyPart::Type::Stack:
            parts.append(stackJson(part.stack));
            break;
        case MapKeyPart::Type::Integer:
            parts.append(QJsonObject { { u"type"_s, u"integer"_s }, { u"value"_s, part.integer } });
            break;
        case MapKeyPart::Type::Text:
            parts.append(QJsonObject { { u"type"_s, u"string"_s }, { u"value"_s, part.text } });
            break;
        }
    }
    return parts;
}

QJsonObject keyed(const MapKey &key)
{
    QJsonObject out { { u"key"_s, key.text() }, { u"key_parts"_s, keyPartsJson(key) } };
    if (key.ambiguous)
        out.insert(u"key_ambiguous"_s, true);
    return out;
}

QJsonValue countValue(double value)
{
    return value == std::trunc(value) && std::abs(value) < 9e15 ? QJsonValue(qint64(value)) : QJsonValue(value);
}

// The heaviest stacks, summed over the other parts of the key (@[comm, kstack] counts a stack
// once however many processes ran it), with their share of all samples.
// `perStack`, when given, adds to each top stack's item (the merged results' per-host samples).
using StackDecorator = std::function<void(QJsonObject &item, const QString &stackText)>;

void addTopStacks(QJsonObject &out, const MapResult &map, int limit, const StackDecorator &perStack = {})
{
    struct Sum
    {
        double samples = 0;
        qsizetype entry = 0;
        qsizetype keys = 0;
    };
    QHash<QString, Sum> sums;
    double total = 0;
    const QList<MapEntry> &entries = map.entries();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const double weight = entries.at(i).value.weight();
        total += weight;
        if (const MapKeyPart *stack = entries.at(i).key.stackPart()) {
            Sum &sum = sums[stack->text];
            if (sum.keys++ == 0)
                sum.entry = i;
            sum.samples += weight;
        }
    }
    std::vector<Sum> order(sums.cbegin(), sums.cend());
    const size_t count = std::min(order.size(), size_t(std::max(0, limit)));
    std::partial_sort(order.begin(), order.begin() + qsizetype(count), order.end(), [](const Sum &a, const Sum &b) {
        return a.samples > b.samples || (a.samples == b.samples && a.entry < b.entry);
    });
    QJsonArray top;
    for (size_t i = 0; i < count; ++i) {
        const Sum &sum = order[i];
        QJsonObject stack = stackJson(entries.at(sum.entry).key.stackPart()->stack);
        stack.remove(u"type"_s);
        QJsonObject item { { u"stack"_s, stack }, { u"samples"_s, countValue(sum.samples) },
            { u"share"_s, total > 0 ? sum.samples / total : 0.0 }, { u"keys"_s, sum.keys } };
        if (perStack)
            perStack(item, entries.at(sum.entry).key.stackPart()->text);
        top.append(item);
    }
    out.insert(u"top_stacks"_s, top);
    out.insert(u"total_samples"_s, countValue(total));
    out.insert(u"distinct_stacks"_s, qsizetype(sums.size()));
}

QJsonObject mapJson(const MapResult &map, int maxEntries, int topStacks, const StackDecorator &perStack = {})
{
    QJsonObject out { { u"kind"_s, map.kindName() } };
    if (!map.keyTypes().isEmpty())
        out.insert(u"key_types"_s, QJsonArray::fromStringList(map.keyTypes()));
    if (map.isEmpty())
        out.insert(u"empty"_s, true);
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
            if (array.size() >= maxEntries)
                break;
            const Histogram histogram = entry.value.histogram() ? *entry.value.histogram() : Histogram();
            QJsonObject item = keyed(entry.key);
            item.insert(u"buckets"_s, bucketsJson(histogram));
            item.insert(u"total_count"_s, histogram.totalCount());
            array.append(item);
        }
        out.insert(u"series"_s, array);
    } else {
        // Largest first: what a person reads first in bpftrace's own output (it prints them last).
        for (const MapEntry &entry : map.entriesByWeight(maxEntries)) {
            QJsonObject item = keyed(entry.key);
            item.insert(u"value"_s, entry.value.toJson());
            array.append(item);
        }
        out.insert(u"entries"_s, array);
    }
    out.insert(u"total_entries"_s, map.entryCount());
    if (map.entryCount() > array.size())
        out.insert(u"truncated"_s, true);
    if (topStacks > 0 && map.hasStackKey())
        addTopStacks(out, map, topStacks, perStack);
    return out;
}

QJsonObject seriesJson(const MapSeries &series, const McpRunJson::MapView &view)
{
    const qsizetype total = series.size();
    const qsizetype from = std::min(qsizetype(std::max<qint64>(0, view.seriesOffset)), total);
    qsizetype to = std::min(total, from + qsizetype(std::max(0, view.seriesLimit)));
    QJsonArray snapshots;
    qint64 bytes = 0;
    for (qsizetype i = from; i < to; ++i) {
        const MapSnapshot &snapshot = series.snapshots.at(i);
        QJsonObject item = mapJson(snapshot.map, McpRunJson::kMaxSeriesEntries, 0);
        item.insert(u"ms"_s, snapshot.msSinceStart);
        bytes += QJsonDocument(item).toJson(QJsonDocument::Compact).size();
        if (i > from && bytes > McpRunJson::kMaxSeriesPageBytes) {
            to = i; // the rest on the next page
            break;
        }
        snapshots.append(item);
    }
    return QJsonObject { { u"delta"_s, series.delta }, { u"total_snapshots"_s, total }, { u"offset"_s, from },
        { u"returned"_s, to - from }, { u"next_offset"_s, to }, { u"has_more"_s, to < total },
        { u"dropped"_s, series.dropped }, { u"snapshots"_s, snapshots } };
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
    if (run->isFleet())
        o.insert(u"targets"_s, QJsonArray::fromStringList(run->targets()));
    else
        o.insert(u"target"_s, run->targetName());
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

QJsonObject McpRunJson::formatMaps(const RunResults &maps, const MapView &view)
{
    QJsonObject out;
    for (const MapResult &map : maps.maps()) {
        if (view.map.isEmpty() || view.map == map.name())
            out.insert(map.name(), mapJson(map, kMaxMapEntries, view.topStacks));
    }
    return out;
}

QJsonObject McpRunJson::formatSeries(const RunResults &maps, const MapView &view)
{
    QJsonObject out;
    for (const QString &name : maps.seriesNames()) {
        if (view.map.isEmpty() || view.map == name)
            out.insert(name, seriesJson(*maps.series(name), view));
    }
    return out;
}

namespace {
QJsonObject enumOf(const QStringList &values, const QString &description = {})
{
    QJsonObject o { { u"type"_s, u"string"_s }, { u"enum"_s, QJsonArray::fromStringList(values) } };
    if (!description.isEmpty())
        o.insert(u"description"_s, description);
    return o;
}

QJsonObject objectOf(const QJsonObject &properties, const QStringList &required = {}, const QString &description = {})
{
    QJsonObject o { { u"type"_s, u"object"_s }, { u"properties"_s, properties } };
    if (!required.isEmpty())
        o.insert(u"required"_s, QJsonArray::fromStringList(required));
    if (!description.isEmpty())
        o.insert(u"description"_s, description);
    return o;
}

QJsonObject framesSchema()
{
    using McpSchema::typed;
    return McpSchema::arrayOf(
        objectOf(QJsonObject { { u"symbol"_s, typed(u"string"_s, u"the address text when unresolved"_s) },
                     { u"offset"_s, typed(u"integer"_s) },
                     { u"module"_s, typed(u"string"_s, u"the binary, when bpftrace printed one"_s) },
                     { u"address"_s, typed(u"string"_s, u"hex, when bpftrace printed one"_s) } },
            { u"symbol"_s }),
        u"innermost frame first"_s);
}

QJsonObject keyFields(QJsonObject properties)
{
    using McpSchema::typed;
    properties.insert(u"key"_s, typed(u"string"_s, u"the key as bpftrace printed it (parts joined with commas)"_s));
    properties.insert(u"key_parts"_s,
        McpSchema::arrayOf(
            objectOf(QJsonObject { { u"type"_s, enumOf({ u"string"_s, u"integer"_s, u"stack"_s }) },
                         { u"value"_s, QJsonObject { { u"description"_s, u"the string or integer"_s } } },
                         { u"space"_s, enumOf({ u"kernel"_s, u"user"_s }) }, { u"frames"_s, framesSchema() } },
                { u"type"_s }),
            u"the key split by the script's key types, one part per key expression"_s));
    properties.insert(u"key_ambiguous"_s,
        typed(u"boolean"_s,
            u"several string parts with commas in them could not be told apart: they are one string part"_s));
    return properties;
}

// A merged value's breakdown: {"host": its value there}, only hosts that have it.
QJsonObject hostsSchema(const QString &what)
{
    return QJsonObject { { u"type"_s, u"object"_s }, { u"description"_s, what },
        { u"additionalProperties"_s, QJsonObject {} } };
}

// The per-host breakdown formatMergedMaps() adds to a merged map's items. One map schema serves
// every map (a host's, a snapshot's, a merged one), so the breakdown is optional and says where it
// appears: an SDK client compiles that schema once instead of once per use.
QJsonObject withHosts(QJsonObject object, const QString &what)
{
    QJsonObject properties = object.value(u"properties"_s).toObject();
    properties.insert(u"hosts"_s, hostsSchema(u"merged maps (fleet.maps) only: "_s + what));
    object.insert(u"properties"_s, properties);
    return object;
}

QJsonObject bucketSchema()
{
    using McpSchema::typed;
    return withHosts(objectOf(QJsonObject { { u"min"_s, typed(u"integer"_s) }, { u"max"_s, typed(u"integer"_s) },
                                  { u"count"_s, typed(u"integer"_s) }, { u"label"_s, typed(u"string"_s) } },
                         { u"count"_s }),
        u"this bucket's count on each host that has the key"_s);
}

QJsonObject mapProperties()
{
    using McpSchema::arrayOf;
    using McpSchema::typed;
    return QJsonObject {
        { u"kind"_s, enumOf({ u"map"_s, u"hist"_s, u"lhist"_s, u"stats"_s, u"value"_s }) },
        { u"key_types"_s, arrayOf(typed(u"string"_s), u"bpftrace's type of each key part, when known"_s) },
        { u"empty"_s, typed(u"boolean"_s, u"no entries: the script declares the map but it was never filled"_s) },
        { u"value"_s, QJsonObject { { u"description"_s, u"the value of a map without keys"_s } } },
        { u"buckets"_s, arrayOf(bucketSchema()) },
        { u"total_count"_s, typed(u"integer"_s) },
        { u"entries"_s,
            arrayOf(withHosts(objectOf(keyFields({ { u"value"_s,
                                           QJsonObject { { u"description"_s,
                                               u"the entry's value as bpftrace printed it: a number (count, sum, "
                                               "min, max, avg), text, or an object for stats()"_s } } } }),
                                  { u"key"_s, u"key_parts"_s }),
                        u"the value on each host that has the key"_s),
                u"heaviest first, at most 1000 (100 in a series snapshot)"_s) },
        { u"series"_s,
            arrayOf(withHosts(objectOf(keyFields({ { u"buckets"_s, arrayOf(bucketSchema()) },
                                           { u"total_count"_s, typed(u"integer"_s) } }),
                                  { u"key"_s, u"buckets"_s }),
                        u"the histogram's total count on each host that has the key"_s),
                u"a histogram per key"_s) },
        { u"total_entries"_s, typed(u"integer"_s) },
        { u"truncated"_s, typed(u"boolean"_s) },
        { u"top_stacks"_s,
            arrayOf(withHosts(
                        objectOf(
                            QJsonObject { { u"stack"_s,
                                              objectOf(QJsonObject { { u"space"_s, enumOf({ u"kernel"_s, u"user"_s }) },
                                                           { u"frames"_s, framesSchema() } },
                                                  { u"space"_s, u"frames"_s }) },
                                { u"samples"_s, typed(u"number"_s, u"the summed values of its keys"_s) },
                                { u"share"_s, typed(u"number"_s, u"of all samples in the map, 0 to 1"_s) },
                                { u"keys"_s, typed(u"integer"_s, u"entries summed (a key with other parts)"_s) } },
                            { u"stack"_s, u"samples"_s, u"share"_s }),
                        u"this stack's samples on each host"_s),
                u"maps with a stack in their key: the heaviest stacks, summed over the key's other parts"_s) },
        { u"total_samples"_s, typed(u"number"_s) },
        { u"distinct_stacks"_s, typed(u"integer"_s) },
    };
}
} // namespace

QJsonObject McpRunJson::mapSchema()
{
    return objectOf(mapProperties(), { u"kind"_s });
}

QJsonObject McpRunJson::seriesSchema()
{
    using McpSchema::typed;
    // A snapshot is a map with its time: the map schema itself, so it is compiled once.
    const QJsonObject snapshot { { u"allOf"_s,
        QJsonArray { mapSchema(),
            objectOf(QJsonObject { { u"ms"_s, typed(u"integer"_s, u"milliseconds since the run started"_s) } },
                { u"ms"_s }) } } };
    return objectOf(
        QJsonObject {
            { u"delta"_s,
                typed(u"boolean"_s,
                    u"the script clears the map after printing it: each snapshot holds one interval, not a running total"_s) },
            { u"total_snapshots"_s, typed(u"integer"_s) },
            { u"offset"_s, typed(u"integer"_s) },
            { u"returned"_s, typed(u"integer"_s) },
            { u"next_offset"_s, typed(u"integer"_s, u"series_offset for the next page"_s) },
            { u"has_more"_s, typed(u"boolean"_s) },
            { u"dropped"_s, typed(u"integer"_s, u"older snapshots thinned away to stay within the memory cap"_s) },
            { u"snapshots"_s, McpSchema::arrayOf(snapshot, u"oldest first, one per print()"_s) },
        },
        { u"delta"_s, u"total_snapshots"_s, u"offset"_s, u"returned"_s, u"has_more"_s, u"snapshots"_s });
}

// ---------------------------------------------------------------------------------------------
// Merged results of a fleet run

namespace {
// {"host": value} over the hosts that have a value there.
QJsonObject hostValues(const QList<MapValue> &values, const QStringList &names)
{
    QJsonObject out;
    for (qsizetype h = 0; h < values.size() && h < names.size(); ++h) {
        if (values.at(h).type() != MapValue::Type::Empty)
            out.insert(names.at(h), values.at(h).toJson());
    }
    return out;
}

// Each bucket's count per host, beside the merged count (hosts that have the key only).
void addBucketHosts(QJsonObject &item, const MergedMap::Entry &entry, const QStringList &names)
{
    QJsonArray buckets = item.value(u"buckets"_s).toArray();
    for (qsizetype b = 0; b < buckets.size() && b < entry.bucketHosts.size(); ++b) {
        QJsonObject bucket = buckets.at(b).toObject();
        QJsonObject hosts;
        for (qsizetype h = 0; h < names.size() && h < entry.hosts.size(); ++h) {
            if (entry.hosts.at(h).type() != MapValue::Type::Empty)
                hosts.insert(names.at(h), entry.bucketHosts.at(b).at(h));
        }
        bucket.insert(u"hosts"_s, hosts);
        buckets[b] = bucket;
    }
    item.insert(u"buckets"_s, buckets);
}

QJsonObject histogramTotals(const MergedMap::Entry &entry, const QStringList &names)
{
    QJsonObject out;
    for (qsizetype h = 0; h < names.size() && h < entry.hosts.size(); ++h) {
        if (const Histogram *histogram = entry.hosts.at(h).histogram())
            out.insert(names.at(h), histogram->totalCount());
    }
    return out;
}

QJsonObject mergedMapJson(const MergedMap &map, const QStringList &names, const McpRunJson::MapView &view)
{
    QStringList reportedBy;
    for (const int h : map.reportingHosts())
        reportedBy.append(names.value(h));
    auto common = [&](QJsonObject &out) {
        out.insert(u"merge"_s, MergedMap::ruleName(map.rule()));
        if (map.ruleAssumed())
            out.insert(u"merge_assumed"_s, true);
        if (!map.note().isEmpty())
            out.insert(u"merge_note"_s, map.note());
        out.insert(u"reported_by"_s, QJsonArray::fromStringList(reportedBy));
        out.insert(u"coverage"_s,
            u"%1 of %2 hosts"_s.arg(reportedBy.size()).arg(names.size()).replace(u"of 1 hosts"_s, u"of 1 host"_s));
    };
    if (map.hasConflict()) {
        QJsonObject out { { u"kind"_s, map.kindName() }, { u"conflict"_s, map.conflict() } };
        common(out);
        QJsonObject perHost;
        for (const int h : map.reportingHosts())
            perHost.insert(names.value(h), mapJson(map.host(h), kMaxMapEntries, view.topStacks));
        out.insert(u"per_host"_s, perHost);
        return out;
    }
    const MapResult merged = map.merged();
    // The samples of each stack on each host, for top_stacks' breakdown.
    StackDecorator perStack;
    QHash<QString, QList<double>> stackHosts;
    if (view.topStacks > 0 && merged.hasStackKey()) {
        for (const MergedMap::Entry &entry : map.entries()) {
            const MapKeyPart *stack = entry.key.stackPart();
            if (!stack)
                continue;
            QList<double> &sums = stackHosts[stack->text];
            sums.resize(entry.hosts.size(), -1);
            for (qsizetype h = 0; h < entry.hosts.size(); ++h) {
                if (entry.hosts.at(h).type() != MapValue::Type::Empty)
                    sums[h] = std::max(0.0, sums.at(h)) + entry.hosts.at(h).weight();
            }
        }
        perStack = [&stackHosts, &names](QJsonObject &item, const QString &stackText) {
            QJsonObject hosts;
            const QList<double> sums = stackHosts.value(stackText);
            for (qsizetype h = 0; h < sums.size() && h < names.size(); ++h) {
                if (sums.at(h) >= 0)
                    hosts.insert(names.at(h), countValue(sums.at(h)));
            }
            item.insert(u"hosts"_s, hosts);
        };
    }
    QJsonObject out = mapJson(merged, kMaxMapEntries, view.topStacks, perStack);
    common(out);
    if (!map.isKeyed()) {
        if (map.value().value.histogram()) {
            addBucketHosts(out, map.value(), names);
            out.insert(u"hosts"_s, histogramTotals(map.value(), names));
        } else {
            out.insert(u"hosts"_s, hostValues(map.value().hosts, names));
        }
        return out;
    }
    const QString list = map.isHistogram() ? u"series"_s : u"entries"_s;
    QJsonArray items = out.value(list).toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        QJsonObject item = items.at(i).toObject();
        const qsizetype index = map.indexOf(item.value(u"key"_s).toString());
        if (index < 0)
            continue;
        const MergedMap::Entry &entry = map.entries().at(index);
        if (map.isHistogram()) {
            addBucketHosts(item, entry, names);
            item.insert(u"hosts"_s, histogramTotals(entry, names));
        } else {
            item.insert(u"hosts"_s, hostValues(entry.hosts, names));
        }
        items[i] = item;
    }
    out.insert(list, items);
    return out;
}
} // namespace

QJsonArray McpRunJson::hostStatesJson(const FleetResults &fleet)
{
    QJsonArray states;
    for (const HostStatus &host : fleet.hosts()) {
        QJsonObject o { { u"host"_s, host.host }, { u"state"_s, FleetResults::stateName(host.state) },
            { u"maps"_s, host.mapCount }, { u"contributes"_s, host.contributes() } };
        if (!host.message.isEmpty())
            o.insert(u"message"_s, host.message);
        states.append(o);
    }
    return states;
}

QJsonObject McpRunJson::formatMergedMaps(const FleetResults &fleet, const MapView &view)
{
    const QStringList names = fleet.hostNames();
    QJsonObject out;
    for (const MergedMap &map : fleet.maps()) {
        if (view.map.isEmpty() || view.map == map.name())
            out.insert(map.name(), mergedMapJson(map, names, view));
    }
    return out;
}

QJsonObject McpRunJson::formatFleet(const FleetResults &fleet, const MapView &view)
{
    return QJsonObject { { u"hosts_total"_s, fleet.hostCount() }, { u"hosts_merged"_s, fleet.contributingHostCount() },
        { u"coverage"_s, fleet.coverage() }, { u"summary"_s, fleet.summary() },
        { u"host_states"_s, hostStatesJson(fleet) }, { u"conflicts"_s, QJsonArray::fromStringList(fleet.conflicts()) },
        { u"maps"_s, formatMergedMaps(fleet, view) } };
}

QJsonObject McpRunJson::mergedMapSchema()
{
    using McpSchema::arrayOf;
    using McpSchema::typed;
    // What merging adds to the map schema every map shares (allOf below).
    QJsonObject properties;
    properties.insert(u"merge"_s,
        enumOf({ u"sum"_s, u"min"_s, u"max"_s, u"stats"_s, u"hist"_s, u"same"_s },
            u"how the hosts' values combined: count and sum add, min and max take the extreme, stats add counts "
            "and totals (average = total / count), hist adds bucket by bucket, same keeps a value every host agrees on"_s));
    properties.insert(
        u"merge_assumed"_s, typed(u"boolean"_s, u"the script's value type was unknown: a plain map was summed"_s));
    properties.insert(u"merge_note"_s,
        typed(u"string"_s, u"why some values have no merged value (avg() prints no count to weigh it by)"_s));
    properties.insert(u"reported_by"_s, arrayOf(typed(u"string"_s), u"the hosts whose maps are merged here"_s));
    properties.insert(u"coverage"_s, typed(u"string"_s, u"\"2 of 3 hosts\": how many hosts reported the map"_s));
    properties.insert(u"conflict"_s,
        typed(u"string"_s,
            u"why the hosts' maps could not be merged (kinds differ, histogram buckets do not line up); then see "
            "per_host"_s));
    properties.insert(u"per_host"_s,
        QJsonObject { { u"type"_s, u"object"_s }, { u"description"_s, u"each host's own map, when in conflict"_s },
            { u"additionalProperties"_s, mapSchema() } });
    properties.insert(u"hosts"_s, hostsSchema(u"the map's value on each host (a histogram: its total count)"_s));
    return QJsonObject { { u"allOf"_s,
        QJsonArray { mapSchema(), objectOf(properties, { u"merge"_s, u"reported_by"_s }) } } };
}

QJsonObject McpRunJson::fleetSchema()
{
    using McpSchema::arrayOf;
    using McpSchema::typed;
    QStringList states;
    for (const HostRunState state : { HostRunState::Running, HostRunState::Finished, HostRunState::Stopped,
             HostRunState::Failed, HostRunState::Unreachable })
        states.append(FleetResults::stateName(state));
    const QJsonObject hostState
        = objectOf(QJsonObject { { u"host"_s, typed(u"string"_s) }, { u"state"_s, enumOf(states) },
                       { u"message"_s, typed(u"string"_s, u"why it failed or could not be reached"_s) },
                       { u"maps"_s, typed(u"integer"_s, u"maps it reported"_s) },
                       { u"contributes"_s, typed(u"boolean"_s, u"its maps are in the merged values"_s) } },
            { u"host"_s, u"state"_s, u"maps"_s, u"contributes"_s });
    return objectOf(
        QJsonObject {
            { u"hosts_total"_s, typed(u"integer"_s) },
            { u"hosts_merged"_s, typed(u"integer"_s, u"hosts whose maps are in the merged values"_s) },
            { u"coverage"_s, typed(u"string"_s, u"\"2 of 3 hosts\""_s) },
            { u"summary"_s, typed(u"string"_s, u"one sentence naming every host left out of the totals and why"_s) },
            { u"host_states"_s, arrayOf(hostState, u"every host of the run, also those that failed"_s) },
            { u"conflicts"_s, arrayOf(typed(u"string"_s), u"maps that could not be merged, with the reason"_s) },
            { u"maps"_s,
                QJsonObject { { u"type"_s, u"object"_s },
                    { u"description"_s,
                        u"by map name: the maps merged across hosts, shaped like 'maps', each value with its "
                        "per-host breakdown in 'hosts'"_s },
                    { u"additionalProperties"_s, mergedMapSchema() } } },
        },
        { u"hosts_total"_s, u"hosts_merged"_s, u"host_states"_s, u"maps"_s },
        u"a run on several hosts: per-host states and the merged maps"_s);
}

QString McpRunJson::stateMessage(const Run *run)
{
    const QString edited = run->scriptEdited()
        ? u" The person edited the script before approving it: 'decision.script' is what actually ran, so read "
          "the output against that script, not yours."_s
        : QString();
    // The person's words after a colon, once: the queue's own wording when they gave none
    // ("Denied by the person.") would only repeat what the sentence says.
    QString said = run->decisionMessage().trimmed();
    if (said.startsWith("Denied by the person"_L1))
        said.clear();
    while (said.endsWith(u'.'))
        said.chop(1);
    const QString note = said.isEmpty() ? QString() : u": "_s + said;
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
    const Run *run, const ApprovalQueue *approvals, qint64 offset, int limit, qint64 maxBytes, const MapView &view)
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
    if (run->isFleet())
        out.insert(u"targets"_s, QJsonArray::fromStringList(run->targets()));
    else
        out.insert(u"target"_s, run->targetName());
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
    out.insert(u"maps"_s, formatMaps(run->maps(), view));
    out.insert(u"series"_s, formatSeries(run->maps(), view));
    out.insert(u"series_memory"_s,
        QJsonObject { { u"bytes"_s, run->maps().seriesBytes() },
            { u"snapshots_dropped"_s, run->maps().snapshotsDropped() },
            { u"max_snapshots_per_map"_s, run->maps().maxSnapshotsPerMap() },
            { u"max_bytes"_s, run->maps().maxSeriesBytes() } });
    out.insert(u"diagnostics"_s, diagnosticsJson(run->diagnostics()));
    const ScriptAnalysis analysis = run->analysis();
    if (analysis.complete || !analysis.probeSpecs.isEmpty())
        out.insert(u"risk"_s, riskLevelName(analysis.risk));
    // A fleet's "maps" are merged over its hosts; "fleet" says over which, with each host's share.
    if (run->isFleet())
        out.insert(u"fleet"_s, formatFleet(run->fleetResults(), view));
    return out;
}
