// SPDX-License-Identifier: GPL-2.0-or-later
// RunResults: the maps of a run and the series of their prints, bounded, merged and stored.
#include "engine/results/runresults.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
MapResult counts(qint64 value, int keys = 1)
{
    QJsonObject data;
    for (int k = 0; k < keys; ++k)
        data.insert(u"key%1"_s.arg(k), value);
    return MapResult::fromBpftraceJson(u"@s"_s, u"map"_s, data);
}

QList<qint64> times(const MapSeries &series)
{
    QList<qint64> out;
    for (const MapSnapshot &snapshot : series.snapshots)
        out.append(snapshot.msSinceStart);
    return out;
}
} // namespace

class TestRunResults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void snapshotsInOrder()
    {
        RunResults results;
        QVERIFY(!results.series(u"@s"_s));
        results.appendSnapshot(1000, counts(1));
        results.appendSnapshot(2000, counts(2));
        QCOMPARE(results.seriesNames(), QStringList { u"@s"_s });
        const MapSeries *series = results.series(u"@s"_s);
        QCOMPARE(times(*series), (QList<qint64> { 1000, 2000 }));
        QCOMPARE(series->snapshots.last().map.entries().first().value.integer(), 2);
        QVERIFY(series->bytes > 0);
        QCOMPARE(results.seriesBytes(), series->bytes);
    }

    void snapshotCapThinsTheOlderHalf()
    {
        RunResults results;
        results.setSeriesLimits(4, 0);
        for (qint64 ms = 0; ms < 5; ++ms)
            results.appendSnapshot(ms, counts(ms));
        // Five is one too many: of the older half (0, 1) every other one goes.
        QCOMPARE(times(*results.series(u"@s"_s)), (QList<qint64> { 0, 2, 3, 4 }));
        QCOMPARE(results.series(u"@s"_s)->dropped, 1);
        for (qint64 ms = 5; ms < 1000; ++ms)
            results.appendSnapshot(ms, counts(ms));
        const MapSeries *series = results.series(u"@s"_s);
        QVERIFY(series->size() <= 4);
        QCOMPARE(series->snapshots.first().msSinceStart, 0); // the start stays in view
        QCOMPARE(series->snapshots.last().msSinceStart, 999); // and the newest
        QCOMPARE(series->dropped + series->size(), 1000);
        QCOMPARE(results.snapshotsDropped(), series->dropped);
    }

    void byteCapThinsTheLargestSeries()
    {
        RunResults results;
        const qint64 big = counts(1, 200).estimatedBytes();
        results.setSeriesLimits(0, 20 * big);
        for (qint64 ms = 0; ms < 100; ++ms) {
            results.appendSnapshot(ms, counts(ms, 200));
            MapResult small = MapResult::fromBpftraceJson(u"@t"_s, u"map"_s, QJsonObject { { u"a"_s, ms } });
            results.appendSnapshot(ms, small);
        }
        QVERIFY2(results.seriesBytes() <= 20 * big, qPrintable(QString::number(results.seriesBytes())));
        QVERIFY(results.series(u"@s"_s)->dropped > 0);
        QCOMPARE(results.series(u"@t"_s)->dropped, 0); // the small one did not have to give way
        QCOMPARE(results.series(u"@t"_s)->size(), 100);
    }

    // Snapshots so big that two or three pass the byte cap: thinning frees the oldest and ends
    // (it used to drop nothing at these sizes and spin for ever).
    void byteCapWithFewHugeSnapshotsEnds()
    {
        RunResults results;
        const qint64 big = counts(1, 500).estimatedBytes();
        results.setSeriesLimits(0, big + big / 2);
        for (qint64 ms = 0; ms < 4; ++ms)
            results.appendSnapshot(ms, counts(ms, 500));
        const MapSeries *series = results.series(u"@s"_s);
        QCOMPARE(times(*series), (QList<qint64> { 3 }));
        QCOMPARE(series->dropped, 3);
        // One snapshot alone over the cap stays: the newest print is never dropped.
        results.setSeriesLimits(0, big / 2);
        results.appendSnapshot(4, counts(4, 500));
        QCOMPARE(times(*results.series(u"@s"_s)), (QList<qint64> { 4 }));
    }

    void mergeGathersBatches()
    {
        RunResults run;
        RunResults batch;
        batch.appendSnapshot(10, counts(1));
        batch.insert(counts(1));
        run.merge(batch);
        RunResults next;
        next.appendSnapshot(20, counts(5));
        next.insert(counts(5));
        next.setSeriesDelta(u"@s"_s, true);
        run.merge(next);
        QCOMPARE(times(*run.series(u"@s"_s)), (QList<qint64> { 10, 20 }));
        QVERIFY(run.series(u"@s"_s)->delta);
        QCOMPARE(run.find(u"@s"_s)->entries().first().value.integer(), 5);
    }

    void dropSnapshotTakesOnlyThatOne()
    {
        RunResults results;
        results.appendSnapshot(10, counts(1));
        results.appendSnapshot(20, counts(2));
        results.dropSnapshot(u"@s"_s, 10); // not the latest: stays
        QCOMPARE(results.series(u"@s"_s)->size(), 2);
        results.dropSnapshot(u"@s"_s, 20);
        QCOMPARE(times(*results.series(u"@s"_s)), QList<qint64> { 10 });
        results.dropSnapshot(u"@s"_s, 10);
        QVERIFY(!results.series(u"@s"_s)); // a series without snapshots goes
        QCOMPARE(results.seriesBytes(), 0);
    }

    void keyTypesReachEverySnapshot()
    {
        RunResults results;
        const MapResult map = MapResult::fromBpftraceJson(u"@p"_s, u"map"_s, QJsonObject { { u"12,13"_s, 1 } });
        results.appendSnapshot(1, map);
        results.insert(map);
        results.setKeyTypes(u"@p"_s, { u"string[16]"_s, u"string[16]"_s });
        QCOMPARE(results.find(u"@p"_s)->keyTypes().size(), 2);
        const MapKey &key = results.series(u"@p"_s)->snapshots.first().map.entries().first().key;
        QCOMPARE(key.parts.size(), 2);
        QCOMPARE(key.parts.first().type, MapKeyPart::Type::Text); // strings now, not guessed integers
    }

    void storedSeriesRoundTrip()
    {
        RunResults results;
        results.appendSnapshot(1000, counts(1));
        results.appendSnapshot(2000, counts(2));
        results.setSeriesDelta(u"@s"_s, true);
        results.insert(counts(2));
        const QJsonObject stored = results.seriesToJson();
        QCOMPARE(stored.value("@s"_L1).toObject().value("snapshots"_L1).toArray().size(), 2);
        RunResults back = RunResults::fromJson(results.toJson());
        back.seriesFromJson(QJsonDocument::fromJson(QJsonDocument(stored).toJson()).object());
        QCOMPARE(back.series(u"@s"_s)->snapshots, results.series(u"@s"_s)->snapshots);
        QVERIFY(back.series(u"@s"_s)->delta);
        QCOMPARE(back.seriesBytes(), results.seriesBytes());
        // The maps' stored form is what it always was: {"@name": {"kind", "data"}}.
        QCOMPARE(results.toJson().value("@s"_L1).toObject().value("kind"_L1).toString(), u"map"_s);
    }
};

QTEST_GUILESS_MAIN(TestRunResults)
#include "tst_runresults.moc"
