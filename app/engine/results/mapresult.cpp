// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/mapresult.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

QString MapKey::text() const
{
    QStringList texts;
    texts.reserve(parts.size());
    for (const MapKeyPart &part : parts)
        texts.append(part.text);
    return texts.join(u',');
}

MapKey MapKey::fromText(const QString &text)
{
    return MapKey { { MapKeyPart { MapKeyPart::Type::Text, text, 0, {} } } };
}

MapKeyPart::Type MapKeyPart::typeFor(const QString &bpftraceType)
{
    if (bpftraceType.startsWith("kstack"_L1) || bpftraceType.startsWith("ustack"_L1))
        return Type::Stack;
    static const QStringList integers { u"int8"_s, u"int16"_s, u"int32"_s, u"int64"_s, u"uint8"_s, u"uint16"_s,
        u"uint32"_s, u"uint64"_s };
    return integers.contains(bpftraceType) ? Type::Integer : Type::Text;
}

QString MapKeyPart::typeName(Type type)
{
    switch (type) {
    case Type::Integer:
        return u"integer"_s;
    case Type::Stack:
        return u"stack"_s;
    case Type::Text:
        break;
    }
    return u"string"_s;
}

namespace {
constexpr QLatin1StringView kNewline("\\n"); // as bpftrace's JSON writes a stack: backslash, n

MapKeyPart textPart(const QString &text)
{
    return MapKeyPart { MapKeyPart::Type::Text, text, 0, {} };
}

// An integer part, or nothing when `text` is not one (a u64 past qint64 stays text).
std::optional<MapKeyPart> integerPart(const QString &text)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return MapKeyPart { MapKeyPart::Type::Integer, text, value, {} };
}

bool looksKernel(const CallStack &stack)
{
    // Only a guess for keys without types: kernel addresses are in the top half.
    for (const StackFrame &frame : stack.frames) {
        if (!frame.module.isEmpty())
            return false;
        if (frame.address)
            return frame.address >= 0xffff800000000000ULL;
    }
    return true;
}

MapKeyPart makeStackPart(const QString &text, std::optional<CallStack::Space> space)
{
    MapKeyPart part { MapKeyPart::Type::Stack, text, 0, {} };
    part.stack = CallStack::parse(text, space.value_or(CallStack::Space::Kernel));
    if (!space && !looksKernel(part.stack))
        part.stack.space = CallStack::Space::User;
    return part;
}

// A stack starting at `from` ends after the "\n" that the next comma (or the end) follows.
qsizetype stackEndFrom(const QString &text, qsizetype from, qsizetype end)
{
    if (QStringView(text).sliced(from, end - from).startsWith(kNewline) == false)
        return -1;
    for (qsizetype p = from; (p = text.indexOf(kNewline, p)) >= 0 && p + 2 <= end; ++p) {
        if (p + 2 == end || text.at(p + 2) == u',')
            return p + 2;
    }
    return -1;
}

// A stack ending at `end` starts at the "\n" that a comma (or `from`) precedes; frames inside
// it end in an offset, an address or a module, never in a comma.
qsizetype stackStartTo(const QString &text, qsizetype from, qsizetype end)
{
    if (end - from < 2 || QStringView(text).sliced(end - 2, 2) != kNewline)
        return -1;
    for (qsizetype p = end - 2; p >= from; --p) {
        if (QStringView(text).sliced(p).startsWith(kNewline) && (p == from || text.at(p - 1) == u','))
            return p;
    }
    return -1;
}

std::optional<CallStack::Space> spaceOf(const QString &type)
{
    return type.startsWith("ustack"_L1) ? CallStack::Space::User : CallStack::Space::Kernel;
}

