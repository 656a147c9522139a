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
