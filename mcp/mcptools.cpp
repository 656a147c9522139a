// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcptools.h"

#include "approvalqueue.h"
#include "capabilities.h"
#include "engine.h"
#include "probecatalog.h"
#include "run.h"
#include "runmanager.h"
#include "scriptanalyzer.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMcpTools, "tracedesk.mcp.tools")

namespace {
constexpr int kMaxProgramLength = 65536;
constexpr int kMaxWaitSeconds = 30;
constexpr int kMaxMapEntries = 1000;
constexpr int kMaxAttachListed = 500;
constexpr int kStopWaitMs = 10000;
constexpr int kLookupWaitMs = 30000; // describe and analyze run bpftrace; never wait forever

// ---------------------------------------------------------------------------------------------
// Results

QJsonObject errorResult(const QString &message)
{
    return QJsonObject {
        { u"content"_s, QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, message } } } },
        { u"isError"_s, true },
    };
}

// structuredContent plus the same JSON as text, for clients that only read content blocks.
QJsonObject okResult(const QJsonObject &structured)
{
    const QString text = QString::fromUtf8(QJsonDocument(structured).toJson(QJsonDocument::Compact));
    return QJsonObject {
        { u"content"_s, QJsonArray { QJsonObject { { u"type"_s, u"text"_s }, { u"text"_s, text } } } },
        { u"structuredContent"_s, structured },
    };
}

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
// Schemas

QJsonObject stringProp(const QString &description, int minLength = -1, int maxLength = -1)
{
    QJsonObject p { { u"type"_s, u"string"_s }, { u"description"_s, description } };
    if (minLength >= 0)
        p.insert(u"minLength"_s, minLength);
    if (maxLength >= 0)
        p.insert(u"maxLength"_s, maxLength);
    return p;
}

QJsonObject intProp(const QString &description, qint64 minimum, qint64 maximum, std::optional<qint64> def = {})
{
    QJsonObject p { { u"type"_s, u"integer"_s }, { u"description"_s, description }, { u"minimum"_s, minimum },
        { u"maximum"_s, maximum } };
    if (def)
        p.insert(u"default"_s, *def);
    return p;
}

QJsonObject inputSchema(const QJsonObject &properties, const QStringList &required = {})
{
    QJsonObject schema { { u"type"_s, u"object"_s }, { u"properties"_s, properties },
        { u"additionalProperties"_s, false } };
    if (!required.isEmpty())
        schema.insert(u"required"_s, QJsonArray::fromStringList(required));
    return schema;
}

QJsonObject outputSchema(const QJsonObject &properties, const QStringList &required)
{
    return QJsonObject { { u"type"_s, u"object"_s }, { u"properties"_s, properties },
        { u"required"_s, QJsonArray::fromStringList(required) } };
}

QJsonObject typed(const QString &type, const QString &description = {})
{
    QJsonObject p { { u"type"_s, type } };
    if (!description.isEmpty())
        p.insert(u"description"_s, description);
    return p;
}

QJsonObject arrayOf(const QJsonObject &items, const QString &description = {})
{
    QJsonObject p { { u"type"_s, u"array"_s }, { u"items"_s, items } };
    if (!description.isEmpty())
        p.insert(u"description"_s, description);
    return p;
}

