// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/mergedmap.h"

#include <algorithm>
#include <limits>
#include <optional>

using namespace Qt::StringLiterals;

namespace {
// Zero buckets filled into the gaps between hosts' buckets, at most (bpftrace prints the range
// from the lowest to the highest bucket with zeros between; a hostile lhist could ask for more).
constexpr qsizetype kMaxFilledBuckets = 4096;

using Rule = MergedMap::Rule;

std::optional<qint64> checkedAdd(qint64 a, qint64 b)
{
    qint64 sum = 0;
    if (__builtin_add_overflow(a, b, &sum))
        return std::nullopt;
    return sum;
}

MapValue same(const QList<const MapValue *> &values)
{
    for (const MapValue *v : values) {
        if (!(*v == *values.first()))
            return {};
    }
    return *values.first();
}

bool allNumbers(const QList<const MapValue *> &values)
{
    return std::all_of(values.cbegin(), values.cend(), [](const MapValue *v) { return v->isNumber(); });
}

// The values of one key on the hosts that have it, combined by `rule` (not for histograms).
MapValue combineValues(Rule rule, const QList<const MapValue *> &values)
{
    if (values.isEmpty())
        return {};
    switch (rule) {
    case Rule::Sum:
        if (!allNumbers(values))
            return same(values);
        {
            const bool integers = std::all_of(
                values.cbegin(), values.cend(), [](const MapValue *v) { return v->type() == MapValue::Type::Integer; });
            if (integers) {
                qint64 sum = 0;
                bool overflow = false;
                for (const MapValue *v : values) {
                    const std::optional<qint64> next = checkedAdd(sum, v->integer());
                    if (!next) {
                        overflow = true;
                        break;
                    }
                    sum = *next;
                }
                if (!overflow)
                    return MapValue::fromInteger(sum);
            }
            // Past qint64 (a u64 counter on several hosts) the sum is a real, never wrapped.
            double sum = 0;
            for (const MapValue *v : values)
                sum += v->number();
            return MapValue::fromReal(sum);
        }
    case Rule::Min:
    case Rule::Max: {
        if (!allNumbers(values))
            return same(values);
        const MapValue *best = values.first();
        for (const MapValue *v : values) {
            if (rule == Rule::Min ? v->number() < best->number() : v->number() > best->number())
                best = v;
        }
        return *best;
    }
    case Rule::Stats: {
        const bool stats = std::all_of(values.cbegin(), values.cend(), [](const MapValue *v) { return v->stats(); });
        if (!stats)
            return same(values); // an average without its count cannot be weighed
        StatsValue merged;
        for (const MapValue *v : values) {
            merged.count = checkedAdd(merged.count, v->stats()->count).value_or(std::numeric_limits<qint64>::max());
            merged.total = checkedAdd(merged.total, v->stats()->total)
                               .value_or(v->stats()->total < 0 ? std::numeric_limits<qint64>::min()
                                                               : std::numeric_limits<qint64>::max());
        }
        // As bpftrace computes it: the total over the count, not the mean of the hosts' means.
        merged.average = merged.count > 0 ? merged.total / merged.count : 0;
        return MapValue::fromStats(merged);
    }
    case Rule::Same:
    case Rule::Histogram:
        break;
    }
    return same(values);
}

// Buckets in the order bpftrace prints them: the underflow bucket, the bounded ones, the overflow.
bool bucketBefore(const HistogramBucket &a, const HistogramBucket &b)
{
    auto rank = [](const HistogramBucket &x) { return !x.min ? 0 : (!x.max ? 2 : 1); };
    if (rank(a) != rank(b))
        return rank(a) < rank(b);
    const qint64 am = a.min.value_or(a.max.value_or(0));
    const qint64 bm = b.min.value_or(b.max.value_or(0));
    if (am != bm)
        return am < bm;
    return a.max.value_or(0) < b.max.value_or(0);
}

bool sameBounds(const HistogramBucket &a, const HistogramBucket &b)
{
    return a.min == b.min && a.max == b.max;
}

bool isLog2Bucket(const HistogramBucket &b)
{
    if (!b.min || !b.max)
        return true;
    const qint64 min = *b.min;
    if (min == *b.max)
        return min == 0 || min == 1;
    return min >= 2 && (min & (min - 1)) == 0 && *b.max == 2 * min - 1;
}

QString boundsText(const HistogramBucket &bucket, bool linear, qint64 step)
{
    return Histogram::bucketLabel(bucket, linear ? Histogram::Scale::Linear : Histogram::Scale::Log2, step);
}

// The bucket after `b` on the scale's grid, or nothing past the end of the range.
std::optional<HistogramBucket> nextBucket(const HistogramBucket &b, bool linear, qint64 step)
{
    if (!b.max)
        return std::nullopt;
    const qint64 from = *b.max + 1;
    if (linear) {
        const std::optional<qint64> to = checkedAdd(from, step - 1);
        if (!to)
            return std::nullopt;
        return HistogramBucket { from, *to, 0 };
    }
    if (from <= 1)
        return HistogramBucket { from, from, 0 };
    if (from > (qint64(1) << 61))
        return std::nullopt;
    return HistogramBucket { from, 2 * from - 1, 0 };
}

// Why the buckets cannot be one histogram, or empty when they can. `buckets` sorted, unique.
QString bucketProblem(const QList<HistogramBucket> &buckets, bool linear, qint64 *step)
{
    *step = 0;
    const HistogramBucket *firstBounded = nullptr;
    for (qsizetype i = 0; i < buckets.size(); ++i) {
        const HistogramBucket &b = buckets.at(i);
        if (i > 0) {
            const HistogramBucket &a = buckets.at(i - 1);
            if (!a.max || !b.min || *a.max >= *b.min)
                return u"buckets %1 and %2 overlap"_s.arg(boundsText(a, linear, 1), boundsText(b, linear, 1));
        }
        if (!b.min || !b.max)
            continue;
        if (!linear) {
            if (!isLog2Bucket(b))
                return u"bucket %1 is not a power-of-two bucket"_s.arg(boundsText(b, linear, 1));
            continue;
        }
        const qint64 width = *b.max - *b.min + 1;
        if (!firstBounded) {
            firstBounded = &b;
            *step = width;
        } else if (width != *step || (*b.min - *firstBounded->min) % *step != 0) {
            return u"buckets %1 and %2 are not on one lhist grid"_s.arg(
                boundsText(*firstBounded, linear, *step), boundsText(b, linear, *step));
        }
    }
    return {};
}
} // namespace

