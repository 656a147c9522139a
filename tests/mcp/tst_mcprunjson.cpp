// SPDX-License-Identifier: GPL-2.0-or-later
// McpRunJson: bpftrace's histogram bucket labels and the shapes of formatted maps.
#include "mcp/mcprunjson.h"

#include "engine/scriptanalyzer.h"
#include "mcptesthelpers.h"

#include <QFile>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <tuple>

using namespace Qt::StringLiterals;

namespace {
QByteArray recorded(const QString &name)
{
    QFile file(QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data/results-0.23.2/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing %s", qPrintable(file.fileName()));
    return file.readAll();
}

// Every print of a recorded run as a series (one snapshot a second), the last print as the
// map, keys split by the recorded AST's types.
RunResults recordedRun(const QString &name)
{
    ScriptAnalysis analysis;
    ScriptAnalyzer::applyAst(analysis, recorded(name + u".ast.txt"_s), QString());
    RunResults results;
    qint64 ms = 0;
    for (const QByteArray &line : recorded(name + u".json"_s).split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        const QString type = event.value("type"_L1).toString();
        if (type != "map"_L1 && type != "hist"_L1)
            continue;
        ms += 1000;
        const QJsonObject data = event.value("data"_L1).toObject();
        for (auto it = data.begin(); it != data.end(); ++it) {
            const ScriptMap *detail = analysis.mapDetail(it.key());
            const MapResult map
                = MapResult::fromBpftraceJson(it.key(), type, it.value(), detail ? detail->keyTypes : QStringList());
            results.appendSnapshot(ms, map);
            results.insert(map);
            if (detail)
                results.setSeriesDelta(it.key(), detail->clearedAfterPrint);
        }
    }
    return results;
}
// Two hosts from two prints of the recorded runs (interval for @s and @h, stacks for @u),
// synthetic stats, max and a keyed lhist beside them, a map whose kinds differ, and a third host
// that could not be reached.
FleetResults recordedFleet()
{
    auto hostMaps = [](int line, const QByteArray &extra) {
        RunResults results;
        const ScriptAnalysis interval = [] {
            ScriptAnalysis analysis;
            ScriptAnalyzer::applyAst(analysis, recorded(u"interval.ast.txt"_s), QString());
            return analysis;
        }();
        const ScriptAnalysis stacks = [] {
            ScriptAnalysis analysis;
            ScriptAnalyzer::applyAst(analysis, recorded(u"stacks.ast.txt"_s), QString());
            return analysis;
        }();
        const QList<QByteArray> intervalLines = recorded(u"interval.json"_s).split('\n');
        const QList<QByteArray> stackLines = recorded(u"stacks.json"_s).split('\n');
        for (const auto &[lines, analysis, number] :
            { std::tuple { &intervalLines, &interval, line }, std::tuple { &intervalLines, &interval, line + 1 },
                std::tuple { &stackLines, &stacks, line / 2 + 1 } }) {
            const QJsonObject event = QJsonDocument::fromJson(lines->at(number - 1)).object();
            const QJsonObject data = event.value("data"_L1).toObject();
            for (auto it = data.begin(); it != data.end(); ++it) {
                const ScriptMap *detail = analysis->mapDetail(it.key());
                results.insert(MapResult::fromBpftraceJson(it.key(), event.value("type"_L1).toString(), it.value(),
                    detail ? detail->keyTypes : QStringList()));
            }
        }
        const RunResults more = RunResults::fromJson(QJsonDocument::fromJson(extra).object());
        for (const MapResult &map : more.maps())
            results.insert(map);
        return results;
    };
    const RunResults db1 = hostMaps(2, R"({"@st": {"kind": "stats", "data": {"count": 2, "average": 15, "total": 30}},
        "@mx": {"kind": "map", "data": 9}, "@l": {"kind": "lhist", "data": {"k": [{"min": 0, "max": 9, "count": 1}]}},
        "@x": {"kind": "hist", "data": [{"min": 1, "max": 1, "count": 1}]}})");
    const RunResults db2 = hostMaps(4, R"({"@st": {"kind": "stats", "data": {"count": 1, "average": 3, "total": 3}},
        "@mx": {"kind": "map", "data": 4}, "@l": {"kind": "lhist", "data": {"k": [{"min": 20, "max": 29, "count": 2}]}},
        "@x": {"kind": "map", "data": {"a": 1}}})");
    QHash<QString, QString> types { { u"@s"_s, u"count_t"_s }, { u"@h"_s, u"hist_t"_s }, { u"@u"_s, u"count_t"_s },
        { u"@st"_s, u"stats_t"_s }, { u"@mx"_s, u"max_t"_s }, { u"@l"_s, u"lhist_t"_s } };
    return FleetResults::merge(
        { HostResults { u"db1"_s, HostRunState::Finished, {}, db1 },
            HostResults { u"db2"_s, HostRunState::Stopped, {}, db2 },
            HostResults { u"db3"_s, HostRunState::Unreachable, u"Permission denied (publickey)"_s, {} } },
        types);
}
} // namespace

class TestMcpRunJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bucketLabels_data()
    {
        QTest::addColumn<QByteArray>("bucket");
        QTest::addColumn<bool>("powerOfTwo");
        QTest::addColumn<QString>("label");
        QTest::newRow("negative") << QByteArray(R"({"max": -1, "count": 1})") << true << u"(..., 0)"_s;
        QTest::newRow("zero") << QByteArray(R"({"min": 0, "max": 0, "count": 1})") << true << u"[0]"_s;
        QTest::newRow("one") << QByteArray(R"({"min": 1, "max": 1, "count": 1})") << true << u"[1]"_s;
        QTest::newRow("2-4") << QByteArray(R"({"min": 2, "max": 3, "count": 1})") << true << u"[2, 4)"_s;
        QTest::newRow("512-1K") << QByteArray(R"({"min": 512, "max": 1023, "count": 1})") << true << u"[512, 1K)"_s;
        QTest::newRow("1K-2K") << QByteArray(R"({"min": 1024, "max": 2047, "count": 1})") << true << u"[1K, 2K)"_s;
        QTest::newRow("1M-2M") << QByteArray(R"({"min": 1048576, "max": 2097151, "count": 1})") << true
                               << u"[1M, 2M)"_s;
        QTest::newRow("2G-4G") << QByteArray(R"({"min": 2147483648, "max": 4294967295, "count": 1})") << true
                               << u"[2G, 4G)"_s;
        QTest::newRow("lhist step") << QByteArray(R"({"min": 10, "max": 19, "count": 1})") << false << u"[10, 20)"_s;
        QTest::newRow("lhist open end") << QByteArray(R"({"min": 100, "count": 1})") << false << u"[100, ...)"_s;
        // As bpftrace labels lhist (and as the window always did): a step of 1024 takes suffixes.
        QTest::newRow("lhist step 1024") << QByteArray(R"({"min": 1024, "max": 2047, "count": 1})") << false
                                         << u"[1K, 2K)"_s;
    }

    void bucketLabels()
    {
        QFETCH(QByteArray, bucket);
        QFETCH(bool, powerOfTwo);
        QFETCH(QString, label);
        const QJsonObject stored { { u"@h"_s,
            QJsonObject { { u"kind"_s, powerOfTwo ? u"hist"_s : u"lhist"_s },
                { u"data"_s, QJsonArray { QJsonDocument::fromJson(bucket).object() } } } } };
        const QJsonObject maps = McpRunJson::formatMaps(RunResults::fromJson(stored));
        const QJsonArray buckets = maps.value(u"@h"_s).toObject().value(u"buckets"_s).toArray();
        QCOMPARE(buckets.size(), 1);
        QCOMPARE(buckets.first().toObject().value(u"label"_s).toString(), label);
    }

    void formatMapsShapes()
    {
        const QJsonObject raw = QJsonDocument::fromJson(R"({
            "@kh": {"kind": "hist", "data": {"a": [{"min": 8, "max": 15, "count": 1}], "b": [{"min": 64, "max": 127, "count": 2}]}},
            "@st": {"kind": "stats", "data": {"count": 2, "average": 15, "total": 30}},
            "@kst": {"kind": "stats", "data": {"k": {"count": 1, "average": 3, "total": 3}}},
            "@av": {"kind": "stats", "data": 5},
            "@mk": {"kind": "map", "data": {"a,1": 1}},
            "@str": {"kind": "map", "data": "hello"}
        })")
                                    .object();
        const QJsonObject maps = McpRunJson::formatMaps(RunResults::fromJson(raw));
        const QJsonArray series = maps.value(u"@kh"_s).toObject().value(u"series"_s).toArray();
        QCOMPARE(series.size(), 2);
        QCOMPARE(series.at(1).toObject().value(u"buckets"_s).toArray().first().toObject().value(u"label"_s).toString(),
            u"[64, 128)"_s);
        QCOMPARE(maps.value(u"@st"_s).toObject().value(u"value"_s).toObject().value(u"average"_s).toInt(), 15);
        QCOMPARE(maps.value(u"@kst"_s)
                     .toObject()
                     .value(u"entries"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"key"_s)
                     .toString(),
            u"k"_s);
        QCOMPARE(maps.value(u"@av"_s).toObject().value(u"value"_s).toInt(), 5);
        QCOMPARE(
            maps.value(u"@mk"_s).toObject().value(u"entries"_s).toArray().first().toObject().value(u"key"_s).toString(),
            u"a,1"_s);
        QCOMPARE(maps.value(u"@str"_s).toObject().value(u"value"_s).toString(), u"hello"_s);
    }

    void typedKeyParts()
    {
        const QJsonObject maps = McpRunJson::formatMaps(recordedRun(u"cxx"_s));
        const QJsonObject map = maps.value(u"@"_s).toObject();
        QCOMPARE(map.value(u"key_types"_s).toArray().size(), 3);
        const QJsonObject entry = map.value(u"entries"_s).toArray().first().toObject();
        const QJsonArray parts = entry.value(u"key_parts"_s).toArray();
        QCOMPARE(parts.size(), 3);
        QCOMPARE(parts.at(0).toObject(), (QJsonObject { { u"type"_s, u"string"_s }, { u"value"_s, u"cxx"_s } }));
        QCOMPARE(parts.at(2).toObject(), (QJsonObject { { u"type"_s, u"integer"_s }, { u"value"_s, 17034 } }));
        const QJsonObject stack = parts.at(1).toObject();
        QCOMPARE(stack.value(u"type"_s).toString(), u"stack"_s);
        QCOMPARE(stack.value(u"space"_s).toString(), u"user"_s);
        const QJsonArray frames = stack.value(u"frames"_s).toArray();
        QCOMPARE(frames.size(), 2);
        QVERIFY(frames.at(0).toObject().value(u"symbol"_s).toString().startsWith(u"int pairwork<int, long>("_s));
        QCOMPARE(frames.at(0).toObject().value(u"offset"_s).toInt(), 0);
        QCOMPARE(frames.at(1).toObject().value(u"address"_s).toString(), u"0xffffffff00000000"_s);
        QVERIFY(!frames.at(1).toObject().contains(u"offset"_s));
        // Perf mode: the module, and no "[unknown]".
        const QJsonArray perf = maps.value(u"@p"_s)
                                    .toObject()
                                    .value(u"entries"_s)
                                    .toArray()
                                    .first()
                                    .toObject()
                                    .value(u"key_parts"_s)
                                    .toArray()
                                    .first()
                                    .toObject()
                                    .value(u"frames"_s)
                                    .toArray();
        QCOMPARE(perf.at(0).toObject().value(u"module"_s).toString(), u"/work/wt-ast/build/rec/cxx"_s);
        QVERIFY(!perf.at(1).toObject().contains(u"module"_s));
        for (auto it = maps.begin(); it != maps.end(); ++it) {
            const QString problem = McpTest::checkSchema(it.value(), McpRunJson::mapSchema(), it.key());
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    void topStacksSumOverTheOtherParts()
    {
        const RunResults run = recordedRun(u"stacks"_s);
        const QJsonObject kernel = McpRunJson::formatMaps(run).value(u"@"_s).toObject();
        const QJsonArray top = kernel.value(u"top_stacks"_s).toArray();
        QCOMPARE(top.size(), 10);
        const QJsonObject first = top.first().toObject();
        QCOMPARE(first.value(u"samples"_s).toInt(), 286);
        QCOMPARE(first.value(u"stack"_s).toObject().value(u"space"_s).toString(), u"kernel"_s);
        QCOMPARE(first.value(u"stack"_s)
                     .toObject()
                     .value(u"frames"_s)
                     .toArray()
                     .first()
                     .toObject()
                     .value(u"symbol"_s)
                     .toString(),
            u"pv_native_safe_halt"_s);
        const double total = kernel.value(u"total_samples"_s).toDouble();
        QCOMPARE(first.value(u"share"_s).toDouble(), 286 / total);
        QCOMPARE(kernel.value(u"distinct_stacks"_s).toInt(), 10);
        for (qsizetype i = 1; i < top.size(); ++i)
            QVERIFY(top.at(i - 1).toObject().value(u"samples"_s).toDouble()
                >= top.at(i).toObject().value(u"samples"_s).toDouble());

        // @u[comm, ustack, pid]: python3 ran its stacks under one pid; the empty stack of the idle
        // task and of bash sums over both keys.
        McpRunJson::MapView view;
        view.topStacks = 3;
        const QJsonObject user = McpRunJson::formatMaps(run, view).value(u"@u"_s).toObject();
        QCOMPARE(user.value(u"top_stacks"_s).toArray().size(), 3);
        const QJsonObject empty = user.value(u"top_stacks"_s).toArray().first().toObject();
        QCOMPARE(empty.value(u"samples"_s).toInt(), 96); // swapper/0 95 + bash 1
        QCOMPARE(empty.value(u"keys"_s).toInt(), 2);
        QVERIFY(empty.value(u"stack"_s).toObject().value(u"frames"_s).toArray().isEmpty());
        view.topStacks = 0;
        QVERIFY(!McpRunJson::formatMaps(run, view).value(u"@u"_s).toObject().contains(u"top_stacks"_s));
        // A map without a stack has none.
        QVERIFY(
            !McpRunJson::formatMaps(recordedRun(u"interval"_s)).value(u"@s"_s).toObject().contains(u"top_stacks"_s));
    }

    void seriesPaged()
    {
        const RunResults run = recordedRun(u"interval"_s);
        McpRunJson::MapView view;
        view.map = u"@s"_s;
        view.seriesOffset = 1;
        view.seriesLimit = 2;
        const QJsonObject series = McpRunJson::formatSeries(run, view);
        QCOMPARE(series.keys(), QStringList { u"@s"_s });
        const QJsonObject s = series.value(u"@s"_s).toObject();
        QCOMPARE(s.value(u"total_snapshots"_s).toInt(), 4); // three interval prints and the exit dump here
        QCOMPARE(s.value(u"offset"_s).toInt(), 1);
        QCOMPARE(s.value(u"returned"_s).toInt(), 2);
        QCOMPARE(s.value(u"next_offset"_s).toInt(), 3);
        QVERIFY(s.value(u"has_more"_s).toBool());
        QVERIFY(s.value(u"delta"_s).toBool());
        const QJsonArray snapshots = s.value(u"snapshots"_s).toArray();
        QCOMPARE(snapshots.at(0).toObject().value(u"ms"_s).toInteger(), 3000);
        QCOMPARE(snapshots.at(0).toObject().value(u"entries"_s).toArray().size(), 16);
        QCOMPARE(snapshots.at(0).toObject().value(u"entries"_s).toArray().first().toObject().value(u"key"_s).toString(),
            u"tst_mainwindow"_s);
        const QJsonObject hist = McpRunJson::formatSeries(run).value(u"@h"_s).toObject();
        QVERIFY(!hist.value(u"delta"_s).toBool());
        QCOMPARE(hist.value(u"snapshots"_s).toArray().first().toObject().value(u"total_count"_s).toInt(), 19299);
        view.seriesOffset = 99;
        QCOMPARE(McpRunJson::formatSeries(run, view).value(u"@s"_s).toObject().value(u"returned"_s).toInt(), 0);
        const QJsonObject all = McpRunJson::formatSeries(run);
        for (auto it = all.begin(); it != all.end(); ++it) {
            const QString problem = McpTest::checkSchema(it.value(), McpRunJson::seriesSchema(), it.key());
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    // A page of a big series stops at about kMaxSeriesPageBytes, however many snapshots were
    // asked for; the rest is the next page.
    void seriesPageIsBounded()
    {
        RunResults run;
        QJsonObject keys;
        for (int k = 0; k < 100; ++k)
            keys.insert(u"/a/long/path/of/a/file/that/was/opened/%1/%2"_s.arg(k).arg(QString(200, u'x')), k);
        for (int ms = 0; ms < 200; ++ms)
            run.appendSnapshot(ms * 1000, MapResult::fromBpftraceJson(u"@p"_s, u"map"_s, keys));
        McpRunJson::MapView view;
        view.seriesLimit = 200;
        const QJsonObject s = McpRunJson::formatSeries(run, view).value(u"@p"_s).toObject();
        const int returned = s.value(u"returned"_s).toInt();
        QVERIFY(returned >= 1);
        QVERIFY2(returned < 200, qPrintable(QString::number(returned)));
        QCOMPARE(s.value(u"next_offset"_s).toInt(), returned);
        QVERIFY(s.value(u"has_more"_s).toBool());
        QCOMPARE(s.value(u"snapshots"_s).toArray().size(), returned);
        QVERIFY(QJsonDocument(s).toJson(QJsonDocument::Compact).size() < McpRunJson::kMaxSeriesPageBytes + 64 * 1024);
    }

    // A fleet run's maps merged across hosts: formatMaps()'s shape plus a per-host breakdown of
    // every value, entry, bucket and top stack, the host states, and conflicts named per map.
    void mergedMaps_data()
    {
        QTest::addColumn<QString>("map");
        QTest::addColumn<QString>("merge");
        QTest::newRow("count") << u"@s"_s << u"sum"_s;
        QTest::newRow("hist") << u"@h"_s << u"hist"_s;
        QTest::newRow("stacks") << u"@u"_s << u"sum"_s;
        QTest::newRow("stats") << u"@st"_s << u"stats"_s;
        QTest::newRow("max") << u"@mx"_s << u"max"_s;
        QTest::newRow("keyed lhist") << u"@l"_s << u"hist"_s;
        QTest::newRow("kind conflict") << u"@x"_s << u"hist"_s;
    }

    void mergedMaps()
    {
        QFETCH(QString, map);
        QFETCH(QString, merge);
        const FleetResults fleet = recordedFleet();
        const QJsonObject out = McpRunJson::formatFleet(fleet);
        const QString problem = McpTest::checkSchema(out, McpRunJson::fleetSchema());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonObject m = out.value(u"maps"_s).toObject().value(map).toObject();
        QVERIFY2(McpTest::checkSchema(m, McpRunJson::mergedMapSchema()).isEmpty(),
            qPrintable(McpTest::checkSchema(m, McpRunJson::mergedMapSchema())));
        QCOMPARE(m.value(u"merge"_s).toString(), merge);
        if (map == "@s"_L1) {
            QCOMPARE(m.value(u"reported_by"_s).toArray(), (QJsonArray { u"db1"_s, u"db2"_s }));
            QCOMPARE(m.value(u"coverage"_s).toString(), u"2 of 3 hosts"_s);
            const QJsonArray entries = m.value(u"entries"_s).toArray();
            QJsonObject bpftrace;
            for (const QJsonValue &e : entries) {
                if (e.toObject().value(u"key"_s).toString() == "bpftrace"_L1)
                    bpftrace = e.toObject();
            }
            QCOMPARE(bpftrace.value(u"value"_s).toInt(), 59 + 63);
            QCOMPARE(bpftrace.value(u"hosts"_s).toObject(), (QJsonObject { { u"db1"_s, 59 }, { u"db2"_s, 63 } }));
            // Heaviest first, as for one host.
            QCOMPARE(entries.first().toObject().value(u"key"_s).toString(), u"tst_mainwindow"_s);
        } else if (map == "@h"_L1) {
            const QJsonArray buckets = m.value(u"buckets"_s).toArray();
            QCOMPARE(buckets.size(), 2);
            QCOMPARE(buckets.at(1).toObject().value(u"count"_s).toInt(), 18171 + 27382);
            QCOMPARE(buckets.at(1).toObject().value(u"label"_s).toString(), u"[16K, 32K)"_s);
            QCOMPARE(buckets.at(1).toObject().value(u"hosts"_s).toObject(),
                (QJsonObject { { u"db1"_s, 18171 }, { u"db2"_s, 27382 } }));
            QCOMPARE(m.value(u"hosts"_s).toObject().value(u"db2"_s).toInt(), 2510 + 27382);
            QCOMPARE(m.value(u"total_count"_s).toInt(), 1128 + 18171 + 2510 + 27382);
        } else if (map == "@u"_L1) {
            const QJsonObject top = m.value(u"top_stacks"_s).toArray().first().toObject();
            QCOMPARE(top.value(u"samples"_s).toInt(), 98 + 94); // the idle task's empty stack on both
            QCOMPARE(top.value(u"hosts"_s).toObject().value(u"db1"_s).toInt(), 98);
            const QJsonArray parts = m.value(u"entries"_s).toArray().first().toObject().value(u"key_parts"_s).toArray();
            QCOMPARE(parts.at(1).toObject().value(u"type"_s).toString(), u"stack"_s);
            QCOMPARE(parts.at(2).toObject().value(u"type"_s).toString(), u"integer"_s);
        } else if (map == "@st"_L1) {
            QCOMPARE(m.value(u"value"_s).toObject(),
                (QJsonObject { { u"count"_s, 3 }, { u"average"_s, 11 }, { u"total"_s, 33 } }));
            QCOMPARE(m.value(u"hosts"_s).toObject().value(u"db2"_s).toObject().value(u"average"_s).toInt(), 3);
        } else if (map == "@mx"_L1) {
            QCOMPARE(m.value(u"value"_s).toInt(), 9);
            QVERIFY(!m.contains(u"merge_assumed"_s));
        } else if (map == "@l"_L1) {
            QCOMPARE(m.value(u"kind"_s).toString(), u"lhist"_s);
            const QJsonObject series = m.value(u"series"_s).toArray().first().toObject();
            QCOMPARE(series.value(u"hosts"_s).toObject(), (QJsonObject { { u"db1"_s, 1 }, { u"db2"_s, 2 } }));
            QCOMPARE(series.value(u"buckets"_s).toArray().size(), 3); // [0, 10) and [20, 30), [10, 20) between
        } else if (map == "@x"_L1) {
            QVERIFY(m.value(u"conflict"_s).toString().contains(u"differ in kind"_s));
            QVERIFY(!m.contains(u"entries"_s));
            QCOMPARE(m.value(u"per_host"_s).toObject().keys(), (QStringList { u"db1"_s, u"db2"_s }));
            QCOMPARE(
                m.value(u"per_host"_s).toObject().value(u"db1"_s).toObject().value(u"kind"_s).toString(), u"hist"_s);
            QCOMPARE(out.value(u"conflicts"_s).toArray().size(), 1);
        }
    }

    void hostStates()
    {
        const QJsonObject out = McpRunJson::formatFleet(recordedFleet());
        QCOMPARE(out.value(u"hosts_total"_s).toInt(), 3);
        QCOMPARE(out.value(u"hosts_merged"_s).toInt(), 2);
        QCOMPARE(out.value(u"coverage"_s).toString(), u"2 of 3 hosts"_s);
        const QJsonArray states = out.value(u"host_states"_s).toArray();
        QCOMPARE(states.size(), 3);
        QCOMPARE(states.at(2).toObject(),
            (QJsonObject { { u"host"_s, u"db3"_s }, { u"state"_s, u"unreachable"_s },
                { u"message"_s, u"Permission denied (publickey)"_s }, { u"maps"_s, 0 }, { u"contributes"_s, false } }));
        QVERIFY(out.value(u"summary"_s).toString().contains(u"db3 unreachable: Permission denied (publickey)"_s));
        // One map only, as get_result's 'map' asks.
        McpRunJson::MapView view;
        view.map = u"@h"_s;
        QCOMPARE(McpRunJson::formatMergedMaps(recordedFleet(), view).keys(), QStringList { u"@h"_s });
        // One host's JSON is what it always was: no breakdown fields.
        const QJsonObject single = McpRunJson::formatMaps(recordedRun(u"interval"_s)).value(u"@h"_s).toObject();
        QVERIFY(!single.contains(u"hosts"_s));
        QVERIFY(!single.value(u"buckets"_s).toArray().first().toObject().contains(u"hosts"_s));
        QVERIFY(!McpRunJson::mapSchema().value(u"properties"_s).toObject().contains(u"hosts"_s));
    }

    void emptyMapsSayEmpty()
    {
        RunResults results;
        results.insert(MapResult::emptyMap(u"@reboot"_s, u"count_t"_s, true));
        const QJsonObject map = McpRunJson::formatMaps(results).value(u"@reboot"_s).toObject();
        QVERIFY(map.value(u"empty"_s).toBool());
        QCOMPARE(map.value(u"entries"_s).toArray().size(), 0);
        QCOMPARE(map.value(u"total_entries"_s).toInt(), 0);
        QVERIFY(McpTest::checkSchema(map, McpRunJson::mapSchema()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMcpRunJson)
#include "tst_mcprunjson.moc"
