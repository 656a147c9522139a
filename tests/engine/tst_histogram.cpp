// SPDX-License-Identifier: GPL-2.0-or-later
// Histogram: bucket rules and labels, one set for the window, MCP and the text export.
#include "engine/results/histogram.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QJsonObject bucket(std::optional<qint64> min, std::optional<qint64> max, qint64 count)
{
    QJsonObject o { { u"count"_s, count } };
    if (min)
        o.insert(u"min"_s, *min);
    if (max)
        o.insert(u"max"_s, *max);
    return o;
}
} // namespace

class TestHistogram : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void histLabels_data()
    {
        QTest::addColumn<qint64>("min");
        QTest::addColumn<qint64>("max");
        QTest::addColumn<QString>("label");
        QTest::newRow("zero") << qint64(0) << qint64(0) << u"[0]"_s;
        QTest::newRow("one") << qint64(1) << qint64(1) << u"[1]"_s;
        QTest::newRow("2-4") << qint64(2) << qint64(3) << u"[2, 4)"_s;
        QTest::newRow("512-1K") << qint64(512) << qint64(1023) << u"[512, 1K)"_s;
        QTest::newRow("1K-2K") << qint64(1024) << qint64(2047) << u"[1K, 2K)"_s;
        QTest::newRow("512K-1M") << qint64(512 * 1024) << qint64(1024 * 1024 - 1) << u"[512K, 1M)"_s;
        QTest::newRow("1M-2M") << qint64(1 << 20) << qint64((2 << 20) - 1) << u"[1M, 2M)"_s;
        QTest::newRow("1G-2G") << (qint64(1) << 30) << (qint64(2) << 30) - 1 << u"[1G, 2G)"_s;
        QTest::newRow("4T-8T") << (qint64(4) << 40) << (qint64(8) << 40) - 1 << u"[4T, 8T)"_s;
    }

    void histLabels()
    {
        QFETCH(qint64, min);
        QFETCH(qint64, max);
        QFETCH(QString, label);
        QCOMPARE(Histogram::bucketLabel({ min, max, 1 }, Histogram::Scale::Log2, 1), label);
    }

    void histUnderflow()
    {
        QCOMPARE(Histogram::bucketLabel({ std::nullopt, -1, 4 }, Histogram::Scale::Log2, 1), u"(..., 0)"_s);
    }

    void lhistLabels_data()
    {
        QTest::addColumn<QJsonArray>("buckets");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("step 10") << QJsonArray { bucket(std::nullopt, -1, 1), bucket(0, 9, 2), bucket(10, 19, 3),
            bucket(100, std::nullopt, 4) }
                                 << QStringList { u"(..., 0)"_s, u"[0, 10)"_s, u"[10, 20)"_s, u"[100, ...)"_s };
        QTest::newRow("step 1 is never [n]")
            << QJsonArray { bucket(0, 0, 2), bucket(1, 1, 3) } << QStringList { u"[0, 1)"_s, u"[1, 2)"_s };
        QTest::newRow("step 1K uses suffixes")
            << QJsonArray { bucket(0, 1023, 2), bucket(1024, 2047, 3), bucket(1024 * 1024, std::nullopt, 1) }
            << QStringList { u"[0, 1K)"_s, u"[1K, 2K)"_s, u"[1M, ...)"_s };
        QTest::newRow("step 1000 does not") << QJsonArray { bucket(1000, 1999, 2), bucket(2000, 2999, 3) }
                                            << QStringList { u"[1000, 2000)"_s, u"[2000, 3000)"_s };
    }

    void lhistLabels()
    {
        QFETCH(QJsonArray, buckets);
        QFETCH(QStringList, labels);
        QCOMPARE(Histogram::bucketLabels(Histogram::parseBuckets(buckets), Histogram::Scale::Linear), labels);
    }

    void textLooksLikeBpftrace()
    {
        const QString text
            = Histogram(Histogram::Scale::Log2, Histogram::parseBuckets({ bucket(2, 3, 2), bucket(4, 7, 4) }))
                  .toText(10);
        QCOMPARE(text, u"[2, 4)    2 |@@@@@     |\n[4, 8)    4 |@@@@@@@@@@|\n"_s);
    }

    void linearDetection()
    {
        QVERIFY(Histogram::looksLinear(Histogram::parseBuckets({ bucket(0, 9, 1), bucket(10, 19, 2) })));
        QVERIFY(
            !Histogram::looksLinear(Histogram::parseBuckets({ bucket(0, 0, 1), bucket(1, 1, 1), bucket(2, 3, 2) })));
        QVERIFY(!Histogram::looksLinear(Histogram::parseBuckets({ bucket(4, 7, 1), bucket(1024, 2047, 2) })));
        QVERIFY(!Histogram::looksLinear(Histogram::parseBuckets({ bucket(8, 15, 1) })));
    }

    void scaleIsDecidedOnce()
    {
        // bpftrace 0.23 prints lhist() as "hist": the buckets decide, and "lhist" always is linear.
        const QJsonArray linear { bucket(0, 9, 1), bucket(10, 19, 2) };
        QVERIFY(Histogram::fromJson(linear, false).isLinear());
        const QJsonArray log2 { bucket(0, 0, 1), bucket(1, 1, 1), bucket(2, 3, 2) };
        QVERIFY(!Histogram::fromJson(log2, false).isLinear());
        QVERIFY(Histogram::fromJson(log2, true).isLinear());
        const Histogram h = Histogram::fromJson(log2, false);
        QCOMPARE(h.totalCount(), 4);
        QCOMPARE(h.maxCount(), 2);
        QCOMPARE(Histogram::fromJson(h.toJson(), false), h);
    }
};

QTEST_MAIN(TestHistogram)
#include "tst_histogram.moc"