int MergedMap::Entry::hostCount() const
{
    return int(std::count_if(
        hosts.cbegin(), hosts.cend(), [](const MapValue &v) { return v.type() != MapValue::Type::Empty; }));
}

MergedMap::Rule MergedMap::ruleFor(const QString &valueType, MapResult::Kind kind, bool *assumed)
{
    if (assumed)
        *assumed = false;
    // What the printed kind says outranks a value type that disagrees with it.
    if (kind == MapResult::Kind::Histogram)
        return Rule::Histogram;
    if (kind == MapResult::Kind::Stats)
        return Rule::Stats;
    if (kind == MapResult::Kind::Value)
        return Rule::Same;
    if (valueType.startsWith("count"_L1) || valueType.startsWith("sum"_L1))
        return Rule::Sum;
    if (valueType.startsWith("min"_L1))
        return Rule::Min;
    if (valueType.startsWith("max"_L1))
        return Rule::Max;
    if (valueType.startsWith("avg"_L1) || valueType.startsWith("stats"_L1))
        return Rule::Stats;
    if (valueType.startsWith("hist"_L1) || valueType.startsWith("lhist"_L1))
        return Rule::Histogram;
    if (!valueType.isEmpty())
        return Rule::Same;
    if (assumed)
        *assumed = true;
    return Rule::Sum;
}