MapKey parseGuessed(const QString &text, qsizetype expectedParts = -1)
{
    // Without the key's types a comma may as well be inside a string (a path, a comm) as between
    // parts: only stacks, which mark their own ends, are split off, and commas only when their
    // number is the one the key's types call for; anything else stays whole.
    const bool hasStack = [&text] {
        for (qsizetype pos = text.indexOf(kNewline); pos >= 0; pos = text.indexOf(kNewline, pos + 1)) {
            if ((pos == 0 || text.at(pos - 1) == u',') && stackEndFrom(text, pos, text.size()) > 0)
                return true;
        }
        return false;
    }();
    if (!hasStack && (expectedParts < 2 || text.count(u',') != expectedParts - 1)) {
        const bool digits = !text.isEmpty()
            && std::all_of(text.begin(), text.end(), [](QChar c) { return c.isDigit() || c == u'-'; });
        const std::optional<MapKeyPart> integer = digits ? integerPart(text) : std::nullopt;
        return MapKey { { integer ? *integer : textPart(text) } };
    }
    MapKey key;
    qsizetype pos = 0;
    const qsizetype end = text.size();
    while (true) {
        const qsizetype stackEnd = stackEndFrom(text, pos, end);
        if (stackEnd > 0) {
            key.parts.append(makeStackPart(text.sliced(pos, stackEnd - pos), std::nullopt));
            pos = stackEnd;
        } else {
            const qsizetype comma = text.indexOf(u',', pos);
            const qsizetype partEnd = comma < 0 ? end : comma;
            const QString part = text.sliced(pos, partEnd - pos);
            const bool digits = !part.isEmpty()
                && std::all_of(part.begin(), part.end(), [](QChar c) { return c.isDigit() || c == u'-'; });
            const std::optional<MapKeyPart> integer = digits ? integerPart(part) : std::nullopt;
            key.parts.append(integer ? *integer : textPart(part));
            pos = partEnd;
        }
        if (pos >= end)
            break;
        ++pos; // the comma
        if (pos == end) {
            key.parts.append(textPart(QString()));
            break;
        }
    }
    return key;
}

// Splits by the types, or returns nothing when the text does not fit them.
std::optional<MapKey> parseTyped(const QString &text, const QStringList &types)
{
    using Type = MapKeyPart::Type;
    const qsizetype n = types.size();
    QList<MapKeyPart> head;
    QList<MapKeyPart> tail;
    qsizetype lo = 0;
    qsizetype hi = text.size();
    qsizetype i = 0;
    qsizetype j = n - 1;
    // Integers and stacks from the left, up to the first text part...
    for (; i < n && MapKeyPart::typeFor(types.at(i)) != Type::Text; ++i) {
        const bool last = i == n - 1;
        if (MapKeyPart::typeFor(types.at(i)) == Type::Stack) {
            const qsizetype e = stackEndFrom(text, lo, hi);
            if (e < 0 || (last ? e != hi : e == hi))
                return std::nullopt;
            head.append(makeStackPart(text.sliced(lo, e - lo), spaceOf(types.at(i))));
            lo = e;
        } else {
            const qsizetype comma = last ? hi : text.indexOf(u',', lo);
            if (comma < 0)
                return std::nullopt;
            const std::optional<MapKeyPart> integer = integerPart(text.sliced(lo, comma - lo));
            if (!integer)
                return std::nullopt;
            head.append(*integer);
            lo = comma;
        }
        if (!last) {
            if (lo >= hi || text.at(lo) != u',')
                return std::nullopt;
            ++lo;
        }
    }
    if (i == n)
        return lo == hi ? std::optional<MapKey>(MapKey { head }) : std::nullopt;
    // ...and from the right, down to the last one.
    for (; j > i && MapKeyPart::typeFor(types.at(j)) != Type::Text; --j) {
        qsizetype s = -1;
        if (MapKeyPart::typeFor(types.at(j)) == Type::Stack) {
            s = stackStartTo(text, lo, hi);
            if (s <= lo)
                return std::nullopt;
            tail.prepend(makeStackPart(text.sliced(s, hi - s), spaceOf(types.at(j))));
        } else {
            if (hi <= lo)
                return std::nullopt;
            const qsizetype comma = text.lastIndexOf(u',', hi - 1);
            if (comma < lo)
                return std::nullopt;
            s = comma + 1;
            const std::optional<MapKeyPart> integer = integerPart(text.sliced(s, hi - s));
            if (!integer)
                return std::nullopt;
            tail.prepend(*integer);
        }
        if (s - 1 < lo || text.at(s - 1) != u',')
            return std::nullopt;
        hi = s - 1;
    }
    // types i..j lie between lo and hi; i and j are text parts.
    MapKey key { head };
    const QString middle = text.sliced(lo, hi - lo);
    if (i == j) {
        key.parts.append(textPart(middle));
    } else if (middle.count(u',') == j - i) {
        const QStringList pieces = middle.split(u',');
        for (qsizetype k = 0; k < pieces.size(); ++k) {
            const Type type = MapKeyPart::typeFor(types.at(i + k));
            std::optional<MapKeyPart> part;
            if (type == Type::Integer)
                part = integerPart(pieces.at(k));
            else if (type == Type::Stack && stackEndFrom(pieces.at(k), 0, pieces.at(k).size()) == pieces.at(k).size())
                part = makeStackPart(pieces.at(k), spaceOf(types.at(i + k)));
            key.parts.append(part ? *part : textPart(pieces.at(k)));
        }
    } else {
        key.parts.append(textPart(middle));
        key.ambiguous = true;
    }
    key.parts += tail;
    return key;
}
} // namespace

