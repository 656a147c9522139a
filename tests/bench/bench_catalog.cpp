// SPDX-License-Identifier: GPL-2.0-or-later
// Probe catalog at desktop size: parse time of a 150,000-line `bpftrace -l` listing and filter
// time (substring, glob, provider), each beside a straightforward baseline over the same data
// measured in the same run. Size: TRACEDESK_BENCH_PROBES, else 15,000 x TRACEDESK_BENCH_SCALE, so
// the normal test run stays quick; `tools/dev bench` also runs it at 150,000 (bench_catalog_150k).
#include "engine/probecatalog.h"

#include "../engine/syntheticprobes.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

int probeCount()
{
    bool ok = false;
    const int n = qEnvironmentVariableIntValue("TRACEDESK_BENCH_PROBES", &ok);
    if (ok && n > 0)
        return n;
    // Same knob as the other benchmarks: TRACEDESK_BENCH_SCALE=10 gives the desktop size.
    const int scale = qEnvironmentVariableIntValue("TRACEDESK_BENCH_SCALE", &ok);
    return 15000 * (ok && scale > 0 ? scale : 1);
}

// Median of `reps` runs, in microseconds.
template<typename F> double medianUs(int reps, F &&f)
{
    QList<double> times;
    for (int i = 0; i < reps; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        times.append(t.nsecsElapsed() / 1000.0);
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

void report(const char *what, double oursUs, double baselineUs)
{
    qInfo("%-34s ours %10.1f us   baseline %10.1f us   ratio ours/baseline %.3f (%.1fx faster)", what, oursUs,
        baselineUs, oursUs / baselineUs, baselineUs / oursUs);
}

} // namespace

class BenchCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parse();
    void substring();
    void glob();
    void provider();

private:
    QByteArray m_listing;
    std::shared_ptr<ProbeSnapshot> m_snapshot;
};

void BenchCatalog::initTestCase()
{
    m_listing = SyntheticProbes::listing(probeCount());
    m_snapshot = ProbeCatalog::parseListing(m_listing);
    qInfo("probes: %lld (listing %lld bytes)", qint64(m_snapshot->probes.size()), qint64(m_listing.size()));
}

void BenchCatalog::parse()
{
    // Baseline: split into lines, decode, sort; no validation, no dedupe, no index.
    const double baseline = medianUs(3, [this] {
        const QList<QByteArray> lines = m_listing.split('\n');
        QStringList list;
        list.reserve(lines.size());
        for (const QByteArray &l : lines) {
            if (!l.isEmpty())
                list.append(QString::fromUtf8(l));
        }
        list.sort();
        QVERIFY(list.size() >= m_snapshot->probes.size());
    });
    const double ours = medianUs(
        3, [this] { QCOMPARE(ProbeCatalog::parseListing(m_listing)->probes.size(), m_snapshot->probes.size()); });
    report("parse listing", ours, baseline);
}

void BenchCatalog::substring()
{
    for (const QString &pattern : { u"openat"_s, u"VFS_READ"_s, u"nothing-matches-this"_s }) {
        ProbeQuery q;
        q.pattern = pattern;
        q.limit = 200;
        ProbeQueryResult result;
        const double ours = medianUs(7, [&] { result = ProbeCatalog::query(*m_snapshot, q); });
        QStringList expected;
        const double baseline
            = medianUs(7, [&] { expected = m_snapshot->probes.filter(pattern, Qt::CaseInsensitive); });
        QCOMPARE(result.total, expected.size());
        QCOMPARE(result.probes, expected.mid(0, 200));
        report(qPrintable(u"substring \""_s + pattern + u'"'), ours, baseline);
    }
}

void BenchCatalog::glob()
{
    for (const QString &pattern : { u"tracepoint:syscalls:*open*"_s, u"kfunc:vmlinux:tcp_*"_s, u"*_read_*"_s }) {
        ProbeQuery q;
        q.pattern = pattern;
        q.limit = 200;
        ProbeQueryResult result;
        const double ours = medianUs(5, [&] { result = ProbeCatalog::query(*m_snapshot, q); });
        // Baseline: the same regular expression tried on every probe.
        QStringList expected;
        const double baseline = medianUs(5, [&] {
            QRegularExpression re(
                QRegularExpression::wildcardToRegularExpression(pattern, QRegularExpression::NonPathWildcardConversion),
                QRegularExpression::CaseInsensitiveOption);
            expected.clear();
            for (const QString &p : m_snapshot->probes) {
                if (re.matchView(p).hasMatch())
                    expected.append(p);
            }
        });
        QCOMPARE(result.total, expected.size());
        QCOMPARE(result.probes, expected.mid(0, 200));
        report(qPrintable(u"glob \""_s + pattern + u'"'), ours, baseline);
    }
}

void BenchCatalog::provider()
{
    for (const QString &provider : { u"tracepoint"_s, u"kprobe"_s }) {
        ProbeQuery q;
        q.provider = provider;
        q.pattern = u"read"_s;
        q.limit = 200;
        ProbeQueryResult result;
        const double ours = medianUs(7, [&] { result = ProbeCatalog::query(*m_snapshot, q); });
        QStringList expected;
        const QString prefix = provider + u':';
        const double baseline = medianUs(7, [&] {
            expected.clear();
            for (const QString &p : m_snapshot->probes) {
                if (p.startsWith(prefix) && p.contains(u"read"_s, Qt::CaseInsensitive))
                    expected.append(p);
            }
        });
        QCOMPARE(result.total, expected.size());
        QCOMPARE(result.probes, expected.mid(0, 200));
        report(qPrintable(u"provider " + provider + u" + \"read\""_s), ours, baseline);
    }
}

QTEST_GUILESS_MAIN(BenchCatalog)
#include "bench_catalog.moc"