QString MergedMap::ruleName(Rule rule)
{
    switch (rule) {
    case Rule::Sum:
        return u"sum"_s;
    case Rule::Min:
        return u"min"_s;
    case Rule::Max:
        return u"max"_s;
    case Rule::Stats:
        return u"stats"_s;
    case Rule::Histogram:
        return u"hist"_s;
    case Rule::Same:
        break;
    }
    return u"same"_s;
}

MergedMap MergedMap::merge(const QString &name, const QStringList &hostNames, const QList<const MapResult *> &hostMaps,
    const QString &valueType)
{
    MergedMap m;
    m.m_name = name;
    const int hosts = int(hostMaps.size());
    m.m_hostMaps.reserve(hosts);
    for (int h = 0; h < hosts; ++h) {
        m.m_hostMaps.append(hostMaps.at(h) ? *hostMaps.at(h) : MapResult());
        if (hostMaps.at(h))
            m.m_reporting.append(h);
    }
    auto hostName = [&hostNames](int h) { return h < hostNames.size() ? hostNames.at(h) : QString::number(h + 1); };

    // The shape comes from the maps with something in them: a host whose map stayed empty was
    // given its kind from the AST (or guessed), which says nothing against the others.
    // hist and lhist are one kind here: bpftrace 0.23 prints both as "hist" and a few lhist
    // buckets can look like powers of two; the buckets decide (mergeHistograms()).
    const MapResult *shape = nullptr;
    struct Shape
    {
        MapResult::Kind kind;
        bool keyed;
        QString text;
        QStringList hosts;
    };
    QList<Shape> shapes;
    for (const int h : std::as_const(m.m_reporting)) {
        const MapResult &map = m.m_hostMaps.at(h);
        if (map.isEmpty())
            continue;
        if (!shape)
            shape = &map;
        auto it = std::find_if(shapes.begin(), shapes.end(),
            [&map](const Shape &s) { return s.kind == map.kind() && s.keyed == map.isKeyed(); });
        if (it == shapes.end())
            shapes.append({ map.kind(), map.isKeyed(),
                map.kindName() + (map.isKeyed() ? u" with keys"_s : u" without keys"_s), { hostName(h) } });
        else
            it->hosts.append(hostName(h));
    }
    if (!shape && !m.m_reporting.isEmpty())
        shape = &m.m_hostMaps.at(m.m_reporting.first());
    if (shape) {
        m.m_kind = shape->kind();
        m.m_keyed = shape->isKeyed();
        m.m_keyTypes = shape->keyTypes();
    }
    m.m_rule = ruleFor(valueType, m.m_kind, &m.m_ruleAssumed);
    if (shapes.size() > 1) {
        QStringList parts;
        for (const Shape &s : std::as_const(shapes))
            parts.append(u"%1 on %2"_s.arg(s.text, s.hosts.join(u", "_s)));
        m.m_conflict = u"the hosts' maps differ in kind: "_s + parts.join(u"; "_s);
        return m;
    }
    if (m.m_rule == Rule::Histogram) {
        bool linear = valueType.startsWith("lhist"_L1);
        if (!valueType.startsWith("hist"_L1) && !linear) {
            for (const int h : std::as_const(m.m_reporting)) {
                if (m.m_hostMaps.at(h).kindName() == "lhist"_L1)
                    linear = true;
            }
        }
        m.m_linear = linear;
    }

    auto mergeEntry = [&m](Entry &entry) -> bool {
        if (m.m_rule == Rule::Histogram)
            return m.mergeHistograms(entry);
        QList<const MapValue *> values;
        for (const MapValue &v : std::as_const(entry.hosts)) {
            if (v.type() == MapValue::Type::Empty)
                continue;
            values.append(&v);
            if (m.m_rule == Rule::Stats && v.isNumber() && m.m_note.isEmpty())
                m.m_note = u"bpftrace prints avg() as its average alone, without the count that would weigh "
                           "it: averages that differ between hosts have no merged value (stats() has the count)"_s;
        }
        entry.value = combineValues(m.m_rule, values);
        return true;
    };

    if (!m.m_keyed) {
        m.m_value.hosts = QList<MapValue>(hosts);
        for (const int h : std::as_const(m.m_reporting))
            m.m_value.hosts[h] = m.m_hostMaps.at(h).value();
        if (!mergeEntry(m.m_value)) {
            m.m_conflict = u"the hosts' histograms do not line up: "_s + m.m_conflict;
            m.m_value = {};
        }
        return m;
    }

    for (const int h : std::as_const(m.m_reporting)) {
        for (const MapEntry &entry : m.m_hostMaps.at(h).entries()) {
            const QString text = entry.key.text();
            auto it = m.m_index.constFind(text);
            qsizetype at = 0;
            if (it == m.m_index.cend()) {
                at = m.m_entries.size();
                m.m_index.insert(text, at);
                m.m_entries.append(Entry { entry.key, {}, QList<MapValue>(hosts), {} });
            } else {
                at = *it;
            }
            // A host printing one key twice is not bpftrace; the last print stands, as in a run.
            m.m_entries[at].hosts[h] = entry.value;
        }
    }
    for (Entry &entry : m.m_entries) {
        if (!mergeEntry(entry)) {
            m.m_conflict = u"the hosts' histograms for [%1] do not line up: %2"_s.arg(entry.key.text(), m.m_conflict);
            m.m_entries.clear();
            m.m_index.clear();
            return m;
        }
    }
    if (m.m_rule == Rule::Histogram) {
        // One scale for the whole map, also for the keys merged before one showed it is an lhist.
        const Histogram::Scale scale = m.m_linear ? Histogram::Scale::Linear : Histogram::Scale::Log2;
        for (Entry &entry : m.m_entries) {
            if (const Histogram *h = entry.value.histogram(); h && h->scale() != scale)
                entry.value = MapValue::fromHistogram(Histogram(scale, h->buckets()));
        }
    } else {
        // bpftrace's order, smallest first; equal values keep the order the hosts printed them in.
        std::stable_sort(m.m_entries.begin(), m.m_entries.end(),
            [](const Entry &a, const Entry &b) { return a.value.weight() < b.value.weight(); });
        for (qsizetype i = 0; i < m.m_entries.size(); ++i)
            m.m_index[m.m_entries.at(i).key.text()] = i;
    }
    return m;
}