MapKey MapKey::parse(const QString &text, const QStringList &keyTypes)
{
    if (keyTypes.isEmpty())
        return parseGuessed(text);
    if (keyTypes.size() == 1) {
        // One part takes the whole key, commas and all.
        switch (MapKeyPart::typeFor(keyTypes.first())) {
        case MapKeyPart::Type::Integer:
            if (const std::optional<MapKeyPart> integer = integerPart(text))
                return MapKey { { *integer } };
            break;
        case MapKeyPart::Type::Stack:
            if (stackEndFrom(text, 0, text.size()) == text.size())
                return MapKey { { makeStackPart(text, spaceOf(keyTypes.first())) } };
            break;
        case MapKeyPart::Type::Text:
            break;
        }
        return fromText(text);
    }
    if (std::optional<MapKey> key = parseTyped(text, keyTypes))
        return *key;
    return parseGuessed(text, keyTypes.size());
}

const MapKeyPart *MapKey::stackPart() const
{
    for (const MapKeyPart &part : parts) {
        if (part.type == MapKeyPart::Type::Stack)
            return &part;
    }
    return nullptr;
}

QString StackFrame::text() const
{
    QString t = symbol;
    if (offset >= 0)
        t += u'+' + QString::number(offset);
    if (!module.isEmpty())
        t += u" ("_s + module + u')';
    return t;
}

CallStack CallStack::parse(const QString &printed, Space space)
{
    CallStack stack;
    stack.space = space;
    QString text = printed;
    text.replace(kNewline, "\n"_L1);
    text.replace("\\t"_L1, "\t"_L1); // perf mode's indentation, escaped the same way
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    for (QString line : lines) {
        line = line.trimmed(); // bpftrace indents with spaces, perf mode with a tab
        if (line.isEmpty())
            continue;
        StackFrame frame;
        // perf mode: "ffffffff816c37a4 __damon_get_folio+68", "7f08f0f4ff38 0x7f08f0f4ff38 ([unknown])".
        bool perf = false;
        const qsizetype space1 = line.indexOf(u' ');
        if (space1 > 0) {
            const quint64 address = line.left(space1).toULongLong(&perf, 16);
            if (perf) {
                frame.address = address;
                line = line.mid(space1 + 1).trimmed();
            }
        }
        // A module in parentheses: perf mode's, or one that reads as a path. A C++ symbol's own
        // parentheses ("f(int, char)+12") end in an offset, not in ")".
        if (line.endsWith(u')')) {
            const qsizetype open = line.lastIndexOf(u" ("_s);
            const QString module = open > 0 ? line.mid(open + 2, line.size() - open - 3) : QString();
            if (open > 0 && (perf || module.startsWith(u'/') || module.startsWith(u'['))) {
                if (module != "[unknown]"_L1)
                    frame.module = module;
                line = line.left(open);
            }
        }
        const qsizetype plus = line.lastIndexOf(u'+');
        bool hasOffset = false;
        const qint64 offset = plus > 0 ? line.mid(plus + 1).toLongLong(&hasOffset) : 0;
        if (hasOffset && offset >= 0) {
            frame.offset = offset;
            line = line.left(plus);
        }
        if (line.startsWith("0x"_L1)) {
            bool ok = false;
            const quint64 address = line.mid(2).toULongLong(&ok, 16);
            if (ok && frame.address == 0)
                frame.address = address;
        }
        frame.symbol = line;
        stack.frames.append(frame);
    }
    return stack;
}

QString CallStack::text() const
{
    QString t;
    for (const StackFrame &frame : frames)
        t += "\\n        "_L1 + frame.text();
    if (!frames.isEmpty())
        t += "\\n"_L1;
    return t;
}