QJsonObject annotations(bool readOnly, bool destructive, bool idempotent, bool openWorld)
{
    return QJsonObject { { u"readOnlyHint"_s, readOnly }, { u"destructiveHint"_s, destructive },
        { u"idempotentHint"_s, idempotent }, { u"openWorldHint"_s, openWorld } };
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

QString renderValue(const QJsonValue &value)
{
    if (value.isString())
        return u"\""_s + value.toString().left(60) + u"\""_s;
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    return jsonTypeName(value);
}

// Checks arguments against the subset of JSON Schema our input schemas use, so the schema a
// client sees and the checks we apply can never drift apart. Returns what to fix, or empty.
QString checkArguments(const QJsonObject &schema, const QJsonObject &arguments)
{
    const QJsonObject properties = schema.value(u"properties"_s).toObject();
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        if (properties.contains(it.key()))
            continue;
        if (properties.isEmpty())
            return u"unknown argument '%1': this tool takes no arguments"_s.arg(it.key());
        return u"unknown argument '%1'; this tool takes: %2"_s.arg(it.key(), properties.keys().join(u", "_s));
    }
    const QJsonArray required = schema.value(u"required"_s).toArray();
    for (const QJsonValue &name : required) {
        if (!arguments.contains(name.toString()))
            return u"missing required argument '%1' (%2)"_s.arg(
                name.toString(), properties.value(name.toString()).toObject().value(u"description"_s).toString());
    }
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        const QJsonObject p = properties.value(it.key()).toObject();
        const QString type = p.value(u"type"_s).toString();
        const QJsonValue v = it.value();
        const QString name = it.key();
        if (type == "string"_L1) {
            if (!v.isString())
                return u"'%1' must be a string, got %2"_s.arg(name, jsonTypeName(v));
            const qsizetype length = v.toString().size();
            if (p.contains(u"minLength"_s) && length < p.value(u"minLength"_s).toInteger()) {
                if (length == 0)
                    return u"'%1' must not be empty"_s.arg(name);
                return u"'%1' is too short (at least %2 characters)"_s.arg(name).arg(
                    p.value(u"minLength"_s).toInteger());
            }
            if (p.contains(u"maxLength"_s) && length > p.value(u"maxLength"_s).toInteger())
                return u"'%1' is too long (%2 characters; at most %3)"_s.arg(name).arg(length).arg(
                    p.value(u"maxLength"_s).toInteger());
        } else if (type == "integer"_L1 || type == "number"_L1) {
            if (!v.isDouble())
                return u"'%1' must be %2, got %3"_s.arg(name, type == "integer"_L1 ? u"an integer"_s : u"a number"_s,
                    jsonTypeName(v) + u" ("_s + renderValue(v) + u")"_s);
            const double d = v.toDouble();
            if (type == "integer"_L1 && (d != std::floor(d) || std::abs(d) > 9007199254740991.0))
                return u"'%1' must be a whole number, got %2"_s.arg(name, renderValue(v));
            const bool hasMin = p.contains(u"minimum"_s);
            const bool hasMax = p.contains(u"maximum"_s);
            const double mn = p.value(u"minimum"_s).toDouble();
            const double mx = p.value(u"maximum"_s).toDouble();
            if ((hasMin && d < mn) || (hasMax && d > mx)) {
                if (hasMin && hasMax)
                    return u"'%1' must be between %2 and %3, got %4"_s.arg(
                        name, renderValue(mn), renderValue(mx), renderValue(v));
                if (hasMin)
                    return u"'%1' must be at least %2, got %3"_s.arg(name, renderValue(mn), renderValue(v));
                return u"'%1' must be at most %2, got %3"_s.arg(name, renderValue(mx), renderValue(v));
            }
        } else if (type == "boolean"_L1) {
            if (!v.isBool())
                return u"'%1' must be true or false, got %2"_s.arg(name, jsonTypeName(v));
        }
        if (p.contains(u"enum"_s)) {
            const QJsonArray values = p.value(u"enum"_s).toArray();
            if (!values.contains(v)) {
                QStringList names;
                for (const QJsonValue &e : values)
                    names.append(e.toString());
                return u"unknown %1 %2; use one of: %3"_s.arg(name, renderValue(v), names.join(u", "_s));
            }
        }
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// Cursors: opaque to clients, and bound to the query they continue, so a cursor from one query
// cannot silently page through another.

QString encodeCursor(const QJsonObject &state)
{
    return QString::fromLatin1(QJsonDocument(state)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<QJsonObject> decodeCursor(const QString &cursor, const QString &kind)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded);
    if (!doc.isObject() || doc.object().value(u"k"_s).toString() != kind)
        return std::nullopt;
    return doc.object();
}

// ---------------------------------------------------------------------------------------------
// Waiting without blocking: fires `done` once, on a trigger whose `settled` check passes, on
// timeout, or on cancellation. Connections made with the waiter as context die with it.
class Waiter : public QObject
{
public:
    Waiter(QObject *parent, McpCancellation *cancellation, int timeoutMs, std::function<bool()> settled,
        std::function<void()> done)
        : QObject(parent)
        , m_settled(std::move(settled))
        , m_done(std::move(done))
    {
        if (cancellation)
            QObject::connect(cancellation, &McpCancellation::cancelled, this, [this] { fire(); });
        if (timeoutMs > 0)
            QTimer::singleShot(timeoutMs, this, [this] { fire(); });
    }

    void poke()
    {
        if (!m_fired && (!m_settled || m_settled()))
            fire();
    }

    void fire()
    {
        if (m_fired)
            return;
        m_fired = true;
        auto done = std::move(m_done);
        deleteLater();
        done();
    }

    bool hasFired() const { return m_fired; }

private:
    std::function<bool()> m_settled;
    std::function<void()> m_done;
    bool m_fired = false;
};

// ---------------------------------------------------------------------------------------------
// Maps and histograms

QString sizeSuffixed(qint64 value)
{
    // hist() labels use powers of 1024 with K, M, G, T, P, E as bpftrace prints them.
    static const char suffixes[] = { 'K', 'M', 'G', 'T', 'P', 'E' };
    if (value == 0)
        return u"0"_s;
    int index = -1;
    qint64 v = value;
    while (index < 5 && v % 1024 == 0 && std::llabs(v) >= 1024) {
        v /= 1024;
        ++index;
    }
    if (index < 0)
        return QString::number(value);
    return QString::number(v) + QLatin1Char(suffixes[index]);
}

QJsonArray formatBuckets(const QJsonArray &raw, bool powerOfTwo, qint64 *total)
{
    QJsonArray buckets;
    for (const QJsonValue &value : raw) {
        const QJsonObject in = value.toObject();
        QJsonObject out;
        if (in.contains(u"min"_s))
            out.insert(u"min"_s, in.value(u"min"_s));
        if (in.contains(u"max"_s))
            out.insert(u"max"_s, in.value(u"max"_s));
        const qint64 count = in.value(u"count"_s).toInteger();
        out.insert(u"count"_s, count);
        out.insert(u"label"_s, McpTools::bucketLabel(in, powerOfTwo));
        if (total)
            *total += count;
        buckets.append(out);
    }
    return buckets;
}

double numericWeight(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        if (o.contains(u"count"_s))
            return o.value(u"count"_s).toDouble();
    }
    return 0;
}

