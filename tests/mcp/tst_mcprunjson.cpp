// SPDX-License-Identifier: GPL-2.0-or-later
// McpRunJson: bpftrace's histogram bucket labels and the shapes of formatted maps.
#include "mcp/mcprunjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

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
};

QTEST_GUILESS_MAIN(TestMcpRunJson)
#include "tst_mcprunjson.moc"
