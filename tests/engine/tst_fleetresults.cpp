// SPDX-License-Identifier: GPL-2.0-or-later
// FleetResults and MergedMap: one script's maps from several hosts merged the way the data
// allows, every value keeping each host's part, and no host silently left out of a total. Real
// bpftrace 0.23.2 output (tests/engine/data/results-0.23.2) stands in for the hosts' prints.
#include "engine/results/fleetresults.h"

#include "engine/scriptanalyzer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QByteArray recorded(const QString &name)
{
    QFile file(QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data/results-0.23.2/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing %s", qPrintable(file.fileName()));
    return file.readAll();
}

ScriptAnalysis recordedAnalysis(const QString &name)
{
    ScriptAnalysis analysis;
    ScriptAnalyzer::applyAst(analysis, recorded(name + u".ast.txt"_s), QString());
    return analysis;
}

QHash<QString, QString> valueTypes(const ScriptAnalysis &analysis)
{
    QHash<QString, QString> types;
    for (const ScriptMap &map : analysis.mapDetails)
        types.insert(map.name, map.valueType);
    return types;
}

// The maps of the recorded output's lines `lines` (1-based), as one host would have printed
// them, keys split by the recorded AST's key types.
RunResults recordedLines(const QString &name, const QList<int> &lines, const QString &ast = {})
{
    const ScriptAnalysis analysis = recordedAnalysis(ast.isEmpty() ? name : ast);
    const QList<QByteArray> all = recorded(name + u".json"_s).split('\n');
    RunResults results;
    for (const int line : lines) {
        if (line > all.size() || all.at(line - 1).trimmed().isEmpty())
            continue;
        const QJsonObject event = QJsonDocument::fromJson(all.at(line - 1)).object();
        const QString type = event.value("type"_L1).toString();
        if (type != "map"_L1 && type != "hist"_L1 && type != "lhist"_L1 && type != "stats"_L1)
            continue; // attached_probes and the like
        const QJsonObject data = event.value("data"_L1).toObject();
        for (auto it = data.begin(); it != data.end(); ++it) {
            const ScriptMap *detail = analysis.mapDetail(it.key());
            results.insert(MapResult::fromBpftraceJson(
                it.key(), event.value("type"_L1).toString(), it.value(), detail ? detail->keyTypes : QStringList()));
        }
    }
    return results;
}

RunResults maps(const QByteArray &stored)
{
    return RunResults::fromJson(QJsonDocument::fromJson(stored).object());
}

HostResults host(const QString &name, const RunResults &results, HostRunState state = HostRunState::Finished,
    const QString &message = {})
{
    return HostResults { name, state, message, results };
}

qint64 valueOf(const MapResult &map, const QString &key)
{
    for (const MapEntry &entry : map.entries()) {
        if (entry.key.text() == key)
            return entry.value.integer();
    }
    return -1;
}

QList<qint64> counts(const Histogram &histogram)
{
    QList<qint64> out;
    for (const HistogramBucket &b : histogram.buckets())
        out.append(b.count);
    return out;
}
} // namespace