QJsonObject formatOneMap(const QString &kind, const QJsonValue &data)
{
    QJsonObject out { { u"kind"_s, kind } };
    if (kind == "hist"_L1 || kind == "lhist"_L1) {
        const bool powerOfTwo = kind == "hist"_L1;
        if (data.isArray()) {
            qint64 total = 0;
            out.insert(u"buckets"_s, formatBuckets(data.toArray(), powerOfTwo, &total));
            out.insert(u"total_count"_s, total);
        } else if (data.isObject()) {
            const QJsonObject keyed = data.toObject();
            QJsonArray series;
            for (auto it = keyed.begin(); it != keyed.end(); ++it) {
                qint64 total = 0;
                QJsonArray buckets = formatBuckets(it.value().toArray(), powerOfTwo, &total);
                series.append(
                    QJsonObject { { u"key"_s, it.key() }, { u"buckets"_s, buckets }, { u"total_count"_s, total } });
                if (series.size() >= kMaxMapEntries)
                    break;
            }
            out.insert(u"series"_s, series);
            out.insert(u"total_entries"_s, keyed.size());
            if (keyed.size() > series.size())
                out.insert(u"truncated"_s, true);
        } else {
            out.insert(u"value"_s, data);
        }
        return out;
    }
    // A scalar stats() map is {"count", "average", "total"}; a keyed one maps keys to that.
    const bool scalarStats = kind == "stats"_L1 && data.isObject() && data.toObject().contains(u"count"_s)
        && data.toObject().contains(u"average"_s);
    if (data.isObject() && !scalarStats) {
        const QJsonObject keyed = data.toObject();
        QList<std::pair<QString, QJsonValue>> entries;
        entries.reserve(keyed.size());
        for (auto it = keyed.begin(); it != keyed.end(); ++it)
            entries.append({ it.key(), it.value() });
        // Largest first: what a person reads first in bpftrace's own output (it prints them last).
        std::stable_sort(entries.begin(), entries.end(),
            [](const auto &a, const auto &b) { return numericWeight(a.second) > numericWeight(b.second); });
        QJsonArray array;
        for (const auto &[key, value] : std::as_const(entries)) {
            if (array.size() >= kMaxMapEntries)
                break;
            array.append(QJsonObject { { u"key"_s, key }, { u"value"_s, value } });
        }
        out.insert(u"entries"_s, array);
        out.insert(u"total_entries"_s, keyed.size());
        if (keyed.size() > array.size())
            out.insert(u"truncated"_s, true);
        return out;
    }
    out.insert(u"value"_s, data);
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

QJsonArray diagnosticsJson(const QList<Diagnostic> &list)
{
    QJsonArray array;
    for (const Diagnostic &d : list)
        array.append(diagnosticJson(d));
    return array;
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

QString scriptPreview(const QString &script)
{
    QString flat = script.simplified();
    if (flat.size() > 120)
        flat = flat.left(117) + u"..."_s;
    return flat;
}

QJsonObject runSummary(const Run *run)
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

QStringList stateNames()
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

bool deniedByPolicy(const Run *run)
{
    return run->decision() == Decision::DeniedByPolicy || run->decidedBy().startsWith("policy"_L1);
}
} // namespace

// =============================================================================================

struct McpTools::Tool
{
    QString name;
    QJsonObject definition;
    void (McpTools::*handler)(const QJsonObject &, const McpCallContext &, Reply);
};

McpTools::McpTools(Engine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{ }

struct McpTools::Cache
{
    int defaultTimeout = -1;
    int maxTimeout = -1;
    QList<Tool> tools;
};

const QList<McpTools::Tool> &McpTools::tools() const
{
    const RunLimits limits = m_engine->runs()->limits();
    const int maxTimeout = std::max(1, limits.maxTimeoutSeconds);
    if (m_cache && m_cache->defaultTimeout == limits.defaultClientTimeoutSeconds && m_cache->maxTimeout == maxTimeout)
        return m_cache->tools;
    if (!m_cache)
        m_cache = std::make_shared<Cache>();
    m_cache->defaultTimeout = limits.defaultClientTimeoutSeconds;
    m_cache->maxTimeout = maxTimeout;
    QList<Tool> &list = m_cache->tools;
    list.clear();
    auto add = [&list](const QString &name, const QString &title, const QString &description, const QJsonObject &input,
                   const QJsonObject &output, const QJsonObject &hints, auto handler) {
        QJsonObject ann = hints;
        ann.insert(u"title"_s, title);
        list.append(Tool { name,
            QJsonObject { { u"name"_s, name }, { u"title"_s, title }, { u"description"_s, description },
                { u"inputSchema"_s, input }, { u"outputSchema"_s, output }, { u"annotations"_s, ann } },
            handler });
    };

    const QJsonObject diagnosticSchema { { u"type"_s, u"object"_s },
        { u"properties"_s,
            QJsonObject { { u"severity"_s,
                              QJsonObject { { u"type"_s, u"string"_s },
                                  { u"enum"_s, QJsonArray { u"error"_s, u"warning"_s, u"note"_s } } } },
                { u"line"_s, typed(u"integer"_s, u"1-based line in the program"_s) },
                { u"column"_s, typed(u"integer"_s) }, { u"end_column"_s, typed(u"integer"_s) },
                { u"message"_s, typed(u"string"_s) } } },
        { u"required"_s, QJsonArray { u"severity"_s, u"message"_s } } };
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
        annotations(true, false, true, false), &McpTools::listProbes);

    // ---- describe_probe
    add(u"describe_probe"_s, u"Describe a probe"_s,
        u"Shows the arguments of one probe and their C types, as 'bpftrace -lv' reports them (for a tracepoint: "
        "'const char * filename' is read in a program as str(args.filename)). Use it before writing a program "
        "that reads a probe's arguments, so the field names and types are right. Attaches nothing."_s,
        inputSchema(QJsonObject { { u"probe"_s,
                        stringProp(u"Full probe name, e.g. 'tracepoint:syscalls:sys_enter_openat'"_s, 1, 512) } },
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
        annotations(true, false, true, false), &McpTools::describeProbe);

    // ---- bpf_info
    add(u"bpf_info"_s, u"bpftrace and kernel capabilities"_s,
        u"Reports the installed bpftrace version, the kernel release, and which kernel helpers, features, map "
        "types and probe types this system supports (bpftrace --info). Use it to check that a probe type "
        "(kprobe, fentry, uprobe, ...) or helper is available before relying on it. Attaches nothing."_s,
        inputSchema(QJsonObject {}),
        outputSchema(QJsonObject { { u"version"_s, typed(u"string"_s, u"bpftrace version, e.g. 0.23.2"_s) },
                         { u"kernel_release"_s, typed(u"string"_s) }, { u"system"_s, stringMap },
                         { u"build"_s, stringMap }, { u"kernel_helpers"_s, boolMap }, { u"kernel_features"_s, boolMap },
                         { u"map_types"_s, boolMap }, { u"probe_types"_s, boolMap },
                         { u"privilege"_s, typed(u"string"_s, u"how TraceDesk runs bpftrace"_s) } },
            { u"version"_s, u"kernel_helpers"_s, u"kernel_features"_s, u"map_types"_s, u"probe_types"_s }),
        annotations(true, false, true, false), &McpTools::bpfInfo);

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
        annotations(true, false, true, false), &McpTools::listHelpers);

    // ---- validate_program
    add(u"validate_program"_s, u"Validate a bpftrace program"_s,
        u"Checks a bpftrace program without running it: syntax and compile diagnostics from bpftrace, the probes it "
        "would attach (wildcards expanded, with the count), unsafe builtins, and a risk level with reasons, which "
        "is what the person sees when asked to approve it. Attaches nothing. Call it before exec_program and fix "
        "every error it reports; a high risk makes a denial more likely."_s,
        inputSchema(QJsonObject { { u"program"_s, stringProp(u"The bpftrace program text"_s, 1, kMaxProgramLength) } },
            { u"program"_s }),
        outputSchema(
            QJsonObject { { u"valid"_s, typed(u"boolean"_s, u"no errors"_s) },
                { u"risk"_s,
                    QJsonObject {
                        { u"type"_s, u"string"_s }, { u"enum"_s, QJsonArray { u"low"_s, u"medium"_s, u"high"_s } } } },
                { u"reasons"_s, arrayOf(typed(u"string"_s)) }, { u"probe_specs"_s, arrayOf(typed(u"string"_s)) },
                { u"attach_count"_s, typed(u"integer"_s, u"-1 when unknown"_s) },
                { u"attach_list"_s, arrayOf(typed(u"string"_s)) }, { u"attach_list_truncated"_s, typed(u"boolean"_s) },
                { u"expanded"_s, typed(u"boolean"_s) }, { u"unsafe_builtins"_s, arrayOf(typed(u"string"_s)) },
                { u"needs_unsafe"_s, typed(u"boolean"_s) }, { u"findings"_s, arrayOf(findingSchema) },
                { u"diagnostics"_s, arrayOf(diagnosticSchema) }, { u"complete"_s, typed(u"boolean"_s) },
                { u"next_step"_s, typed(u"string"_s) } },
            { u"valid"_s, u"risk"_s, u"reasons"_s, u"attach_count"_s, u"diagnostics"_s, u"findings"_s }),
        annotations(true, false, true, false), &McpTools::validateProgram);

    // ---- exec_program
    add(u"exec_program"_s, u"Run a bpftrace program (needs approval)"_s,
        u"Asks to run a bpftrace program. A person must approve, edit or deny it in TraceDesk first, so this returns "
        "at once with {execution_id, status} (status 'pending_approval' while the person decides); it never waits "
        "for the run. Then call get_result with the execution_id and wait_seconds (up to 30), repeatedly, until "
        "'terminal' is true; maps and histograms arrive when the program ends (timeout, exit() or stop_execution). "
        "Give a 'reason' the person can judge, and a timeout_seconds that fits (default "_s
            + QString::number(limits.defaultClientTimeoutSeconds) + u" s, at most "_s + QString::number(maxTimeout)
            + u" s). If it comes back denied, do not resubmit the same program; ask the person or change the "
              "approach. Run validate_program first."_s,
        inputSchema(
            QJsonObject {
                { u"program"_s, stringProp(u"The bpftrace program text"_s, 1, kMaxProgramLength) },
                { u"timeout_seconds"_s,
                    intProp(u"Stop the run (with SIGINT, so maps are printed) after this many seconds"_s, 1, maxTimeout,
                        limits.defaultClientTimeoutSeconds) },
                { u"reason"_s, stringProp(u"Why you want to run it, shown to the person who approves"_s, -1, 2000) },
            },
            { u"program"_s }),
        outputSchema(QJsonObject { { u"execution_id"_s, typed(u"string"_s) },
                         { u"status"_s,
                             QJsonObject { { u"type"_s, u"string"_s },
                                 { u"enum"_s, QJsonArray::fromStringList(stateNames()) } } },
                         { u"approval_required"_s, typed(u"boolean"_s) }, { u"decision"_s, typed(u"string"_s) },
                         { u"timeout_seconds"_s, typed(u"integer"_s) }, { u"message"_s, typed(u"string"_s) } },
            { u"execution_id"_s, u"status"_s, u"message"_s }),
        // Honest: a script may use unsafe builtins (signal, system, override), and it observes every
        // process on the machine; the person's approval is the guard, not the tool.
        annotations(false, true, false, true), &McpTools::execProgram);

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
        "person edited the script (then 'decision.script' is what actually ran). With wait_seconds (0 to 30) it "
        "waits until new output arrives or the state changes, so poll it in a loop with wait_seconds=30 until "
        "terminal. 'message' says in one sentence what happened and what to do next."_s,
        inputSchema(
            QJsonObject {
                { u"execution_id"_s, stringProp(u"From exec_program or list_executions"_s, 1, 128) },
                { u"offset"_s,
                    intProp(u"First output line to return (next_offset of the previous call)"_s, 0,
                        std::numeric_limits<int>::max(), 0) },
                { u"limit"_s, intProp(u"Most output lines to return"_s, 1, 5000, 1000) },
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
                    QJsonObject {
                        { u"type"_s, u"string"_s }, { u"enum"_s, QJsonArray::fromStringList(stateNames()) } } },
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
                            u"by map name ('@name'): kind plus value, entries [{key, value}], "
                            "buckets [{min, max, count, label}] or series [{key, buckets}]"_s },
                        { u"additionalProperties"_s, QJsonObject { { u"type"_s, u"object"_s } } } } },
                { u"diagnostics"_s, arrayOf(diagnosticSchema) },
                { u"risk"_s, typed(u"string"_s) },
            },
            { u"execution_id"_s, u"state"_s, u"terminal"_s, u"message"_s, u"decision"_s, u"output"_s, u"totals"_s,
                u"next_offset"_s, u"maps"_s, u"diagnostics"_s }),
        annotations(true, false, true, false), &McpTools::getResult);

    // ---- stop_execution
    add(u"stop_execution"_s, u"Stop a run"_s,
        u"Stops a run exactly like the person's Stop button: SIGINT first (so bpftrace prints its maps), then "
        "SIGTERM and SIGKILL if it does not exit. A run still waiting for approval is withdrawn instead. Waits up "
        "to 10 s for the run to end and returns its state; then read the final maps with get_result."_s,
        inputSchema(
            QJsonObject { { u"execution_id"_s, stringProp(u"From exec_program or list_executions"_s, 1, 128) } },
            { u"execution_id"_s }),
        outputSchema(QJsonObject { { u"execution_id"_s, typed(u"string"_s) }, { u"state"_s, typed(u"string"_s) },
                         { u"terminal"_s, typed(u"boolean"_s) }, { u"map_names"_s, arrayOf(typed(u"string"_s)) },
                         { u"message"_s, typed(u"string"_s) } },
            { u"execution_id"_s, u"state"_s, u"terminal"_s, u"message"_s }),
        annotations(false, true, true, false), &McpTools::stopExecution);

    // ---- list_executions
    QStringList statusFilter = stateNames();
    statusFilter.append(u"active"_s);
    statusFilter.append(u"terminal"_s);
    add(u"list_executions"_s, u"List runs"_s,
        u"Lists runs, newest first: those requested by AI clients and those the person started in TraceDesk, "
        "including finished runs kept from earlier sessions. Filter by 'status' (a state such as 'running' or "
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
                                { u"created_at"_s, typed(u"string"_s) }, { u"ended_at"_s, typed(u"string"_s) } } },
                        { u"required"_s, QJsonArray { u"execution_id"_s, u"state"_s } } }) },
                { u"returned"_s, typed(u"integer"_s) },
                { u"total"_s, typed(u"integer"_s, u"runs matching the filter"_s) },
                { u"next_cursor"_s, typed(u"string"_s) } },
            { u"executions"_s, u"returned"_s, u"total"_s }),
        annotations(true, false, true, false), &McpTools::listExecutions);

    return list;
}