bool MergedMap::mergeHistograms(Entry &entry)
{
    QList<HistogramBucket> buckets;
    for (const MapValue &v : std::as_const(entry.hosts)) {
        if (const Histogram *h = v.histogram())
            buckets += h->buckets();
    }
    if (entry.hosts.cend()
        == std::find_if(entry.hosts.cbegin(), entry.hosts.cend(), [](const MapValue &v) { return v.histogram(); })) {
        // No host had a histogram here (an empty map of that kind): nothing to add.
        entry.value = {};
        for (const MapValue &v : std::as_const(entry.hosts)) {
            if (v.type() != MapValue::Type::Empty)
                entry.value = v;
        }
        return true;
    }
    std::sort(buckets.begin(), buckets.end(), bucketBefore);
    buckets.erase(std::unique(buckets.begin(), buckets.end(), sameBounds), buckets.end());
    for (HistogramBucket &b : buckets)
        b.count = 0;
    qint64 step = 0;
    QString problem = bucketProblem(buckets, m_linear, &step);
    if (!problem.isEmpty() && !m_linear) {
        // A hist whose buckets are not log2 but line up as an lhist: one that looked log2 on one
        // host (few buckets) and linear on another.
        qint64 linearStep = 0;
        if (bucketProblem(buckets, true, &linearStep).isEmpty()) {
            m_linear = true;
            step = linearStep;
            problem.clear();
        }
    }
    if (!problem.isEmpty()) {
        m_conflict = problem;
        return false;
    }
    // The gaps between one host's range and another's, filled with zeros the way bpftrace prints
    // a range, so the merged chart has no missing rows.
    if (buckets.size() > 1) {
        QList<HistogramBucket> filled;
        filled.reserve(buckets.size());
        qsizetype added = 0;
        for (qsizetype i = 0; i < buckets.size(); ++i) {
            if (i > 0 && filled.constLast().max && buckets.at(i).min) {
                // From the bucket before along the grid up to this one (log2's "(..., 0)" is
                // followed by [0], lhist's underflow by its first step).
                HistogramBucket at = filled.constLast();
                while (added < kMaxFilledBuckets) {
                    const std::optional<HistogramBucket> next = nextBucket(at, m_linear, std::max<qint64>(1, step));
                    if (!next || !next->max || *next->max >= *buckets.at(i).min)
                        break;
                    filled.append(*next);
                    at = *next;
                    ++added;
                }
            }
            filled.append(buckets.at(i));
        }
        buckets = std::move(filled);
    }
    QHash<std::pair<qint64, qint64>, qsizetype> index;
    auto boundsKey = [](const HistogramBucket &b) {
        return std::pair<qint64, qint64>(
            b.min.value_or(std::numeric_limits<qint64>::min()), b.max.value_or(std::numeric_limits<qint64>::max()));
    };
    for (qsizetype i = 0; i < buckets.size(); ++i)
        index.insert(boundsKey(buckets.at(i)), i);
    const int hosts = int(entry.hosts.size());
    entry.bucketHosts = QList<QList<qint64>>(buckets.size(), QList<qint64>(hosts, 0));
    for (int h = 0; h < hosts; ++h) {
        const Histogram *histogram = entry.hosts.at(h).histogram();
        if (!histogram)
            continue;
        for (const HistogramBucket &b : histogram->buckets()) {
            const qsizetype i = index.value(boundsKey(b), -1);
            if (i < 0)
                continue;
            entry.bucketHosts[i][h] = checkedAdd(entry.bucketHosts[i][h], b.count).value_or(b.count);
            buckets[i].count = checkedAdd(buckets[i].count, b.count).value_or(std::numeric_limits<qint64>::max());
        }
    }
    entry.value = MapValue::fromHistogram(
        Histogram(m_linear ? Histogram::Scale::Linear : Histogram::Scale::Log2, std::move(buckets)));
    return true;
}