bool StatsValue::isStatsJson(const QJsonValue &value)
{
    if (!value.isObject())
        return false;
    const QJsonObject o = value.toObject();
    return o.contains("count"_L1) && o.contains("average"_L1) && o.contains("total"_L1);
}

StatsValue StatsValue::fromJson(const QJsonObject &object)
{
    return StatsValue { object.value("count"_L1).toInteger(), object.value("average"_L1).toInteger(),
        object.value("total"_L1).toInteger() };
}

QJsonObject StatsValue::toJson() const
{
    return QJsonObject { { u"count"_s, count }, { u"average"_s, average }, { u"total"_s, total } };
}

MapValue MapValue::fromJson(const QJsonValue &value)
{
    MapValue v;
    switch (value.type()) {
    case QJsonValue::Double: {
        // Integral values in qint64's range are integers; anything else (a u64 past 2^63 that
        // JSON gave us as a double) stays a real, never an undefined cast.
        const double d = value.toDouble();
        constexpr double limit = 9223372036854775808.0; // 2^63
        if (d >= -limit && d < limit && d == std::trunc(d))
            v.m_value = qint64(d);
        else
            v.m_value = d;
        break;
    }
    case QJsonValue::String:
        v.m_value = value.toString();
        break;
    case QJsonValue::Object:
        if (StatsValue::isStatsJson(value))
            v.m_value = StatsValue::fromJson(value.toObject());
        else
            v.m_value = value;
        break;
    case QJsonValue::Bool:
    case QJsonValue::Array:
        v.m_value = value;
        break;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return v;
}

MapValue MapValue::fromHistogram(Histogram histogram)
{
    MapValue v;
    v.m_value = std::move(histogram);
    return v;
}

MapValue MapValue::fromInteger(qint64 value)
{
    MapValue v;
    v.m_value = value;
    return v;
}

MapValue MapValue::fromReal(double value)
{
    MapValue v;
    v.m_value = value;
    return v;
}

MapValue MapValue::fromStats(StatsValue stats)
{
    MapValue v;
    v.m_value = stats;
    return v;
}

MapValue::Type MapValue::type() const
{
    switch (m_value.index()) {
    case 1:
        return Type::Integer;
    case 2:
        return Type::Real;
    case 3:
        return Type::Text;
    case 4:
        return Type::Stats;
    case 5:
        return Type::Histogram;
    case 6:
        return Type::Other;
    default:
        return Type::Empty;
    }
}

qint64 MapValue::integer() const
{
    if (const auto *i = std::get_if<qint64>(&m_value))
        return *i;
    if (const auto *d = std::get_if<double>(&m_value))
        return qint64(*d);
    return 0;
}

double MapValue::number() const
{
    if (const auto *i = std::get_if<qint64>(&m_value))
        return double(*i);
    if (const auto *d = std::get_if<double>(&m_value))
        return *d;
    return 0;
}

QString MapValue::string() const
{
    if (const auto *s = std::get_if<QString>(&m_value))
        return *s;
    return {};
}

double MapValue::weight() const
{
    if (const StatsValue *s = stats())
        return double(s->count);
    if (const Histogram *h = histogram())
        return double(h->totalCount());
    return number();
}

namespace {
QString jsonText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double:
    case QJsonValue::String:
        return MapValue::fromJson(value).text();
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &v : value.toArray())
            parts.append(jsonText(v));
        return u"("_s + parts.join(u", "_s) + u')';
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts.append(it.key() + u": "_s + jsonText(it.value()));
        return u"{ "_s + parts.join(u", "_s) + u" }"_s;
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return {};
}
} // namespace

QString MapValue::text() const
{
    switch (type()) {
    case Type::Integer:
        return QString::number(integer());
    case Type::Real:
        return QString::number(number(), 'g', 15);
    case Type::Text:
        return string();
    case Type::Stats:
        return u"count %1, average %2, total %3"_s.arg(stats()->count).arg(stats()->average).arg(stats()->total);
    case Type::Histogram:
        return histogram()->toText();
    case Type::Other:
        return jsonText(std::get<QJsonValue>(m_value));
    case Type::Empty:
        break;
    }
    return {};
}

QJsonValue MapValue::toJson() const
{
    switch (type()) {
    case Type::Integer:
        return integer();
    case Type::Real:
        return number();
    case Type::Text:
        return string();
    case Type::Stats:
        return stats()->toJson();
    case Type::Histogram:
        return histogram()->toJson();
    case Type::Other:
        return std::get<QJsonValue>(m_value);
    case Type::Empty:
        break;
    }
    return QJsonValue::Null;
}