QJsonArray McpTools::definitions() const
{
    QJsonArray array;
    for (const Tool &tool : tools())
        array.append(tool.definition);
    return array;
}

bool McpTools::hasTool(const QString &name) const
{
    const QList<Tool> &list = tools();
    return std::any_of(list.begin(), list.end(), [&name](const Tool &t) { return t.name == name; });
}

QJsonObject McpTools::inputSchemaFor(const QString &name) const
{
    for (const Tool &tool : tools()) {
        if (tool.name == name)
            return tool.definition.value(u"inputSchema"_s).toObject();
    }
    return {};
}

void McpTools::call(const QString &name, const QJsonObject &arguments, const McpCallContext &context, Reply reply)
{
    for (const Tool &tool : tools()) {
        if (tool.name != name)
            continue;
        const QString problem = checkArguments(tool.definition.value(u"inputSchema"_s).toObject(), arguments);
        if (!problem.isEmpty()) {
            qCDebug(lcMcpTools) << name << "bad arguments:" << problem;
            reply(errorResult(u"Invalid arguments for %1: %2."_s.arg(name, problem)));
            return;
        }
        // The handler may run long after the table is rebuilt; it needs only its own address.
        const auto handler = tool.handler;
        (this->*handler)(arguments, context, std::move(reply));
        return;
    }
    reply(errorResult(u"Unknown tool '%1'."_s.arg(name)));
}