class TestFleetResults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // @s[comm] = count() as two prints of a real run: each key adds, a key on one host only is
    // there with that host's count, and each value keeps both hosts' parts.
    void countsAddKeyByKey()
    {
        const RunResults a = recordedLines(u"interval"_s, { 2 });
        const RunResults b = recordedLines(u"interval"_s, { 4 });
        const FleetResults fleet = FleetResults::merge(
            { host(u"db1"_s, a), host(u"db2"_s, b) }, valueTypes(recordedAnalysis(u"interval"_s)));
        const MergedMap *s = fleet.find(u"@s"_s);
        QVERIFY(s);
        QVERIFY(!s->hasConflict());
        QCOMPARE(s->rule(), MergedMap::Rule::Sum);
        QVERIFY(!s->ruleAssumed()); // count_t from the AST
        const MapResult merged = s->merged();
        QCOMPARE(valueOf(merged, u"bpftrace"_s), 59 + 63);
        QCOMPARE(valueOf(merged, u"tst_mainwindow"_s), 2813 + 5383);
        QCOMPARE(valueOf(merged, u"ischroot"_s), 35); // db1 only
        QCOMPARE(valueOf(merged, u"RunStore writer"_s), 106); // db2 only
        const MergedMap::Entry &entry = s->entries().at(s->indexOf(u"bpftrace"_s));
        QCOMPARE(entry.hosts.size(), 2);
        QCOMPARE(entry.hosts.at(0).integer(), 59);
        QCOMPARE(entry.hosts.at(1).integer(), 63);
        QCOMPARE(entry.hostCount(), 2);
        const MergedMap::Entry &only = s->entries().at(s->indexOf(u"ischroot"_s));
        QCOMPARE(only.hostCount(), 1);
        QCOMPARE(only.hosts.at(1).type(), MapValue::Type::Empty);
        // Every key of both hosts, once; bpftrace's order (smallest first).
        QSet<QString> keys;
        for (const RunResults *r : { &a, &b }) {
            for (const MapEntry &e : r->find(u"@s"_s)->entries())
                keys.insert(e.key.text());
        }
        QCOMPARE(s->entries().size(), keys.size());
        for (qsizetype i = 1; i < merged.entries().size(); ++i)
            QVERIFY(merged.entries().at(i - 1).value.integer() <= merged.entries().at(i).value.integer());
        QCOMPARE(fleet.coverage(), u"2 of 2 hosts"_s);
    }

    // hist(pid) from three prints: bucket by bucket, each bucket with each host's count.
    void histogramsAddBucketByBucket()
    {
        const FleetResults fleet = FleetResults::merge(
            { host(u"a"_s, recordedLines(u"interval"_s, { 3 })), host(u"b"_s, recordedLines(u"interval"_s, { 5 })),
                host(u"c"_s, recordedLines(u"interval"_s, { 7 })) },
            valueTypes(recordedAnalysis(u"interval"_s)));
        const MergedMap *h = fleet.find(u"@h"_s);
        QVERIFY(h);
        QCOMPARE(h->rule(), MergedMap::Rule::Histogram);
        QCOMPARE(h->kindName(), u"hist"_s);
        const Histogram *merged = h->value().value.histogram();
        QVERIFY(merged);
        QCOMPARE(merged->labels(), (QStringList { u"[8K, 16K)"_s, u"[16K, 32K)"_s }));
        QCOMPARE(counts(*merged), (QList<qint64> { 1128 + 2510 + 2570, 18171 + 27382 + 31043 }));
        QCOMPARE(h->value().bucketHosts.at(0), (QList<qint64> { 1128, 2510, 2570 }));
        QCOMPARE(h->value().bucketHosts.at(1), (QList<qint64> { 18171, 27382, 31043 }));
        QCOMPARE(counts(h->hostHistogram(-1, 1)), (QList<qint64> { 2510, 27382 }));
    }

    // Hosts whose ranges differ: the gap between them is filled with zero buckets, as bpftrace
    // prints a range, and each host's chart is laid on the merged buckets.
    void histogramGapsFilled()
    {
        const FleetResults fleet = FleetResults::merge({ host(u"a"_s, maps(R"({"@h": {"kind": "hist", "data":
                [{"min": 1, "max": 1, "count": 2}, {"min": 2, "max": 3, "count": 5}]}})")),
            host(u"b"_s, maps(R"({"@h": {"kind": "hist", "data":
                [{"max": -1, "count": 1}, {"min": 16, "max": 31, "count": 7}]}})")) });
        const MergedMap *h = fleet.find(u"@h"_s);
        QVERIFY(h && !h->hasConflict());
        const Histogram *merged = h->value().value.histogram();
        QCOMPARE(merged->labels(),
            (QStringList { u"(..., 0)"_s, u"[0]"_s, u"[1]"_s, u"[2, 4)"_s, u"[4, 8)"_s, u"[8, 16)"_s, u"[16, 32)"_s }));
        QCOMPARE(counts(*merged), (QList<qint64> { 1, 0, 2, 5, 0, 0, 7 }));
        QCOMPARE(counts(h->hostHistogram(-1, 0)), (QList<qint64> { 0, 0, 2, 5, 0, 0, 0 }));
        QCOMPARE(h->hostHistogram(-1, 0).labels(), merged->labels());
    }

    void plainAggregations_data()
    {
        QTest::addColumn<QString>("valueType");
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<QByteArray>("merged");
        QTest::addColumn<bool>("assumed");
        QTest::newRow("count") << u"count_t"_s << QByteArray("3") << QByteArray("4") << QByteArray("7") << false;
        QTest::newRow("sum") << u"sum_t"_s << QByteArray("-3") << QByteArray("10") << QByteArray("7") << false;
        QTest::newRow("min") << u"min_t"_s << QByteArray("3") << QByteArray("-4") << QByteArray("-4") << false;
        QTest::newRow("max") << u"max_t"_s << QByteArray("3") << QByteArray("-4") << QByteArray("3") << false;
        QTest::newRow("no type: summed, said so")
            << QString() << QByteArray("3") << QByteArray("4") << QByteArray("7") << true;
        QTest::newRow("plain value, hosts agree")
            << u"int64"_s << QByteArray("5") << QByteArray("5") << QByteArray("5") << false;
        QTest::newRow("plain value, hosts differ")
            << u"int64"_s << QByteArray("5") << QByteArray("6") << QByteArray("null") << false;
        QTest::newRow("strings agree") << u"string[16]"_s << QByteArray("\"x\"") << QByteArray("\"x\"")
                                       << QByteArray("\"x\"") << false;
        // A u64 counter past qint64 on two hosts is a real, never a wrapped negative.
        QTest::newRow("sum past qint64") << u"count_t"_s << QByteArray("9223372036854774784")
                                         << QByteArray("9223372036854774784") << QByteArray("1.844674407370955e19")
                                         << false;
    }

    void plainAggregations()
    {
        QFETCH(QString, valueType);
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(QByteArray, merged);
        QFETCH(bool, assumed);
        auto scalar = [](const QByteArray &value) {
            return maps(R"({"@x": {"kind": "map", "data": )" + value
                + "}, \"@k\": {\"kind\": \"map\", \"data\": {\"k\": " + value + "}}}");
        };
        const FleetResults fleet = FleetResults::merge(
            { host(u"a"_s, scalar(a)), host(u"b"_s, scalar(b)) }, { { u"@x"_s, valueType }, { u"@k"_s, valueType } });
        const QJsonValue expected = QJsonDocument::fromJson("[" + merged + "]").array().first();
        for (const QString &name : { u"@x"_s, u"@k"_s }) {
            const MergedMap *map = fleet.find(name);
            QVERIFY(map && !map->hasConflict());
            QCOMPARE(map->ruleAssumed(), assumed);
            const MergedMap::Entry &entry = map->isKeyed() ? map->entries().first() : map->value();
            if (expected.isDouble() && expected.toDouble() > 9.2e18)
                QCOMPARE(entry.value.type(), MapValue::Type::Real);
            QCOMPARE(entry.value.toJson(), expected);
            QCOMPARE(entry.hosts.at(0).toJson(), QJsonDocument::fromJson("[" + a + "]").array().first());
            QCOMPARE(entry.hosts.at(1).toJson(), QJsonDocument::fromJson("[" + b + "]").array().first());
        }
    }

    // Real output of one program on two "hosts" (the parameter 15 and 42): every aggregation
    // merges by the value type the AST gives it.
    void recordedAggregations()
    {
        QList<int> lines;
        for (int line = 1; line <= 13; ++line)
            lines.append(line);
        const RunResults a = recordedLines(u"fleet-15"_s, lines, u"fleet"_s);
        const RunResults b = recordedLines(u"fleet-42"_s, lines, u"fleet"_s);
        const QHash<QString, QString> types = valueTypes(recordedAnalysis(u"fleet"_s));
        QCOMPARE(types.value(u"@mn"_s), u"min_t"_s);
        const FleetResults fleet = FleetResults::merge({ host(u"a"_s, a), host(u"b"_s, b) }, types);
        QCOMPARE(fleet.find(u"@c"_s)->value().value.integer(), 2);
        QCOMPARE(fleet.find(u"@s"_s)->value().value.integer(), 57);
        QCOMPARE(fleet.find(u"@mn"_s)->value().value.integer(), 15);
        QCOMPARE(fleet.find(u"@mx"_s)->value().value.integer(), 42);
        QCOMPARE(fleet.find(u"@mx"_s)->rule(), MergedMap::Rule::Max);
        QCOMPARE(*fleet.find(u"@st"_s)->value().value.stats(), (StatsValue { 2, 28, 57 }));
        // avg() prints its average alone: hosts that differ have no merged average, and it says why.
        const MergedMap *avg = fleet.find(u"@a"_s);
        QCOMPARE(avg->value().value.type(), MapValue::Type::Empty);
        QCOMPARE(avg->value().hosts.at(0).integer(), 12);
        QCOMPARE(avg->value().hosts.at(1).integer(), 26);
        QVERIFY(avg->note().contains(u"avg()"_s));
        QVERIFY(fleet.find(u"@c"_s)->note().isEmpty());
        // A plain assignment does not add up.
        QCOMPARE(fleet.find(u"@v"_s)->rule(), MergedMap::Rule::Same);
        QCOMPARE(fleet.find(u"@v"_s)->value().value.type(), MapValue::Type::Empty);
        const MergedMap *l = fleet.find(u"@l"_s);
        QCOMPARE(l->kindName(), u"lhist"_s);
        QCOMPARE(l->value().value.histogram()->labels(),
            (QStringList { u"[10, 20)"_s, u"[20, 30)"_s, u"[30, 40)"_s, u"[40, 50)"_s }));
        QCOMPARE(counts(*l->value().value.histogram()), (QList<qint64> { 1, 0, 0, 1 }));
        const MergedMap *h = fleet.find(u"@h"_s);
        QCOMPARE(h->kindName(), u"hist"_s);
        QCOMPARE(h->value().value.histogram()->labels(), (QStringList { u"[1K, 2K)"_s, u"[2K, 4K)"_s, u"[4K, 8K)"_s }));
        // @k["x", $1]: two keys, typed parts kept.
        const MergedMap *k = fleet.find(u"@k"_s);
        QCOMPARE(k->entries().size(), 2);
        const MergedMap::Entry &x42 = k->entries().at(k->indexOf(u"x,42"_s));
        QCOMPARE(x42.key.parts.at(1).type, MapKeyPart::Type::Integer);
        QCOMPARE(x42.key.parts.at(1).integer, 42);
        QCOMPARE(x42.hostCount(), 1);
        QVERIFY(fleet.conflicts().isEmpty());
    }

    // avg() and stats(): counts and totals add; the average is the total over the count, not the
    // mean of the hosts' means (which would be 9 here).
    void statsCombineCountAndTotal()
    {
        const FleetResults fleet = FleetResults::merge(
            { host(u"a"_s, maps(R"({"@st": {"kind": "stats", "data": {"count": 2, "average": 15, "total": 30}},
                                  "@k": {"kind": "stats", "data": {"x": {"count": 1, "average": 4, "total": 4}}}})")),
                host(u"b"_s, maps(R"({"@st": {"kind": "stats", "data": {"count": 1, "average": 3, "total": 3}},
                                  "@k": {"kind": "stats", "data": {"x": {"count": 3, "average": 8, "total": 24}}}})")) },
            { { u"@st"_s, u"stats_t"_s }, { u"@k"_s, u"avg_t"_s } });
        const StatsValue *st = fleet.find(u"@st"_s)->value().value.stats();
        QVERIFY(st);
        QCOMPARE(*st, (StatsValue { 3, 11, 33 }));
        QCOMPARE(fleet.find(u"@st"_s)->rule(), MergedMap::Rule::Stats);
        QCOMPARE(*fleet.find(u"@k"_s)->entries().first().value.stats(), (StatsValue { 4, 7, 28 }));
        QCOMPARE(fleet.find(u"@k"_s)->entries().first().hosts.at(1).stats()->average, 8);
    }

    void lhistSameParametersMerge()
    {
        // lhist(x, 0, 100, 10): bpftrace 0.23 prints it as "hist"; hosts fill other ranges.
        const FleetResults fleet = FleetResults::merge(
            { host(u"a"_s, maps(R"({"@l": {"kind": "hist", "data": [{"min": 10, "max": 19, "count": 1}]}})")),
                host(u"b"_s, maps(R"({"@l": {"kind": "hist", "data":
                    [{"min": 40, "max": 49, "count": 2}, {"min": 50, "max": 59, "count": 3}, {"min": 100, "count": 4}]}})")) },
            { { u"@l"_s, u"lhist_t"_s } });
        const MergedMap *l = fleet.find(u"@l"_s);
        QVERIFY2(!l->hasConflict(), qPrintable(l->conflict()));
        QCOMPARE(l->kindName(), u"lhist"_s);
        const Histogram *merged = l->value().value.histogram();
        QVERIFY(merged->isLinear());
        QCOMPARE(merged->labels(),
            (QStringList { u"[10, 20)"_s, u"[20, 30)"_s, u"[30, 40)"_s, u"[40, 50)"_s, u"[50, 60)"_s, u"[60, 70)"_s,
                u"[70, 80)"_s, u"[80, 90)"_s, u"[90, 100)"_s, u"[100, ...)"_s }));
        QCOMPARE(counts(*merged), (QList<qint64> { 1, 0, 0, 2, 3, 0, 0, 0, 0, 4 }));
        QCOMPARE(l->merged().kindName(), u"lhist"_s);
    }

    void lhistOtherParametersConflict_data()
    {
        QTest::addColumn<QByteArray>("b");
        // lhist(x, 0, 100, 20) against lhist(x, 0, 100, 10).
        QTest::newRow("other step") << QByteArray(R"([{"min": 20, "max": 39, "count": 2}])");
        // lhist(x, 5, 105, 10): the same step on another grid.
        QTest::newRow("other grid") << QByteArray(R"([{"min": 15, "max": 24, "count": 2}])");
        QTest::newRow("other overflow") << QByteArray(
            R"([{"min": 50, "max": 59, "count": 2}, {"min": 60, "count": 1}])");
    }

    void lhistOtherParametersConflict()
    {
        QFETCH(QByteArray, b);
        const FleetResults fleet = FleetResults::merge(
            { host(u"a"_s,
                  maps(
                      R"({"@l": {"kind": "lhist", "data": [{"min": 10, "max": 19, "count": 1}, {"min": 100, "count": 4}]},
                           "@c": {"kind": "map", "data": 1}})")),
                host(u"b"_s,
                    maps(R"({"@l": {"kind": "lhist", "data": )" + b + R"(}, "@c": {"kind": "map", "data": 2}})")) },
            { { u"@l"_s, u"lhist_t"_s } });
        const MergedMap *l = fleet.find(u"@l"_s);
        QVERIFY(l->hasConflict());
        QVERIFY2(l->conflict().contains(u"line up"_s), qPrintable(l->conflict()));
        // Not merged, not lost: no merged value, each host's own map kept.
        QCOMPARE(l->merged().value().type(), MapValue::Type::Empty);
        QCOMPARE(l->host(0).value().histogram()->totalCount(), 5);
        QVERIFY(l->host(1).value().histogram());
        QCOMPARE(fleet.conflicts().size(), 1);
        QVERIFY(fleet.conflicts().first().startsWith(u"@l: "_s));
        // The other maps merge as ever.
        QCOMPARE(fleet.find(u"@c"_s)->value().value.integer(), 3);
    }

    // Hostile or odd buckets: a gap of 10^15 steps is not filled bucket by bucket (bounded), and
    // counts past qint64 saturate instead of wrapping.
    void hostileBuckets()
    {
        QElapsedTimer timer;
        timer.start();
        const FleetResults fleet = FleetResults::merge(
            { host(u"a"_s,
                  maps(R"({"@l": {"kind": "lhist", "data": [{"min": 0, "max": 9, "count": 9223372036854775807}]}})")),
                host(u"b"_s,
                    maps(
                        R"({"@l": {"kind": "lhist", "data": [{"min": 10000000000000000, "max": 10000000000000009, "count": 5}]}})")) },
            { { u"@l"_s, u"lhist_t"_s } });
        QVERIFY(timer.elapsed() < 5000);
        const MergedMap *l = fleet.find(u"@l"_s);
        QVERIFY2(!l->hasConflict(), qPrintable(l->conflict()));
        const Histogram *merged = l->value().value.histogram();
        QVERIFY(merged->buckets().size() <= 4096 + 2);
        QCOMPARE(merged->buckets().first().count, std::numeric_limits<qint64>::max());
        QCOMPARE(merged->buckets().last().count, 5);
    }

    // A map printed as a histogram on one host and as a plain map on another: a conflict of that
    // map, named per host; other maps are not affected.
    void kindsDifferConflict()
    {
        const FleetResults fleet = FleetResults::merge(
            { host(u"a"_s,
                  maps(
                      R"({"@x": {"kind": "hist", "data": [{"min": 1, "max": 1, "count": 2}]}, "@y": {"kind": "map", "data": {"k": 1}}})")),
                host(u"b"_s,
                    maps(R"({"@x": {"kind": "map", "data": {"k": 5}}, "@y": {"kind": "map", "data": {"k": 2}}})")),
                host(u"c"_s, maps(R"({"@x": {"kind": "map", "data": {"k": 6}}})")) });
        const MergedMap *x = fleet.find(u"@x"_s);
        QVERIFY(x->hasConflict());
        QVERIFY2(x->conflict().contains(u"hist without keys on a"_s), qPrintable(x->conflict()));
        QVERIFY2(x->conflict().contains(u"map with keys on b, c"_s), qPrintable(x->conflict()));
        QVERIFY(x->merged().isEmpty());
        QCOMPARE(x->host(2).entries().first().value.integer(), 6);
        QCOMPARE(x->select({ 1 }).entries().first().value.integer(), 5);
        QVERIFY(!fleet.find(u"@y"_s)->hasConflict());
        QCOMPARE(fleet.find(u"@y"_s)->merged().entries().first().value.integer(), 3);
        QCOMPARE(fleet.find(u"@y"_s)->reportingHosts(), (QList<int> { 0, 1 }));
        // An empty map of another kind (declared, never printed) is no conflict.
        RunResults declared;
        declared.insert(MapResult::emptyMap(u"@y"_s, QString(), false));
        const FleetResults withEmpty = FleetResults::merge(
            { host(u"a"_s, maps(R"({"@y": {"kind": "stats", "data": {"count": 1, "average": 2, "total": 2}}})")),
                host(u"b"_s, declared) });
        QVERIFY(!withEmpty.find(u"@y"_s)->hasConflict());
        QCOMPARE(withEmpty.find(u"@y"_s)->value().value.stats()->total, 2);
    }

    // @u[comm, ustack(3), pid] from three prints: typed key parts stay as the hosts' parser split
    // them, and the stacks merge into one tree, with a host filter and a host level.
    void stacksMergeIntoOneTreeWithHostFilter()
    {
        const ScriptAnalysis analysis = recordedAnalysis(u"stacks"_s);
        QList<HostResults> hosts;
        for (const int line : { 2, 3, 4 })
            hosts.append(host(u"node%1"_s.arg(line - 1), recordedLines(u"stacks"_s, { line })));
        const FleetResults fleet = FleetResults::merge(hosts, valueTypes(analysis));
        const MergedMap *u = fleet.find(u"@u"_s);
        QVERIFY(u && !u->hasConflict());
        QCOMPARE(u->keyTypes().size(), 3);
        const MergedMap::Entry &idle = u->entries().at(u->indexOf(u"swapper/0,\\n,0"_s));
        QCOMPARE(idle.key.parts.size(), 3);
        QCOMPARE(idle.key.parts.at(0).type, MapKeyPart::Type::Text);
        QCOMPARE(idle.key.parts.at(1).type, MapKeyPart::Type::Stack);
        QCOMPARE(idle.key.parts.at(1).stack.space, CallStack::Space::User);
        QCOMPARE(idle.key.parts.at(2).type, MapKeyPart::Type::Integer);
        QCOMPARE(idle.key.parts.at(2).integer, 0);
        QCOMPARE(idle.value.integer(), 98 + 94 + 95);
        QCOMPARE(idle.hostCount(), 3);

        qint64 total = 0;
        QList<qint64> perHost;
        for (const HostResults &h : std::as_const(hosts)) {
            perHost.append(StackTree::fromMap(*h.results.find(u"@u"_s)).total());
            total += perHost.last();
        }
        const StackTree merged = fleet.stackTree(u"@u"_s);
        QCOMPARE(merged.total(), total);
        // The idle task's group merges across hosts into one node.
        QCOMPARE(merged.node(merged.find({ u"swapper/0"_s, u"0"_s })).total, 98 + 94 + 95);
        // One host: that host's own tree.
        QCOMPARE(fleet.stackTree(u"@u"_s, { 1 }).total(), perHost.at(1));
        QCOMPARE(fleet.stackTree(u"@u"_s, { 0, 2 }).total(), perHost.at(0) + perHost.at(2));
        // The host as the first level: one child of the root per host, weighing its samples.
        const StackTree byHost = fleet.stackTree(u"@u"_s, {}, true);
        QCOMPARE(byHost.total(), total);
        QCOMPARE(byHost.node(0).childCount, 3);
        for (int h = 0; h < 3; ++h) {
            const int node = byHost.find({ fleet.hostNames().at(h) });
            QVERIFY(node > 0);
            QCOMPARE(byHost.node(node).total, perHost.at(h));
            QCOMPARE(byHost.node(byHost.find({ fleet.hostNames().at(h), u"swapper/0"_s })).total,
                idle.hosts.at(h).integer());
        }
    }

    // A host that failed or was never reached is listed with its reason, and the totals say how
    // many hosts they cover.
    void failedHostsListedNotDropped()
    {
        const FleetResults fleet = FleetResults::merge({ host(u"db1"_s, maps(R"({"@c": {"kind": "map", "data": 4}})")),
            host(u"db2"_s, {}, HostRunState::Unreachable, u"ssh: connect to host db2 port 22: Connection refused"_s),
            host(u"db3"_s, {}, HostRunState::Failed, u"bpftrace exited with code 1"_s),
            host(u"db4"_s, maps(R"({"@c": {"kind": "map", "data": 5}})"), HostRunState::Running) });
        QCOMPARE(fleet.hostCount(), 4);
        QCOMPARE(fleet.hostNames(), (QStringList { u"db1"_s, u"db2"_s, u"db3"_s, u"db4"_s }));
        QCOMPARE(fleet.contributingHostCount(), 2);
        QCOMPARE(fleet.missingHosts(), (QList<int> { 1, 2 }));
        QCOMPARE(fleet.coverage(), u"2 of 4 hosts"_s);
        QCOMPARE(fleet.hosts().at(1).state, HostRunState::Unreachable);
        QCOMPARE(fleet.hosts().at(1).message, u"ssh: connect to host db2 port 22: Connection refused"_s);
        QVERIFY(!fleet.hosts().at(1).contributes());
        const QString summary = fleet.summary();
        QVERIFY2(summary.startsWith(u"Merged over 2 of 4 hosts"_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"db2 unreachable: ssh: connect to host db2 port 22: Connection refused"_s),
            qPrintable(summary));
        QVERIFY2(summary.contains(u"db3 failed: bpftrace exited with code 1"_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"db4 still running"_s), qPrintable(summary));
        const MergedMap *c = fleet.find(u"@c"_s);
        QCOMPARE(c->value().value.integer(), 9);
        QCOMPARE(c->reportingHosts(), (QList<int> { 0, 3 }));
        QCOMPARE(c->hostCount(), 4);
        QCOMPARE(c->value().hosts.size(), 4);
        QCOMPARE(FleetResults::stateFromName(u"unreachable"_s), HostRunState::Unreachable);
        QCOMPARE(FleetResults::stateFromName(u"bogus"_s), std::nullopt);
    }

    void emptyAndOddInput()
    {
        const FleetResults none = FleetResults::merge({});
        QVERIFY(none.isEmpty());
        QCOMPARE(none.hostCount(), 0);
        QCOMPARE(none.coverage(), u"0 of 0 hosts"_s);
        QVERIFY(none.mergedResults().isEmpty());
        QCOMPARE(none.stackTree(u"@x"_s).total(), 0);

        // Hosts that reported nothing; duplicate and empty names stay apart and addressable.
        const FleetResults odd = FleetResults::merge({ host(u"a"_s, {}), host(u"a"_s, {}), host(QString(), {}) });
        QCOMPARE(odd.hostNames(), (QStringList { u"a"_s, u"a (2)"_s, u"host 3"_s }));
        QCOMPARE(odd.hostIndex(u"a (2)"_s), 1);
        QCOMPARE(odd.coverage(), u"0 of 3 hosts"_s);
        QVERIFY(odd.isEmpty());

        // A map every host has empty stays, empty, of its kind.
        RunResults declared;
        declared.insert(MapResult::emptyMap(u"@never"_s, u"hist_t"_s, true));
        const FleetResults empty = FleetResults::merge({ host(u"a"_s, declared), host(u"b"_s, declared) });
        QVERIFY(empty.find(u"@never"_s)->merged().isEmpty());
        QVERIFY(empty.find(u"@never"_s)->isHistogram());
        QVERIFY(!empty.find(u"@never"_s)->hasConflict());
        QCOMPARE(empty.coverage(), u"2 of 2 hosts"_s);
    }

    // A host still running may have printed a map only with print() so far: its latest print
    // is what it contributes.
    void runningHostsLatestPrint()
    {
        RunResults running;
        running.appendSnapshot(1000, MapResult::fromBpftraceJson(u"@s"_s, u"map"_s, QJsonObject { { u"k"_s, 1 } }));
        running.appendSnapshot(2000, MapResult::fromBpftraceJson(u"@s"_s, u"map"_s, QJsonObject { { u"k"_s, 4 } }));
        const FleetResults fleet = FleetResults::merge({ host(u"a"_s, running, HostRunState::Running),
            host(u"b"_s, maps(R"({"@s": {"kind": "map", "data": {"k": 10}}})")) });
        QCOMPARE(fleet.find(u"@s"_s)->merged().entries().first().value.integer(), 14);
        QCOMPARE(fleet.hostResults(0).series(u"@s"_s)->size(), 2);
    }

    // The views' shapes: merged as one run's results, a host filter, each host side by side.
    void viewsOfTheMerge()
    {
        const FleetResults fleet
            = FleetResults::merge({ host(u"a"_s, maps(R"({"@k": {"kind": "map", "data": {"x": 1, "y": 2}},
                 "@h": {"kind": "hist", "data": [{"min": 4, "max": 7, "count": 3}]}})")),
                host(u"b"_s, maps(R"({"@k": {"kind": "map", "data": {"x": 10}},
                 "@h": {"kind": "hist", "data": [{"min": 8, "max": 15, "count": 5}]}})")) });
        const RunResults merged = fleet.mergedResults();
        QCOMPARE(merged.names(), (QStringList { u"@h"_s, u"@k"_s }));
        QCOMPARE(valueOf(*merged.find(u"@k"_s), u"x"_s), 11);
        QCOMPARE(valueOf(*fleet.selectResults({ 1 }).find(u"@k"_s), u"x"_s), 10);
        QCOMPARE(fleet.selectResults({ 1 }).find(u"@k"_s)->entryCount(), 1);
        const RunResults byHost = fleet.byHostResults();
        const MapResult *k = byHost.find(u"@k"_s);
        QCOMPARE(k->entryCount(), 3);
        QCOMPARE(valueOf(*k, u"a,x"_s), 1);
        QCOMPARE(valueOf(*k, u"b,x"_s), 10);
        QCOMPARE(k->entries().first().key.parts.first().text, u"a"_s);
        // A histogram without keys becomes one per host, on the same buckets.
        const MapResult *h = byHost.find(u"@h"_s);
        QVERIFY(h->isKeyed());
        QCOMPARE(h->entryCount(), 2);
        QCOMPARE(h->entries().at(0).value.histogram()->labels(), h->entries().at(1).value.histogram()->labels());
        QCOMPARE(counts(*h->entries().at(1).value.histogram()), (QList<qint64> { 0, 5 }));
        QCOMPARE(counts(*fleet.selectResults({ 0 }).find(u"@h"_s)->value().histogram()), (QList<qint64> { 3, 0 }));
    }
};

QTEST_GUILESS_MAIN(TestFleetResults)
#include "tst_fleetresults.moc"