MapResult MapResult::fromBpftraceJson(
    const QString &name, const QString &type, const QJsonValue &data, const QStringList &keyTypes)
{
    MapResult map;
    map.m_name = name;
    map.m_sourceType = type;
    map.m_keyTypes = keyTypes;
    if (type == "hist"_L1 || type == "lhist"_L1) {
        map.m_kind = Kind::Histogram;
        const bool declaredLinear = type == "lhist"_L1;
        if (data.isArray()) {
            map.m_value = MapValue::fromHistogram(Histogram::fromJson(data.toArray(), declaredLinear));
        } else if (data.isObject()) {
            // One scale for the whole map: every key of an lhist is linear, even one whose few
            // buckets happen to look like powers of two.
            map.m_keyed = true;
            const QJsonObject keyed = data.toObject();
            QList<QList<HistogramBucket>> buckets;
            buckets.reserve(keyed.size());
            bool linear = declaredLinear;
            for (auto it = keyed.begin(); it != keyed.end(); ++it) {
                buckets.append(Histogram::parseBuckets(it.value().toArray()));
                linear = linear || Histogram::looksLinear(buckets.last());
            }
            const Histogram::Scale scale = linear ? Histogram::Scale::Linear : Histogram::Scale::Log2;
            map.m_entries.reserve(keyed.size());
            qsizetype i = 0;
            for (auto it = keyed.begin(); it != keyed.end(); ++it, ++i)
                map.m_entries.append({ MapKey::parse(it.key(), keyTypes),
                    MapValue::fromHistogram(Histogram(scale, std::move(buckets[i]))) });
        } else {
            map.m_value = MapValue::fromJson(data);
        }
        return map;
    }
    if (type == "value"_L1)
        map.m_kind = Kind::Value;
    // avg() and stats() print {"count", "average", "total"}, alone or per key; bpftrace has
    // printed them under "stats" and under "map", so the shape decides as well as the type.
    const bool scalarStats = StatsValue::isStatsJson(data);
    const QJsonObject keyed = data.toObject();
    const bool keyedStats
        = !scalarStats && data.isObject() && !keyed.isEmpty() && StatsValue::isStatsJson(keyed.begin().value());
    if (type == "stats"_L1 || scalarStats || keyedStats)
        map.m_kind = Kind::Stats;
    if (data.isObject() && !scalarStats) {
        map.m_keyed = true;
        map.m_entries.reserve(keyed.size());
        for (auto it = keyed.begin(); it != keyed.end(); ++it)
            map.m_entries.append({ MapKey::parse(it.key(), keyTypes), MapValue::fromJson(it.value()) });
    } else {
        map.m_value = MapValue::fromJson(data);
    }
    return map;
}

MapResult MapResult::fromJson(const QString &name, const QJsonValue &stored)
{
    const QJsonObject object = stored.toObject();
    if (!object.contains("kind"_L1))
        return fromBpftraceJson(name, u"map"_s, stored);
    QStringList keyTypes;
    for (const QJsonValue &type : object.value("keyTypes"_L1).toArray())
        keyTypes.append(type.toString());
    return fromBpftraceJson(name, object.value("kind"_L1).toString(), object.value("data"_L1), keyTypes);
}

MapResult MapResult::emptyMap(const QString &name, const QString &valueType, bool keyed)
{
    QString type = u"map"_s;
    if (valueType.startsWith("hist"_L1))
        type = u"hist"_s;
    else if (valueType.startsWith("lhist"_L1))
        type = u"lhist"_s;
    else if (valueType.startsWith("avg"_L1) || valueType.startsWith("stats"_L1))
        type = u"stats"_s;
    MapResult map = fromBpftraceJson(name, type, keyed ? QJsonValue(QJsonObject()) : QJsonValue());
    map.m_keyed = keyed;
    return map;
}

void MapResult::setKeyTypes(const QStringList &keyTypes)
{
    if (keyTypes == m_keyTypes)
        return;
    m_keyTypes = keyTypes;
    for (MapEntry &entry : m_entries)
        entry.key = MapKey::parse(entry.key.text(), keyTypes);
}