// ---------------------------------------------------------------------------------------------

void McpTools::whenCatalogSettled(const McpCallContext &context, std::function<void()> ready)
{
    ProbeCatalog *catalog = m_engine->catalog();
    auto settled = [catalog] {
        return catalog->status() == ProbeCatalog::Status::Ready || catalog->status() == ProbeCatalog::Status::Failed;
    };
    if (settled() || (context.cancellation && context.cancellation->isCancelled())) {
        ready();
        return;
    }
    if (catalog->status() == ProbeCatalog::Status::Empty)
        catalog->load();
    auto *waiter = new Waiter(this, context.cancellation, m_loadWaitMs, settled, std::move(ready));
    connect(catalog, &ProbeCatalog::statusChanged, waiter, [waiter] { waiter->poke(); });
    waiter->poke();
}

void McpTools::whenCapabilitiesSettled(const McpCallContext &context, std::function<void()> ready)
{
    Capabilities *caps = m_engine->capabilities();
    auto failed = std::make_shared<bool>(!caps->errorString().isEmpty());
    auto settled = [caps, failed] { return caps->isReady() || *failed; };
    if (settled() || (context.cancellation && context.cancellation->isCancelled())) {
        ready();
        return;
    }
    auto *waiter = new Waiter(this, context.cancellation, m_loadWaitMs, settled, std::move(ready));
    connect(caps, &Capabilities::ready, waiter, [waiter] { waiter->poke(); });
    connect(caps, &Capabilities::failed, waiter, [waiter, failed] {
        *failed = true;
        waiter->poke();
    });
    waiter->poke();
}

