// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/mapresult.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
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
    text.replace("\\n"_L1, "\n"_L1);
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    for (QString line : lines) {
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        StackFrame frame;
        // perf mode: "ffffffff8100 sym+off" or "7f12ab sym+off (/path)".
        const qsizetype space1 = line.indexOf(u' ');
        bool isAddress = false;
        if (space1 > 0) {
            const quint64 address = line.left(space1).toULongLong(&isAddress, 16);
            if (isAddress) {
                frame.address = address;
                line = line.mid(space1 + 1).trimmed();
            }
        }
        if (line.endsWith(u')')) {
            const qsizetype open = line.lastIndexOf(u" ("_s);
            if (open > 0) {
                frame.module = line.mid(open + 2, line.size() - open - 3);
                line = line.left(open);
            }
        }
        const qsizetype plus = line.lastIndexOf(u'+');
        bool hasOffset = false;
        const qint64 offset = plus > 0 ? line.mid(plus + 1).toLongLong(&hasOffset) : 0;
        if (hasOffset) {
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

MapResult MapResult::fromBpftraceJson(const QString &name, const QString &type, const QJsonValue &data)
{
    MapResult map;
    map.m_name = name;
    map.m_sourceType = type;
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
                map.m_entries.append(
                    { MapKey::fromText(it.key()), MapValue::fromHistogram(Histogram(scale, std::move(buckets[i]))) });
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
            map.m_entries.append({ MapKey::fromText(it.key()), MapValue::fromJson(it.value()) });
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
    return fromBpftraceJson(name, object.value("kind"_L1).toString(), object.value("data"_L1));
}

MapResult MapResult::fromEntries(const QString &name, Kind kind, QList<MapEntry> entries)
{
    MapResult map;
    map.m_name = name;
    map.m_kind = kind;
    map.m_keyed = true;
    map.m_entries = std::move(entries);
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
    return QJsonObject { { u"kind"_s, m_sourceType.isEmpty() ? kindName() : m_sourceType }, { u"data"_s, data } };
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