QString MergedMap::kindName() const
{
    if (m_kind == MapResult::Kind::Histogram)
        return m_linear ? u"lhist"_s : u"hist"_s;
    return MapResult::fromValue(m_name, m_kind, {}).kindName();
}

qsizetype MergedMap::indexOf(const QString &keyText) const
{
    return m_index.value(keyText, -1);
}

MergedMap::Entry MergedMap::combine(const QList<int> &hosts, const Entry &from) const
{
    Entry out { from.key, {}, QList<MapValue>(from.hosts.size()), {} };
    for (const int h : hosts) {
        if (h >= 0 && h < from.hosts.size())
            out.hosts[h] = from.hosts.at(h);
    }
    if (m_rule == Rule::Histogram && from.value.histogram()) {
        QList<HistogramBucket> buckets = from.value.histogram()->buckets();
        out.bucketHosts = QList<QList<qint64>>(buckets.size(), QList<qint64>(from.hosts.size(), 0));
        for (qsizetype b = 0; b < buckets.size(); ++b) {
            buckets[b].count = 0;
            for (const int h : hosts) {
                if (h < 0 || h >= from.hosts.size())
                    continue;
                out.bucketHosts[b][h] = from.bucketHosts.at(b).at(h);
                buckets[b].count += from.bucketHosts.at(b).at(h);
            }
        }
        out.value = MapValue::fromHistogram(Histogram(from.value.histogram()->scale(), std::move(buckets)));
        return out;
    }
    QList<const MapValue *> values;
    for (const MapValue &v : std::as_const(out.hosts)) {
        if (v.type() != MapValue::Type::Empty)
            values.append(&v);
    }
    out.value = combineValues(m_rule, values);
    return out;
}