void McpTools::listProbes(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    ProbeQuery query;
    query.pattern = args.value(u"pattern"_s).toString().trimmed();
    query.provider = args.value(u"provider"_s).toString().trimmed();
    query.limit = args.value(u"limit"_s).toInt(200);
    if (args.contains(u"cursor"_s)) {
        const auto cursor = decodeCursor(args.value(u"cursor"_s).toString(), u"probes"_s);
        if (!cursor)
            return reply(errorResult(u"'cursor' is not a cursor this server gave out; call list_probes without "
                                     "'cursor' to start from the first page."_s));
        if (cursor->value(u"q"_s).toString() != query.pattern || cursor->value(u"p"_s).toString() != query.provider)
            return reply(errorResult(u"'cursor' belongs to a different query; repeat the same 'pattern' and "
                                     "'provider' with it, or drop 'cursor' to start over."_s));
        query.offset = cursor->value(u"o"_s).toInt();
    }

    QPointer<McpTools> self(this);
    whenCatalogSettled(context, [self, query, reply, cancellation = QPointer(context.cancellation)] {
        if (!self)
            return reply(errorResult(u"TraceDesk is shutting down."_s));
        if (cancellation && cancellation->isCancelled())
            return reply(errorResult(u"Cancelled."_s));
        ProbeCatalog *catalog = self->m_engine->catalog();
        if (catalog->status() == ProbeCatalog::Status::Failed)
            return reply(errorResult(u"The probe catalog could not be loaded: %1"_s.arg(catalog->errorString())));
        const auto snapshot = catalog->snapshot();
        if (catalog->status() != ProbeCatalog::Status::Ready || !snapshot)
            return reply(errorResult(u"The probe catalog is still loading (bpftrace -l is running); try again "
                                     "in a few seconds."_s));

        if (!query.provider.isEmpty() && !snapshot->providers.contains(query.provider))
            return reply(errorResult(u"Unknown provider '%1'; this system lists probes of: %2."_s.arg(
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
                encodeCursor(QJsonObject { { u"k"_s, u"probes"_s }, { u"o"_s, result.nextOffset },
                    { u"q"_s, query.pattern }, { u"p"_s, query.provider } }));
        if (result.total == 0)
            out.insert(u"hint"_s,
                u"No probe matches. Try a shorter substring, or a glob such as "
                "'tracepoint:syscalls:*open*'. kprobe/kfunc probes are only listed when the "
                "kernel exposes them to bpftrace."_s);
        reply(okResult(out));
    });
}

void McpTools::describeProbe(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString probe = args.value(u"probe"_s).toString().trimmed();
    if (probe.isEmpty() || probe.contains(QLatin1Char('\n')) || !probe.contains(QLatin1Char(':')))
        return reply(errorResult(u"'probe' must be a full probe name such as 'tracepoint:syscalls:sys_enter_openat'; "
                                 "find names with list_probes."_s));
    if (context.cancellation && context.cancellation->isCancelled())
        return reply(errorResult(u"Cancelled."_s));

    // A name the catalog's own provider does not list would only yield an empty description
    // from bpftrace; say so instead. Probes the catalog never lists (uprobes, usdt) go through.
    ProbeCatalog *catalog = m_engine->catalog();
    if (catalog->status() == ProbeCatalog::Status::Ready && catalog->snapshot() && !probe.contains(QLatin1Char('*'))
        && !probe.contains(QLatin1Char('?'))) {
        const auto snapshot = catalog->snapshot();
        const QString provider = probe.section(QLatin1Char(':'), 0, 0);
        if (snapshot->providers.contains(provider)
            && !std::binary_search(snapshot->probes.begin(), snapshot->probes.end(), probe))
            return reply(errorResult(
                u"Unknown probe '%1': this system lists no such %2 probe. Find the exact "
                "name with list_probes (pattern '%3')."_s.arg(probe, provider, probe.section(QLatin1Char(':'), -1))));
    }

    auto details = std::make_shared<std::optional<ProbeDetails>>();
    auto *waiter = new Waiter(this, context.cancellation, kLookupWaitMs, nullptr, [details, reply, probe] {
        if (!details->has_value())
            return reply(
                errorResult(u"bpftrace did not describe '%1' in time, or the request was cancelled."_s.arg(probe)));
        const ProbeDetails &d = **details;
        if (!d.error.isEmpty())
            return reply(errorResult(u"bpftrace could not describe '%1': %2. Check the exact name with "
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
        reply(okResult(out));
    });
    m_engine->catalog()->describe(probe, waiter, [waiter, details](const ProbeDetails &d) {
        *details = d;
        waiter->fire();
    });
}

void McpTools::bpfInfo(const QJsonObject &, const McpCallContext &context, Reply reply)
{
    QPointer<McpTools> self(this);
    whenCapabilitiesSettled(context, [self, reply, cancellation = QPointer(context.cancellation)] {
        if (!self)
            return reply(errorResult(u"TraceDesk is shutting down."_s));
        if (cancellation && cancellation->isCancelled())
            return reply(errorResult(u"Cancelled."_s));
        Capabilities *caps = self->m_engine->capabilities();
        if (!caps->isReady()) {
            if (!caps->errorString().isEmpty())
                return reply(errorResult(u"bpftrace --info failed: %1"_s.arg(caps->errorString())));
            return reply(errorResult(u"Still asking bpftrace about this system (bpftrace --info); try again in a "
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
        reply(okResult(QJsonObject { { u"version"_s, info.version }, { u"kernel_release"_s, info.kernelRelease },
            { u"system"_s, stringMap(info.system) }, { u"build"_s, stringMap(info.build) },
            { u"kernel_helpers"_s, boolMap(info.helpers) }, { u"kernel_features"_s, boolMap(info.features) },
            { u"map_types"_s, boolMap(info.mapTypes) }, { u"probe_types"_s, boolMap(info.probeTypes) },
            { u"privilege"_s, self->m_engine->privilege().description() } }));
    });
}

void McpTools::listHelpers(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString kind = args.value(u"kind"_s).toString();
    QPointer<McpTools> self(this);
    whenCapabilitiesSettled(context, [self, kind, reply, cancellation = QPointer(context.cancellation)] {
        if (!self)
            return reply(errorResult(u"TraceDesk is shutting down."_s));
        if (cancellation && cancellation->isCancelled())
            return reply(errorResult(u"Cancelled."_s));
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
        reply(okResult(QJsonObject { { u"bpftrace_version"_s, version.isEmpty() ? u"unknown"_s : version },
            { u"count"_s, helpers.size() }, { u"helpers"_s, helpers } }));
    });
}

void McpTools::validateProgram(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString program = args.value(u"program"_s).toString();
    if (program.trimmed().isEmpty())
        return reply(errorResult(u"'program' is only white space; send the bpftrace program text."_s));
    if (context.cancellation && context.cancellation->isCancelled())
        return reply(errorResult(u"Cancelled."_s));

    auto analysis = std::make_shared<std::optional<ScriptAnalysis>>();
    auto *waiter = new Waiter(this, context.cancellation, kLookupWaitMs, nullptr, [analysis, reply] {
        if (!analysis->has_value())
            return reply(errorResult(u"The analysis did not finish in time, or the request was cancelled."_s));
        const ScriptAnalysis &a = **analysis;
        const bool valid = !a.hasErrors();
        QJsonObject out { { u"valid"_s, valid }, { u"risk"_s, riskLevelName(a.risk) },
            { u"reasons"_s, QJsonArray::fromStringList(a.reasons()) },
            { u"probe_specs"_s, QJsonArray::fromStringList(a.probeSpecs) }, { u"attach_count"_s, a.attachCount },
            { u"attach_list"_s, QJsonArray::fromStringList(a.attachList.mid(0, kMaxAttachListed)) },
            { u"expanded"_s, a.expanded }, { u"unsafe_builtins"_s, QJsonArray::fromStringList(a.unsafeBuiltins) },
            { u"needs_unsafe"_s, a.needsUnsafe }, { u"findings"_s, findingsJson(a.findings) },
            { u"diagnostics"_s, diagnosticsJson(a.diagnostics) }, { u"complete"_s, a.complete } };
        if (a.attachList.size() > kMaxAttachListed)
            out.insert(u"attach_list_truncated"_s, true);
        QString next;
        if (!valid)
            next = u"Fix the errors in 'diagnostics' (line and column are 1-based) and validate again."_s;
        else if (a.risk == RiskLevel::High)
            next = u"It compiles, but the risk is high (see 'reasons'); narrow it if you can, then call exec_program "
                   "with a reason that explains why it is needed."_s;
        else
            next = u"It compiles. Call exec_program with this program, a reason and a timeout_seconds."_s;
        out.insert(u"next_step"_s, next);
        reply(okResult(out));
    });
    m_engine->analyzer()->analyze(program, waiter, [waiter, analysis](const ScriptAnalysis &a) {
        *analysis = a;
        waiter->fire();
    });
}

void McpTools::execProgram(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    RunRequest request;
    request.script = args.value(u"program"_s).toString();
    request.reason = args.value(u"reason"_s).toString().trimmed();
    request.client = context.client;
    if (request.client.sessionId.isEmpty())
        request.client.sessionId = context.sessionId;
    if (args.contains(u"timeout_seconds"_s))
        request.timeoutSeconds = args.value(u"timeout_seconds"_s).toInt();
    if (request.script.trimmed().isEmpty())
        return reply(errorResult(u"'program' is only white space; send the bpftrace program text."_s));

    QString error;
    Run *run = m_engine->runs()->submitClientRun(request, &error);
    if (!run)
        return reply(errorResult(u"The run was not queued: %1"_s.arg(error.isEmpty() ? u"unknown error"_s : error)));
    qCInfo(lcMcpTools) << "exec_program from" << request.client.displayName() << "->" << run->id();

    const RunState state = run->state();
    QString message;
    if (state == RunState::PendingApproval)
        message = u"Queued: a person must approve, edit or deny this program in TraceDesk before it runs. Call "
                  "get_result with execution_id '%1' and wait_seconds=30, repeatedly, until 'terminal' is true."_s.arg(
                      run->id());
    else
        message
            = stateMessage(run) + u" Follow it with get_result (execution_id '%1', wait_seconds=30)."_s.arg(run->id());
    QJsonObject out { { u"execution_id"_s, run->id() }, { u"status"_s, runStateName(state) },
        { u"approval_required"_s, true }, { u"decision"_s, decisionName(run->decision()) }, { u"message"_s, message } };
    if (run->timeoutSeconds())
        out.insert(u"timeout_seconds"_s, *run->timeoutSeconds());
    reply(okResult(out));
}

void McpTools::getResult(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString id = args.value(u"execution_id"_s).toString().trimmed();
    const qint64 offset = args.value(u"offset"_s).toInteger(0);
    const int limit = args.value(u"limit"_s).toInt(1000);
    const double waitSeconds = args.value(u"wait_seconds"_s).toDouble(0);

    Run *run = m_engine->runs()->run(id);
    if (!run)
        return reply(errorResult(u"Unknown execution_id '%1'; use the id exec_program returned, or find runs with "
                                 "list_executions."_s.arg(id)));
    if (offset > run->totalLines())
        return reply(errorResult(u"'offset' %1 is past the end of the output (%2 lines so far); pass the "
                                 "next_offset of the previous result."_s.arg(offset)
                                     .arg(run->totalLines())));

    QPointer<Run> guarded(run);
    QPointer<ApprovalQueue> approvals(m_engine->approvals());
    auto answer = [guarded, approvals, offset, limit, reply, id] {
        if (!guarded)
            return reply(errorResult(u"Run '%1' is gone (TraceDesk is shutting down)."_s.arg(id)));
        reply(okResult(describeRun(guarded, approvals, offset, limit)));
    };

    const bool hasNews = run->totalLines() > offset || isTerminal(run->state());
    if (waitSeconds <= 0 || hasNews || (context.cancellation && context.cancellation->isCancelled()))
        return answer();

    // Long-poll: the first new output, change of state, cancellation or the deadline answers.
    auto *waiter = new Waiter(this, context.cancellation, int(std::lround(waitSeconds * 1000)), nullptr, answer);
    connect(run, &Run::outputAppended, waiter, [waiter] { waiter->poke(); });
    connect(run, &Run::stateChanged, waiter, [waiter] { waiter->poke(); });
    connect(run, &QObject::destroyed, waiter, [waiter] { waiter->poke(); });
}

void McpTools::stopExecution(const QJsonObject &args, const McpCallContext &context, Reply reply)
{
    const QString id = args.value(u"execution_id"_s).toString().trimmed();
    Run *run = m_engine->runs()->run(id);
    if (!run)
        return reply(errorResult(u"Unknown execution_id '%1'; find runs with list_executions."_s.arg(id)));
    if (isTerminal(run->state()))
        return reply(errorResult(
            u"Run '%1' already ended (%2); read its result with get_result."_s.arg(id, runStateName(run->state()))));
    QString error;
    if (!m_engine->runs()->stop(id, &error))
        return reply(errorResult(u"Could not stop run '%1': %2"_s.arg(id, error)));
    qCInfo(lcMcpTools) << "stop_execution" << id << "by" << context.client.displayName();

    QPointer<Run> guarded(run);
    auto answer = [guarded, reply, id] {
        if (!guarded)
            return reply(errorResult(u"Run '%1' is gone (TraceDesk is shutting down)."_s.arg(id)));
        const bool terminal = isTerminal(guarded->state());
        QString message;
        if (terminal)
            message = stateMessage(guarded) + u" Read its output and final maps with get_result."_s;
        else
            message = u"Stop requested (SIGINT sent); bpftrace is still exiting. Call get_result with "
                      "wait_seconds=30 to collect the final maps."_s;
        reply(okResult(QJsonObject { { u"execution_id"_s, id }, { u"state"_s, runStateName(guarded->state()) },
            { u"terminal"_s, terminal }, { u"map_names"_s, QJsonArray::fromStringList(guarded->maps().keys()) },
            { u"message"_s, message } }));
    };
    if (isTerminal(run->state()))
        return answer();
    auto *waiter = new Waiter(
        this, context.cancellation, kStopWaitMs, [guarded] { return !guarded || isTerminal(guarded->state()); },
        answer);
    connect(run, &Run::stateChanged, waiter, [waiter] { waiter->poke(); });
    connect(run, &QObject::destroyed, waiter, [waiter] { waiter->fire(); });
}

void McpTools::listExecutions(const QJsonObject &args, const McpCallContext &, Reply reply)
{
    const QString status = args.value(u"status"_s).toString();
    const int limit = args.value(u"limit"_s).toInt(50);
    QString after;
    if (args.contains(u"cursor"_s)) {
        const auto cursor = decodeCursor(args.value(u"cursor"_s).toString(), u"runs"_s);
        if (!cursor)
            return reply(errorResult(u"'cursor' is not a cursor this server gave out; call list_executions without "
                                     "'cursor' to start from the newest run."_s));
        if (cursor->value(u"s"_s).toString() != status)
            return reply(errorResult(u"'cursor' belongs to a different 'status' filter; repeat the same 'status' "
                                     "with it, or drop 'cursor'."_s));
        after = cursor->value(u"a"_s).toString();
    }

    auto matches = [&status](const Run *run) {
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
            page.append(runSummary(run));
            lastId = run->id();
        } else {
            more = true;
        }
    }
    if (!afterFound)
        return reply(errorResult(u"'cursor' refers to a run that no longer matches; call list_executions without "
                                 "'cursor'."_s));
    QJsonObject out { { u"executions"_s, page }, { u"returned"_s, page.size() }, { u"total"_s, total } };
    if (more)
        out.insert(u"next_cursor"_s,
            encodeCursor(QJsonObject { { u"k"_s, u"runs"_s }, { u"a"_s, lastId }, { u"s"_s, status } }));
    reply(okResult(out));
}

// ---------------------------------------------------------------------------------------------

QString McpTools::bucketLabel(const QJsonObject &bucket, bool powerOfTwo)
{
    auto num = [powerOfTwo](qint64 v) { return powerOfTwo ? sizeSuffixed(v) : QString::number(v); };
    const bool hasMin = bucket.contains(u"min"_s);
    const bool hasMax = bucket.contains(u"max"_s);
    const qint64 mn = bucket.value(u"min"_s).toInteger();
    const qint64 mx = bucket.value(u"max"_s).toInteger();
    if (!hasMin && hasMax)
        return u"(..., %1)"_s.arg(num(mx + 1));
    if (hasMin && !hasMax)
        return u"[%1, ...)"_s.arg(num(mn));
    if (!hasMin)
        return u"(..., ...)"_s;
    if (mn == mx)
        return u"[%1]"_s.arg(num(mn));
    return u"[%1, %2)"_s.arg(num(mn), num(mx + 1));
}

QJsonObject McpTools::formatMaps(const QJsonObject &maps)
{
    QJsonObject out;
    for (auto it = maps.begin(); it != maps.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        if (entry.contains(u"kind"_s))
            out.insert(it.key(), formatOneMap(entry.value(u"kind"_s).toString(), entry.value(u"data"_s)));
        else
            out.insert(it.key(), formatOneMap(u"map"_s, it.value()));
    }
    return out;
}

QString McpTools::stateMessage(const Run *run)
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

QJsonObject McpTools::describeRun(
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
