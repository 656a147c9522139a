// SPDX-License-Identifier: GPL-2.0-or-later
// A fleet run made up for the window's tests and screenshots: "what is the disk latency on the
// database hosts", asked of four hosts, three answering (one of them slow), one unreachable.
#pragma once

#include "chartdata.h"

#include "../engine/syntheticstacks.h"

#include "engine/results/fleetresults.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>

namespace FleetData {
using namespace Qt::StringLiterals;

/// `@usecs = hist(...)`, `@ios[comm] = count()`, `@bytes = stats(...)` and a CPU profile
/// `@samples[comm, kstack] = count()` on db1..db3; db4 could not be reached.
inline FleetResults databases()
{
    QList<HostResults> hosts;
    const QList<std::pair<QString, double>> peaks { { u"db1"_s, 7.0 }, { u"db2"_s, 7.4 }, { u"db3"_s, 10.5 } };
    for (int h = 0; h < peaks.size(); ++h) {
        RunResults results;
        QList<std::array<qint64, 3>> buckets;
        for (int bucket = 4; bucket <= 14; ++bucket) {
            const double spread = (bucket - peaks.at(h).second) / 1.3;
            const auto count = qint64((h == 2 ? 1800 : 4200) * std::exp(-spread * spread));
            if (count > 5)
                buckets.append({ qint64(1) << bucket, (qint64(1) << (bucket + 1)) - 1, count });
        }
        results.insert(ChartData::histogram(u"@usecs"_s, buckets));
        QJsonObject ios { { u"postgres"_s, 9000 - 2500 * h }, { u"jbd2/sda1-8"_s, 700 + 100 * h },
            { u"kworker/u16:2"_s, 300 + 40 * h } };
        if (h == 2)
            ios.insert(u"pg_dump"_s, 5200); // only the slow host runs the backup
        results.insert(ChartData::counts(u"@ios"_s, ios));
        results.insert(MapResult::fromBpftraceJson(u"@bytes"_s, u"stats"_s,
            QJsonObject { { u"count"_s, 10000 - 2000 * h }, { u"average"_s, 8192 + 4096 * h },
                { u"total"_s, qint64(10000 - 2000 * h) * (8192 + 4096 * h) } }));
        QList<MapEntry> samples;
        const MapResult profile = SyntheticStacks::profile();
        for (qsizetype i = 0; i < profile.entries().size(); ++i) {
            if ((i + h) % 5 == 0)
                continue; // not every stack on every host
            const MapEntry &entry = profile.entries().at(i);
            samples.append({ entry.key, MapValue::fromInteger(entry.value.integer() * (h + 1) / 2 + 1) });
        }
        results.insert(MapResult::fromEntries(u"@samples"_s, MapResult::Kind::Map, samples, profile.keyTypes()));
        hosts.append(HostResults { peaks.at(h).first, HostRunState::Finished, QString(), results });
    }
    hosts.append(HostResults {
        u"db4"_s, HostRunState::Unreachable, u"ssh: connect to host db4 port 22: Connection refused"_s, {} });
    return FleetResults::merge(hosts,
        { { u"@usecs"_s, u"hist_t"_s }, { u"@ios"_s, u"count_t"_s }, { u"@bytes"_s, u"stats_t"_s },
            { u"@samples"_s, u"count_t"_s } });
}
} // namespace FleetData
