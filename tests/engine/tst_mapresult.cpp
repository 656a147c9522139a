// SPDX-License-Identifier: GPL-2.0-or-later
// MapResult and RunResults: bpftrace's JSON parsed once into typed maps, and back.
#include "engine/results/runresults.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}
} // namespace

class TestMapResult : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shapes_data()
    {
        QTest::addColumn<QByteArray>("stored");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("keyed");
        QTest::addColumn<int>("entries");
        QTest::addColumn<QString>("text");
        QTest::newRow("count by key") << QByteArray(R"({"kind":"map","data":{"bash":18,"sshd":3}})") << u"map"_s << true
                                      << 2 << u"@x[bash]: 18\n@x[sshd]: 3\n"_s;
        QTest::newRow("scalar") << QByteArray(R"({"kind":"map","data":42})") << u"map"_s << false << 1 << u"@x: 42\n"_s;
        QTest::newRow("stats") << QByteArray(R"({"kind":"stats","data":{"count":2,"average":15,"total":30}})")
                               << u"stats"_s << false << 1 << u"@x: count 2, average 15, total 30\n"_s;
        QTest::newRow("stats printed as map")
            << QByteArray(R"({"kind":"map","data":{"k":{"count":1,"average":3,"total":3}}})") << u"stats"_s << true << 1
            << u"@x[k]: count 1, average 3, total 3\n"_s;
        QTest::newRow("avg scalar") << QByteArray(R"({"kind":"stats","data":5})") << u"stats"_s << false << 1
                                    << u"@x: 5\n"_s;
        QTest::newRow("tuple value") << QByteArray(R"({"kind":"map","data":{"k":[1,"a"]}})") << u"map"_s << true << 1
                                     << u"@x[k]: (1, a)\n"_s;
        QTest::newRow("string") << QByteArray(R"({"kind":"map","data":"hello"})") << u"map"_s << false << 1
                                << u"@x: hello\n"_s;
        QTest::newRow("lhist printed as hist")
            << QByteArray(R"({"kind":"hist","data":[{"min":0,"max":9,"count":4},{"min":10,"max":19,"count":2}]})")
            << u"lhist"_s << false << 1 << u"@x:\n[0, 10)     4 |"_s;
        QTest::newRow("keyed hist") << QByteArray(R"({"kind":"hist","data":{"a":[{"min":8,"max":15,"count":1}]}})")
                                    << u"hist"_s << true << 1 << u"@x[a]:\n[8, 16)    1 |"_s;
        QTest::newRow("bare value of the first history files")
            << QByteArray(R"({"bash":1})") << u"map"_s << true << 1 << u"@x[bash]: 1\n"_s;
    }

    void shapes()
    {
        QFETCH(QByteArray, stored);
        QFETCH(QString, kind);
        QFETCH(bool, keyed);
        QFETCH(int, entries);
        QFETCH(QString, text);
        const MapResult map = MapResult::fromJson(u"@x"_s, QJsonDocument::fromJson(stored).object());
        QCOMPARE(map.name(), u"@x"_s);
        QCOMPARE(map.kindName(), kind);
        QCOMPARE(map.isKeyed(), keyed);
        QCOMPARE(map.entryCount(), entries);
        QVERIFY2(map.toText().startsWith(text), qPrintable(map.toText()));
        // The stored form reads back to the same map.
        QCOMPARE(MapResult::fromJson(u"@x"_s, map.toJson()), map);
    }

    void storedFormIsWhatBpftracePrinted()
    {
        const QJsonObject stored = json(R"({
            "@lat": {"kind": "hist", "data": {"bash": [{"min": 0, "max": 9, "count": 4}, {"min": 10, "count": 2}]}},
            "@sizes": {"kind": "stats", "data": {"count": 12, "average": 340, "total": 4080}},
            "@n": {"kind": "map", "data": {"a,1": 1, "b,2": 7}}
        })");
        const RunResults results = RunResults::fromJson(stored);
        QCOMPARE(results.size(), 3);
        QCOMPARE(results.toJson(), stored);
        QCOMPARE(results.names(), (QStringList { u"@lat"_s, u"@n"_s, u"@sizes"_s }));
        QVERIFY(!results.find(u"@none"_s));
        QCOMPARE(results.find(u"@n"_s)->entries().at(1).value.integer(), 7);
    }

    void entriesByWeight()
    {
        const MapResult map
            = MapResult::fromJson(u"@o"_s, json(R"({"kind":"map","data":{"a":9,"b":10,"c":100,"d":2,"e":10}})"));
        QStringList keys;
        for (const MapEntry &entry : map.entriesByWeight(4))
            keys.append(entry.key.text());
        QCOMPARE(keys, (QStringList { u"c"_s, u"b"_s, u"e"_s, u"a"_s }));
    }

    void keyedHistogramHasOneScale()
    {
        // Key "a" alone looks like log2 ([256, 512)); key "b" shows the lhist's step of 256.
        const MapResult map = MapResult::fromJson(u"@h"_s, json(R"({"kind": "hist", "data": {
            "a": [{"min": 256, "max": 511, "count": 1}],
            "b": [{"min": 0, "max": 255, "count": 2}, {"min": 256, "max": 511, "count": 3}]}})"));
        QCOMPARE(map.kindName(), u"lhist"_s);
        for (const MapEntry &entry : map.entries())
            QVERIFY2(entry.value.histogram()->isLinear(), qPrintable(entry.key.text()));
        QCOMPARE(map.entries().first().value.histogram()->labels(), QStringList { u"[256, 512)"_s });
    }

    void hugeIntegersStayNumbers()
    {
        // A u64 past 2^63 (e.g. -1 as u64) arrives as a double: kept as a number, not cast.
        const MapValue big = MapValue::fromJson(QJsonValue(18446744073709551615.0));
        QCOMPARE(big.type(), MapValue::Type::Real);
        QCOMPARE(MapValue::fromJson(QJsonValue(-9223372036854775808.0)).type(), MapValue::Type::Integer);
    }

    void insertReplacesAWholeMap()
    {
        RunResults results;
        results.insertBpftraceJson(u"map"_s, json(R"({"@a": {"x": 1, "y": 2}, "@b": 3})"));
        results.insertBpftraceJson(u"map"_s, json(R"({"@a": {"z": 5}})"));
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.find(u"@a"_s)->entryCount(), 1);
        QCOMPARE(results.find(u"@a"_s)->entries().first().key.text(), u"z"_s);
    }

    void valueText()
    {
        QCOMPARE(MapValue::fromJson(QJsonValue(1e15)).text(), u"1000000000000000"_s);
        QCOMPARE(MapValue::fromJson(QJsonValue(2.5)).text(), u"2.5"_s);
        QCOMPARE(MapValue::fromJson(QJsonObject { { u"a"_s, 1 } }).text(), u"{ a: 1 }"_s);
        QCOMPARE(MapValue::fromJson(QJsonValue()).type(), MapValue::Type::Empty);
    }
};

QTEST_MAIN(TestMapResult)
#include "tst_mapresult.moc"