bool MapResult::hasStackKey() const
{
    for (const QString &type : m_keyTypes) {
        if (MapKeyPart::typeFor(type) == MapKeyPart::Type::Stack)
            return true;
    }
    return std::any_of(m_entries.cbegin(), m_entries.cend(), [](const MapEntry &e) { return e.key.stackPart(); });
}

qint64 MapResult::estimatedBytes() const
{
    // QString data (2 bytes a character) plus what each part, frame and value roughly costs.
    qint64 bytes = 64 + 2 * m_name.size();
    auto valueBytes = [](const MapValue &value) -> qint64 {
        if (const Histogram *h = value.histogram())
            return 32 + 24 * h->buckets().size();
        return value.type() == MapValue::Type::Text ? 32 + 2 * value.string().size() : 32;
    };
    bytes += valueBytes(m_value);
    for (const MapEntry &entry : m_entries) {
        bytes += 48 + valueBytes(entry.value);
        for (const MapKeyPart &part : entry.key.parts) {
            bytes += 64 + 2 * part.text.size();
            for (const StackFrame &frame : part.stack.frames)
                bytes += 64 + 2 * (frame.symbol.size() + frame.module.size());
        }
    }
    return bytes;
}

MapResult MapResult::fromEntries(const QString &name, Kind kind, QList<MapEntry> entries, const QStringList &keyTypes)
{
    MapResult map;
    map.m_name = name;
    map.m_kind = kind;
    map.m_keyed = true;
    map.m_entries = std::move(entries);
    map.m_keyTypes = keyTypes; // the keys were split by them already
    return map;
}

MapResult MapResult::fromValue(const QString &name, Kind kind, MapValue value)
{
    MapResult map;
    map.m_name = name;
    map.m_kind = kind;
    map.m_value = std::move(value);
    return map;
}

QString MapResult::kindName() const
{
    switch (m_kind) {
    case Kind::Map:
        return u"map"_s;
    case Kind::Histogram: {
        const Histogram *h
            = m_keyed ? (m_entries.isEmpty() ? nullptr : m_entries.first().value.histogram()) : m_value.histogram();
        return h && h->isLinear() ? u"lhist"_s : u"hist"_s;
    }
    case Kind::Stats:
        return u"stats"_s;
    case Kind::Value:
        return u"value"_s;
    }
    return u"map"_s;
}

QJsonObject MapResult::toJson() const
{
    QJsonValue data;
    if (m_keyed) {
        QJsonObject keyed;
        for (const MapEntry &entry : m_entries)
            keyed.insert(entry.key.text(), entry.value.toJson());
        data = keyed;
    } else {
        data = m_value.toJson();
    }
    QJsonObject stored { { u"kind"_s, m_sourceType.isEmpty() ? kindName() : m_sourceType }, { u"data"_s, data } };
    if (!m_keyTypes.isEmpty())
        stored.insert(u"keyTypes"_s, QJsonArray::fromStringList(m_keyTypes));
    return stored;
}

QList<MapEntry> MapResult::entriesByWeight(qsizetype limit) const
{
    // Largest first: what a person reads first in bpftrace's own output (it prints them last).
    // Equal weights keep bpftrace's order. Only the first `limit` are sorted, over indices, so
    // the overview of a map with 100k keys does not copy and sort all of them.
    std::vector<std::pair<double, qsizetype>> order;
    order.reserve(m_entries.size());
    for (qsizetype i = 0; i < m_entries.size(); ++i)
        order.emplace_back(m_entries.at(i).value.weight(), i);
    const size_t count = limit < 0 ? order.size() : std::min(order.size(), size_t(limit));
    std::partial_sort(order.begin(), order.begin() + qsizetype(count), order.end(),
        [](const auto &a, const auto &b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    QList<MapEntry> sorted;
    sorted.reserve(qsizetype(count));
    for (size_t i = 0; i < count; ++i)
        sorted.append(m_entries.at(order[i].second));
    return sorted;
}

QString MapResult::toText() const
{
    if (!m_keyed) {
        if (const Histogram *h = m_value.histogram())
            return m_name + u":\n"_s + h->toText();
        return m_name + u": "_s + m_value.text() + u'\n';
    }
    QString text;
    for (const MapEntry &entry : m_entries) {
        const QString label = m_name + u'[' + entry.key.text() + u']';
        if (const Histogram *h = entry.value.histogram())
            text += label + u":\n"_s + h->toText() + u'\n';
        else
            text += label + u": "_s + entry.value.text() + u'\n';
    }
    return text;
}