MapResult MergedMap::merged() const
{
    if (!m_keyed)
        return MapResult::fromValue(m_name, m_kind, hasConflict() ? MapValue() : m_value.value);
    QList<MapEntry> entries;
    entries.reserve(m_entries.size());
    for (const Entry &entry : m_entries)
        entries.append({ entry.key, entry.value });
    return MapResult::fromEntries(m_name, m_kind, std::move(entries), m_keyTypes);
}

MapResult MergedMap::host(int index) const
{
    if (index >= 0 && index < m_hostMaps.size() && isReportedBy(index))
        return m_hostMaps.at(index);
    if (m_keyed)
        return MapResult::fromEntries(m_name, m_kind, {}, m_keyTypes);
    return MapResult::fromValue(m_name, m_kind, {});
}

MapResult MergedMap::select(const QList<int> &hosts) const
{
    if (hasConflict())
        return hosts.size() == 1 ? host(hosts.first()) : merged();
    if (!m_keyed)
        return MapResult::fromValue(m_name, m_kind, combine(hosts, m_value).value);
    QList<MapEntry> entries;
    for (const Entry &entry : m_entries) {
        const bool present = std::any_of(hosts.cbegin(), hosts.cend(), [&entry](int h) {
            return h >= 0 && h < entry.hosts.size() && entry.hosts.at(h).type() != MapValue::Type::Empty;
        });
        if (present)
            entries.append({ entry.key, combine(hosts, entry).value });
    }
    return MapResult::fromEntries(m_name, m_kind, std::move(entries), m_keyTypes);
}

Histogram MergedMap::hostHistogram(qsizetype entry, int host) const
{
    const Entry *e = entry < 0 ? &m_value : (entry < m_entries.size() ? &m_entries.at(entry) : nullptr);
    if (!e || !e->value.histogram() || host < 0 || host >= e->hosts.size())
        return {};
    QList<HistogramBucket> buckets = e->value.histogram()->buckets();
    for (qsizetype b = 0; b < buckets.size(); ++b)
        buckets[b].count = e->bucketHosts.at(b).at(host);
    return Histogram(e->value.histogram()->scale(), std::move(buckets));
}

MapResult MergedMap::byHost(const QStringList &hostNames, const QList<int> &hosts) const
{
    QList<int> chosen = hosts;
    if (chosen.isEmpty()) {
        for (int h = 0; h < hostCount(); ++h)
            chosen.append(h);
    }
    QStringList keyTypes = m_keyTypes;
    if (!keyTypes.isEmpty())
        keyTypes.prepend(u"string"_s);
    QList<MapEntry> entries;
    if (hasConflict())
        return MapResult::fromEntries(m_name, m_kind, {}, keyTypes);
    for (const int h : std::as_const(chosen)) {
        if (h < 0 || h >= hostCount() || !isReportedBy(h))
            continue;
        const QString name = h < hostNames.size() ? hostNames.at(h) : QString::number(h + 1);
        const MapKeyPart hostPart { MapKeyPart::Type::Text, name, 0, {} };
        auto add = [&](const Entry &entry, qsizetype index) {
            if (entry.hosts.at(h).type() == MapValue::Type::Empty)
                return;
            MapKey key;
            key.parts.reserve(entry.key.parts.size() + 1);
            key.parts.append(hostPart);
            key.parts += entry.key.parts;
            key.ambiguous = entry.key.ambiguous;
            const MapValue value = m_rule == Rule::Histogram && entry.value.histogram()
                ? MapValue::fromHistogram(hostHistogram(index, h))
                : entry.hosts.at(h);
            entries.append({ std::move(key), value });
        };
        if (!m_keyed) {
            add(m_value, -1);
        } else {
            for (qsizetype i = 0; i < m_entries.size(); ++i)
                add(m_entries.at(i), i);
        }
    }
    return MapResult::fromEntries(m_name, m_kind, std::move(entries), keyTypes);
}
