// SPDX-License-Identifier: GPL-2.0-or-later
// How long merging one stack map from three hosts takes (30,000 stacks each at the default scale, most on every host),
// against the least any merge does: summing every entry's value into a hash by its key text.
#include "../engine/syntheticstacks.h"
#include "engine/results/fleetresults.h"

#include <QElapsedTimer>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
int scale()
{
    const int s = qEnvironmentVariableIntValue("TRACEDESK_BENCH_SCALE");
    return s > 0 ? s : 1;
}

// Host `host`'s print of the map: the shared stacks with counts of its own, and every tenth
// stack renamed so that it is on this host only.
MapResult hostMap(const MapResult &stacks, int host)
{
    QList<MapEntry> entries = stacks.entries();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        MapKeyPart &part = entries[i].key.parts.first();
        if (i % 10 == host)
            part.stack.frames.first().symbol += u"_on_%1"_s.arg(host);
        part.text = part.stack.text(); // as the parser keeps it
        entries[i].value = MapValue::fromInteger(entries.at(i).value.integer() + host);
    }
    return MapResult::fromEntries(stacks.name(), MapResult::Kind::Map, entries, { u"kstack"_s });
}
} // namespace

class BenchMerge : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void merge()
    {
        const int stacks = 30000 * scale();
        const MapResult shared = SyntheticStacks::many(stacks, 20);
        QList<HostResults> hosts;
        for (int h = 0; h < 3; ++h) {
            RunResults results;
            results.insert(hostMap(shared, h));
            hosts.append(HostResults { u"host%1"_s.arg(h), HostRunState::Finished, QString(), results });
        }

        QElapsedTimer timer;
        timer.start();
        QHash<QString, qint64> sums;
        for (const HostResults &host : std::as_const(hosts)) {
            for (const MapEntry &entry : host.results.find(u"@stacks"_s)->entries())
                sums[entry.key.text()] += entry.value.integer();
        }
        const qint64 baselineNs = timer.nsecsElapsed();

        timer.start();
        const FleetResults fleet = FleetResults::merge(hosts, { { u"@stacks"_s, u"count_t"_s } });
        const qint64 mergeNs = timer.nsecsElapsed();
        const MergedMap *map = fleet.find(u"@stacks"_s);
        QVERIFY(map);
        QCOMPARE(map->entries().size(), sums.size());
        timer.start();
        const StackTree merged = fleet.stackTree(u"@stacks"_s);
        const qint64 treeNs = timer.nsecsElapsed();
        timer.start();
        const StackTree byHost = fleet.stackTree(u"@stacks"_s, {}, true);
        const qint64 byHostNs = timer.nsecsElapsed();
        timer.start();
        const StackTree one = StackTree::fromMap(*hosts.first().results.find(u"@stacks"_s));
        const qint64 oneNs = timer.nsecsElapsed();
        QCOMPARE(byHost.total(), merged.total());

        const double ms = 1e6;
        const double ratio = double(mergeNs) / double(baselineNs);
        const QString report
            = u"merge: 3 hosts x %1 stacks, %2 distinct\n"
              "  baseline (sum into a hash by key text): %3 ms\n"
              "  FleetResults::merge:                    %4 ms\n"
              "  ratio merge/baseline: %5\n"
              "  merged flame graph tree: %6 ms; with a host level: %7 ms; one host's tree: %8 ms"_s.arg(stacks)
                  .arg(sums.size())
                  .arg(double(baselineNs) / ms, 0, 'f', 1)
                  .arg(double(mergeNs) / ms, 0, 'f', 1)
                  .arg(ratio, 0, 'f', 2)
                  .arg(double(treeNs) / ms, 0, 'f', 1)
                  .arg(double(byHostNs) / ms, 0, 'f', 1)
                  .arg(double(oneNs) / ms, 0, 'f', 1);
        std::printf("%s\n", qPrintable(report));
        // A guard against pathologies (a quadratic key search), against the same run's baseline.
        QVERIFY2(ratio < 50, qPrintable(report));
    }
};

QTEST_GUILESS_MAIN(BenchMerge)
#include "bench_merge.moc"
