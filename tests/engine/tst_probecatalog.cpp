// SPDX-License-Identifier: GPL-2.0-or-later
#include "../threadcputime.h"
#include "engine/privilege.h"
#include "engine/probecatalog.h"
#include "syntheticprobes.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString dataDir()
{
    return QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/engine/data");
}

Privilege fakePrivilege(const QString &bpftrace)
{
    Privilege::Environment env;
    env.isRoot = true;
    env.bpftracePath = bpftrace;
    return Privilege(PrivilegeMode::Direct, env);
}

QByteArray smallListing()
{
    return "tracepoint:syscalls:sys_enter_openat\n"
           "tracepoint:syscalls:sys_exit_openat\n"
           "tracepoint:syscalls:sys_enter_read\n"
           "tracepoint:sched:sched_switch\n"
           "kprobe:do_sys_openat2\n"
           "kprobe:vfs_read\n"
           "kprobe:vfs_write\n"
           "kfunc:vmlinux:vfs_open\n"
           "kfunc:ext4:ext4_file_open\n"
           "software:cpu-clock:\n"
           "hardware:cpu-cycles:\n"
           "uprobe:/usr/lib/libc.so.6:malloc\n";
}

} // namespace

class TestProbeCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parseListing_data();
    void parseListing();
    void providerIndex();
    void query_data();
    void query();
    void paging();
    void cacheRoundTrip();
    void cacheRejectsForeignOrDamaged_data();
    void cacheRejectsForeignOrDamaged();
    void cacheFileNames();
    void parseDetails_data();
    void parseDetails();
    void largeListingStaysFast();
    void asyncLoadThenCache();
    void forceRefreshRunsBpftrace();
    void loadFailures_data();
    void loadFailures();
    void describeIsCachedAndCoalesced();
    void describeUnknownAndInvalid();
    void describeSkipsDeadContext();

private:
    QTemporaryDir m_tmp;
    QString m_fake;
    QString m_listing;
    QString m_log;
    void setFakeEnv(const QByteArray &mode = "ok");
    QStringList logLines() const;
};

void TestProbeCatalog::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_fake = dataDir() + u"/fake-bpftrace.sh"_s;
    QVERIFY(QFileInfo(m_fake).isExecutable());
    m_listing = m_tmp.filePath(u"listing.txt"_s);
    QFile f(m_listing);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(smallListing());
    f.write("WARNING: The kernel contains bpf_iter__task struct but does not support it.\n");
    f.close();
    m_log = m_tmp.filePath(u"calls.log"_s);
}

void TestProbeCatalog::setFakeEnv(const QByteArray &mode)
{
    qputenv("FAKE_BPFTRACE_LOG", m_log.toLocal8Bit());
    qputenv("FAKE_BPFTRACE_LISTING", m_listing.toLocal8Bit());
    qputenv("FAKE_BPFTRACE_DATA", dataDir().toLocal8Bit());
    qputenv("FAKE_BPFTRACE_MODE", mode);
    QFile::remove(m_log);
}

QStringList TestProbeCatalog::logLines() const
{
    QFile f(m_log);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLocal8Bit(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
}

void TestProbeCatalog::parseListing_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<int>("skipped");

    QTest::newRow("plain") << QByteArray("kprobe:b\nkprobe:a\n") << QStringList { u"kprobe:a"_s, u"kprobe:b"_s } << 0;
    QTest::newRow("partial last line") << QByteArray("kprobe:a\nkprobe:b")
                                       << QStringList { u"kprobe:a"_s, u"kprobe:b"_s } << 0;
    QTest::newRow("blank and CRLF") << QByteArray("\n\r\nkprobe:a\r\n  \ntracepoint:x:y\r\n")
                                    << QStringList { u"kprobe:a"_s, u"tracepoint:x:y"_s } << 0;
    QTest::newRow("warnings skipped") << QByteArray(
        "WARNING: The kernel contains bpf_iter__udp struct\nkprobe:a\nERROR: oops: x\n")
                                      << QStringList { u"kprobe:a"_s } << 2;
    QTest::newRow("duplicates") << QByteArray("kprobe:a\nkprobe:a\nkprobe:a\n") << QStringList { u"kprobe:a"_s } << 0;
    QTest::newRow("garbage") << QByteArray("\x01\x02garbage\n:nothing\nno colon here\nkprobe:a\n")
                             << QStringList { u"kprobe:a"_s } << 3;
    QTest::newRow("invalid utf-8") << QByteArray("kprobe:\xff\xfe\nkprobe:ok\n") << QStringList { u"kprobe:ok"_s } << 1;
    QTest::newRow("oversize line") << (QByteArray("kprobe:") + QByteArray(5000, 'x') + "\nkprobe:a\n")
                                   << QStringList { u"kprobe:a"_s } << 1;
    QTest::newRow("uppercase provider is junk")
        << QByteArray("Kprobe:a\nkprobe:a\n") << QStringList { u"kprobe:a"_s } << 1;
    QTest::newRow("uprobe paths and trailing colons")
        << QByteArray("uprobe:/usr/lib/libc.so.6:malloc\nsoftware:cpu-clock:\n")
        << QStringList { u"software:cpu-clock:"_s, u"uprobe:/usr/lib/libc.so.6:malloc"_s } << 0;
    QTest::newRow("empty") << QByteArray() << QStringList {} << 0;
}

void TestProbeCatalog::parseListing()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, expected);
    QFETCH(int, skipped);
    const auto snapshot = ProbeCatalog::parseListing(input);
    QCOMPARE(snapshot->probes, expected);
    QCOMPARE(snapshot->skippedLines, skipped);
}

void TestProbeCatalog::providerIndex()
{
    const auto snapshot = ProbeCatalog::parseListing(smallListing());
    QCOMPARE(snapshot->providers,
        (QStringList { u"hardware"_s, u"kfunc"_s, u"kprobe"_s, u"software"_s, u"tracepoint"_s, u"uprobe"_s }));
    QCOMPARE(snapshot->providerCounts.value(u"tracepoint"_s), 4);
    QCOMPARE(snapshot->providerCounts.value(u"kprobe"_s), 3);
    int total = 0;
    for (const QString &provider : snapshot->providers) {
        const auto range = snapshot->providerRanges.value(provider);
        QCOMPARE(range.second - range.first, snapshot->providerCounts.value(provider));
        for (int i = range.first; i < range.second; ++i)
            QVERIFY(snapshot->probes.at(i).startsWith(provider + u':'));
        total += range.second - range.first;
    }
    QCOMPARE(total, snapshot->probes.size());
}

void TestProbeCatalog::query_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("everything") << QString() << QString() << ProbeCatalog::parseListing(smallListing())->probes;
    QTest::newRow("substring") << u"openat"_s << QString()
                               << QStringList { u"kprobe:do_sys_openat2"_s, u"tracepoint:syscalls:sys_enter_openat"_s,
                                      u"tracepoint:syscalls:sys_exit_openat"_s };
    QTest::newRow("substring is case-insensitive") << u"VFS_R"_s << QString() << QStringList { u"kprobe:vfs_read"_s };
    QTest::newRow("glob from the issue") << u"tracepoint:syscalls:*open*"_s << QString()
                                         << QStringList { u"tracepoint:syscalls:sys_enter_openat"_s,
                                                u"tracepoint:syscalls:sys_exit_openat"_s };
    QTest::newRow("glob matches whole name") << u"vfs_*"_s << QString() << QStringList {};
    QTest::newRow("glob crosses colons") << u"*vfs_*"_s << QString()
                                         << QStringList { u"kfunc:vmlinux:vfs_open"_s, u"kprobe:vfs_read"_s,
                                                u"kprobe:vfs_write"_s };
    QTest::newRow("glob question mark") << u"kprobe:vfs_?ead"_s << QString() << QStringList { u"kprobe:vfs_read"_s };
    QTest::newRow("glob class") << u"kprobe:vfs_[rw]*"_s << QString()
                                << QStringList { u"kprobe:vfs_read"_s, u"kprobe:vfs_write"_s };
    QTest::newRow("glob is case-insensitive")
        << u"KPROBE:VFS_*"_s << QString() << QStringList { u"kprobe:vfs_read"_s, u"kprobe:vfs_write"_s };
    QTest::newRow("glob over paths") << u"uprobe:*libc*:malloc"_s << QString()
                                     << QStringList { u"uprobe:/usr/lib/libc.so.6:malloc"_s };
    QTest::newRow("broken glob matches nothing") << u"kprobe:[vfs"_s << QString() << QStringList {};
    QTest::newRow("provider") << QString() << u"kprobe"_s
                              << QStringList { u"kprobe:do_sys_openat2"_s, u"kprobe:vfs_read"_s,
                                     u"kprobe:vfs_write"_s };
    QTest::newRow("provider with colon") << QString() << u"kfunc:"_s
                                         << QStringList { u"kfunc:ext4:ext4_file_open"_s, u"kfunc:vmlinux:vfs_open"_s };
    QTest::newRow("provider alias fentry -> kfunc")
        << QString() << u"fentry"_s << QStringList { u"kfunc:ext4:ext4_file_open"_s, u"kfunc:vmlinux:vfs_open"_s };
    QTest::newRow("provider alias t") << u"sched"_s << u"t"_s << QStringList { u"tracepoint:sched:sched_switch"_s };
    QTest::newRow("provider and substring")
        << u"open"_s << u"tracepoint"_s
        << QStringList { u"tracepoint:syscalls:sys_enter_openat"_s, u"tracepoint:syscalls:sys_exit_openat"_s };
    QTest::newRow("provider and glob") << u"*read*"_s << u"kprobe"_s << QStringList { u"kprobe:vfs_read"_s };
    QTest::newRow("unknown provider") << QString() << u"usdt"_s << QStringList {};
    QTest::newRow("no match") << u"nothing-like-this"_s << QString() << QStringList {};
}

void TestProbeCatalog::query()
{
    QFETCH(QString, pattern);
    QFETCH(QString, provider);
    QFETCH(QStringList, expected);
    const auto snapshot = ProbeCatalog::parseListing(smallListing());
    ProbeQuery q;
    q.pattern = pattern;
    q.provider = provider;
    q.limit = 1000;
    const ProbeQueryResult result = ProbeCatalog::query(*snapshot, q);
    QCOMPARE(result.probes, expected);
    QCOMPARE(result.total, expected.size());
    QCOMPARE(result.nextOffset, -1);
}

void TestProbeCatalog::paging()
{
    const auto snapshot = ProbeCatalog::parseListing(SyntheticProbes::listing(5000));
    for (const QString &pattern : { QString(), u"vfs"_s, u"kprobe:*_read_*"_s }) {
        ProbeQuery all;
        all.pattern = pattern;
        all.limit = 100000;
        const ProbeQueryResult full = ProbeCatalog::query(*snapshot, all);
        QVERIFY(full.total > 50);
        QStringList collected;
        ProbeQuery page = all;
        page.limit = 37;
        int pages = 0;
        while (true) {
            const ProbeQueryResult r = ProbeCatalog::query(*snapshot, page);
            QCOMPARE(r.total, full.total);
            QCOMPARE(r.offset, page.offset);
            QVERIFY(r.probes.size() <= 37);
            collected += r.probes;
            ++pages;
            if (r.nextOffset < 0)
                break;
            QCOMPARE(r.nextOffset, page.offset + 37);
            page.offset = r.nextOffset;
        }
        QCOMPARE(collected, full.probes);
        QCOMPARE(pages, (full.total + 36) / 37);
    }
    ProbeQuery beyond;
    beyond.offset = 999999;
    const ProbeQueryResult r = ProbeCatalog::query(*snapshot, beyond);
    QVERIFY(r.probes.isEmpty());
    QCOMPARE(r.total, snapshot->probes.size());
    QCOMPARE(r.nextOffset, -1);
    ProbeQuery countOnly;
    countOnly.pattern = u"vfs"_s;
    countOnly.limit = 0;
    const ProbeQueryResult c = ProbeCatalog::query(*snapshot, countOnly);
    QVERIFY(c.probes.isEmpty());
    QVERIFY(c.total > 0);
    ProbeQuery negative;
    negative.offset = -5;
    negative.limit = 3;
    QCOMPARE(ProbeCatalog::query(*snapshot, negative).probes, snapshot->probes.mid(0, 3));
}

void TestProbeCatalog::cacheRoundTrip()
{
    const auto snapshot = ProbeCatalog::parseListing(SyntheticProbes::listing(3000));
    const QString path = m_tmp.filePath(u"rt/probes.txt"_s);
    QString error;
    QVERIFY2(ProbeCatalog::writeCache(path, u"6.18.44-fc"_s, u"0.23.2"_s, snapshot->probes, &error), qPrintable(error));
    const auto back = ProbeCatalog::readCache(path, u"6.18.44-fc"_s, u"0.23.2"_s);
    QVERIFY(back);
    QCOMPARE(back->probes, snapshot->probes);
    QCOMPARE(back->providers, snapshot->providers);
    QCOMPARE(back->providerCounts, snapshot->providerCounts);
    // No temporary file is left behind by the write-then-rename.
    QCOMPARE(QDir(m_tmp.filePath(u"rt"_s)).entryList(QDir::Files), QStringList { u"probes.txt"_s });
}

void TestProbeCatalog::cacheRejectsForeignOrDamaged_data()
{
    QTest::addColumn<QString>("kernel");
    QTest::addColumn<QString>("version");
    QTest::addColumn<int>("truncateTo"); // -1: keep
    QTest::addColumn<QByteArray>("replaceFrom");
    QTest::addColumn<QByteArray>("replaceTo");

    QTest::newRow("other kernel") << u"6.1.0"_s << u"0.23.2"_s << -1 << QByteArray() << QByteArray();
    QTest::newRow("other bpftrace") << u"6.18.44-fc"_s << u"0.21.0"_s << -1 << QByteArray() << QByteArray();
    QTest::newRow("truncated") << u"6.18.44-fc"_s << u"0.23.2"_s << 200 << QByteArray() << QByteArray();
    QTest::newRow("count mismatch") << u"6.18.44-fc"_s << u"0.23.2"_s << -1 << QByteArray("count 14")
                                    << QByteArray("count 15");
    QTest::newRow("junk inside") << u"6.18.44-fc"_s << u"0.23.2"_s << -1 << QByteArray("kprobe:vfs_read\n")
                                 << QByteArray("not a probe\n");
    QTest::newRow("foreign magic") << u"6.18.44-fc"_s << u"0.23.2"_s << -1 << QByteArray("tracedesk-probe-cache 1")
                                   << QByteArray("tracedesk-probe-cache 9");
}

void TestProbeCatalog::cacheRejectsForeignOrDamaged()
{
    QFETCH(QString, kernel);
    QFETCH(QString, version);
    QFETCH(int, truncateTo);
    QFETCH(QByteArray, replaceFrom);
    QFETCH(QByteArray, replaceTo);
    const auto snapshot = ProbeCatalog::parseListing(SyntheticProbes::listing(14));
    const QString path = m_tmp.filePath(u"damaged.txt"_s);
    QVERIFY(ProbeCatalog::writeCache(path, u"6.18.44-fc"_s, u"0.23.2"_s, snapshot->probes));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray data = f.readAll();
    f.close();
    if (truncateTo >= 0)
        data.truncate(truncateTo);
    if (!replaceFrom.isEmpty()) {
        QVERIFY(data.contains(replaceFrom));
        data.replace(replaceFrom, replaceTo);
    }
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(data);
    f.close();
    QVERIFY(!ProbeCatalog::readCache(path, kernel, version));
    QVERIFY(!ProbeCatalog::readCache(m_tmp.filePath(u"missing.txt"_s), kernel, version));
}

void TestProbeCatalog::cacheFileNames()
{
    ProbeCatalog catalog;
    catalog.setCacheDirectory(m_tmp.filePath(u"c"_s));
    const QString a = catalog.cacheFilePath(u"6.18.44"_s, u"0.23.2"_s);
    const QString b = catalog.cacheFilePath(u"6.18.45"_s, u"0.23.2"_s);
    const QString c = catalog.cacheFilePath(u"6.18.44"_s, u"0.23.3"_s);
    QVERIFY(a != b && a != c && b != c);
    QVERIFY(a.startsWith(m_tmp.filePath(u"c/"_s)));
    // Nothing in a version string can escape the cache directory.
    const QString evil = catalog.cacheFilePath(u"../../etc"_s, u"x/../../y"_s);
    QVERIFY(!evil.mid(m_tmp.filePath(u"c/"_s).size()).contains(u'/'));
}

void TestProbeCatalog::parseDetails_data()
{
    QTest::addColumn<QString>("probe");
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QList<ProbeArgument>>("expected");
    QTest::addColumn<bool>("error");

    QFile f(dataDir() + u"/bpftrace-lv-sys_enter_open.txt"_s);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray open = f.readAll();
    QFile g(dataDir() + u"/bpftrace-lv-sched_process_fork.txt"_s);
    QVERIFY(g.open(QIODevice::ReadOnly));
    const QByteArray fork = g.readAll();

    const QList<ProbeArgument> openat { { u"int"_s, u"__syscall_nr"_s }, { u"int"_s, u"dfd"_s },
        { u"const char *"_s, u"filename"_s }, { u"int"_s, u"flags"_s }, { u"umode_t"_s, u"mode"_s } };
    QTest::newRow("real output, picks the named block")
        << u"tracepoint:syscalls:sys_enter_openat"_s << open << openat << false;
    QTest::newRow("wildcard takes the first block")
        << u"tracepoint:syscalls:sys_enter_open*"_s << open
        << QList<ProbeArgument> { { u"int"_s, u"__syscall_nr"_s }, { u"const char *"_s, u"filename"_s },
               { u"int"_s, u"flags"_s }, { u"umode_t"_s, u"mode"_s } }
        << false;
    QTest::newRow("data_loc strings") << u"tracepoint:sched:sched_process_fork"_s << fork
                                      << QList<ProbeArgument> { { u"__data_loc char[]"_s, u"parent_comm"_s },
                                             { u"pid_t"_s, u"parent_pid"_s },
                                             { u"__data_loc char[]"_s, u"child_comm"_s },
                                             { u"pid_t"_s, u"child_pid"_s } }
                                      << false;
    QTest::newRow("arrays and pointer to pointer")
        << u"tracepoint:x:y"_s
        << QByteArray("tracepoint:x:y\n    char comm[16]\n    const char *const * argv\n"
                      "    __u8 saddr_v6[16]\n")
        << QList<ProbeArgument> { { u"char[16]"_s, u"comm"_s }, { u"const char *const *"_s, u"argv"_s },
               { u"__u8[16]"_s, u"saddr_v6"_s } }
        << false;
    QTest::newRow("kfunc with retval") << u"kfunc:vmlinux:vfs_read"_s
                                       << QByteArray("kfunc:vmlinux:vfs_read\n    struct file * file\n"
                                                     "    char * buf\n    size_t count\n    loff_t * pos\n"
                                                     "    ssize_t retval\n")
                                       << QList<ProbeArgument> { { u"struct file *"_s, u"file"_s },
                                              { u"char *"_s, u"buf"_s }, { u"size_t"_s, u"count"_s },
                                              { u"loff_t *"_s, u"pos"_s }, { u"ssize_t"_s, u"retval"_s } }
                                       << false;
    QTest::newRow("probe without arguments")
        << u"software:cpu-clock"_s << QByteArray("software:cpu-clock:\n") << QList<ProbeArgument> {} << false;
    QTest::newRow("garbage argument lines")
        << u"tracepoint:x:y"_s << QByteArray("tracepoint:x:y\n    ***\n    int\n    int ok\n")
        << QList<ProbeArgument> { { u"int"_s, u"ok"_s } } << false;
    QTest::newRow("nothing printed") << u"tracepoint:x:nope"_s << QByteArray() << QList<ProbeArgument> {} << true;
    QTest::newRow("warnings only") << u"tracepoint:x:nope"_s << QByteArray("WARNING: something odd happened\n")
                                   << QList<ProbeArgument> {} << true;
}

void TestProbeCatalog::parseDetails()
{
    QFETCH(QString, probe);
    QFETCH(QByteArray, output);
    QFETCH(QList<ProbeArgument>, expected);
    QFETCH(bool, error);
    const ProbeDetails details = ProbeCatalog::parseDetails(probe, output);
    QCOMPARE(details.probe, probe);
    QCOMPARE(details.arguments, expected);
    QCOMPARE(!details.error.isEmpty(), error);
    const QJsonObject json = details.toJson();
    QCOMPARE(json.value(u"arguments"_s).toArray().size(), expected.size());
}

void TestProbeCatalog::largeListingStaysFast()
{
    const QByteArray listing = SyntheticProbes::listing(150000);
    // This thread's CPU time: parse and query run here, and on a loaded machine the wall clock
    // also counts waiting for a core.
    ThreadCpuTimer timer;
    const auto snapshot = ProbeCatalog::parseListing(listing);
    const qint64 parseMs = timer.elapsed();
    QVERIFY(snapshot->probes.size() > 149000);
    QVERIFY(std::is_sorted(snapshot->probes.cbegin(), snapshot->probes.cend()));

    timer.start();
    ProbeQuery q;
    q.pattern = u"tracepoint:syscalls:*open*"_s;
    const ProbeQueryResult glob = ProbeCatalog::query(*snapshot, q);
    const qint64 globMs = timer.elapsed();
    QVERIFY(glob.probes.contains(u"tracepoint:syscalls:sys_enter_openat"_s));
    timer.start();
    q.pattern = u"OPEN"_s;
    const ProbeQueryResult sub = ProbeCatalog::query(*snapshot, q);
    const qint64 subMs = timer.elapsed();
    QVERIFY(sub.total > 1000);
    qInfo("150k probes, CPU time: parse %lld ms, glob %lld ms, substring %lld ms", parseMs, globMs, subMs);
    // Generous bounds (debug or sanitizer build): they catch an accidental quadratic path, not noise.
    QVERIFY2(parseMs < 20000, qPrintable(QString::number(parseMs)));
    QVERIFY2(globMs < 2000, qPrintable(QString::number(globMs)));
    QVERIFY2(subMs < 2000, qPrintable(QString::number(subMs)));
}

void TestProbeCatalog::asyncLoadThenCache()
{
    setFakeEnv();
    QTemporaryDir cache;
    {
        ProbeCatalog catalog;
        catalog.setPrivilege(fakePrivilege(m_fake));
        catalog.setCacheDirectory(cache.path());
        QSignalSpy loaded(&catalog, &ProbeCatalog::loaded);
        QSignalSpy status(&catalog, &ProbeCatalog::statusChanged);
        catalog.load();
        // load() never blocks: the work happens in the event loop and the thread pool.
        QCOMPARE(catalog.status(), ProbeCatalog::Status::Loading);
        QCOMPARE(catalog.count(), 0);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.first().first().toInt(), 12);
        QCOMPARE(catalog.status(), ProbeCatalog::Status::Ready);
        QCOMPARE(catalog.source(), u"bpftrace"_s);
        QCOMPARE(status.size(), 2);
        QCOMPARE(catalog.count(), 12);
        ProbeQuery q;
        q.pattern = u"tracepoint:syscalls:*open*"_s;
        QCOMPARE(catalog.query(q).total, 2);
        QCOMPARE(logLines(), (QStringList { u"--version"_s, u"-l"_s }));
        QVERIFY(QFile::exists(catalog.cacheFilePath(QSysInfo::kernelVersion(), u"0.23.2"_s)));
    }
    QFile::remove(m_log);
    {
        ProbeCatalog catalog;
        catalog.setPrivilege(fakePrivilege(m_fake));
        catalog.setCacheDirectory(cache.path());
        QSignalSpy loaded(&catalog, &ProbeCatalog::loaded);
        catalog.load();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(catalog.count(), 12);
        QCOMPARE(catalog.source(), u"cache"_s);
        QCOMPARE(logLines(), QStringList { u"--version"_s }); // no -l: the cache answered
    }
    // Another bpftrace version is another cache key.
    QFile::remove(m_log);
    qputenv("FAKE_BPFTRACE_VERSION", "0.24.0");
    {
        ProbeCatalog catalog;
        catalog.setPrivilege(fakePrivilege(m_fake));
        catalog.setCacheDirectory(cache.path());
        QSignalSpy loaded(&catalog, &ProbeCatalog::loaded);
        catalog.load();
        QVERIFY(loaded.wait(10000));
        QCOMPARE(catalog.source(), u"bpftrace"_s);
        QCOMPARE(logLines(), (QStringList { u"--version"_s, u"-l"_s }));
    }
    qunsetenv("FAKE_BPFTRACE_VERSION");
}

void TestProbeCatalog::forceRefreshRunsBpftrace()
{
    setFakeEnv();
    QTemporaryDir cache;
    ProbeCatalog catalog;
    catalog.setPrivilege(fakePrivilege(m_fake));
    catalog.setCacheDirectory(cache.path());
    QSignalSpy loaded(&catalog, &ProbeCatalog::loaded);
    catalog.load();
    QVERIFY(loaded.wait(10000));
    // Refresh while the listing grew: the new probe shows up and the cache is rewritten.
    QFile f(m_listing);
    QVERIFY(f.open(QIODevice::Append));
    f.write("kprobe:brand_new_function\n");
    f.close();
    catalog.load(true);
    // The previous list stays usable during the refresh.
    QCOMPARE(catalog.count(), 12);
    QVERIFY(loaded.wait(10000));
    QCOMPARE(catalog.count(), 13);
    QCOMPARE(catalog.source(), u"bpftrace"_s);
    const auto cached = ProbeCatalog::readCache(
        catalog.cacheFilePath(QSysInfo::kernelVersion(), u"0.23.2"_s), QSysInfo::kernelVersion(), u"0.23.2"_s);
    QVERIFY(cached);
    QCOMPARE(cached->probes.size(), 13);
    // Restore the shared listing for the other tests.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(smallListing());
    f.close();
}

void TestProbeCatalog::loadFailures_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QByteArray>("mode");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("bpftrace missing") << u"/nonexistent/bpftrace"_s << QByteArray("ok") << u"cannot start"_s;
    QTest::newRow("listing fails") << QString() << QByteArray("fail") << u"Permission denied"_s;
    QTest::newRow("bpftrace crashes") << QString() << QByteArray("crash") << u"crashed"_s;
}

void TestProbeCatalog::loadFailures()
{
    QFETCH(QString, program);
    QFETCH(QByteArray, mode);
    QFETCH(QString, messagePart);
    setFakeEnv(mode);
    QTemporaryDir cache;
    ProbeCatalog catalog;
    catalog.setPrivilege(fakePrivilege(program.isEmpty() ? m_fake : program));
    catalog.setCacheDirectory(cache.path());
    QSignalSpy status(&catalog, &ProbeCatalog::statusChanged);
    QSignalSpy loaded(&catalog, &ProbeCatalog::loaded);
    catalog.load(true);
    QTRY_COMPARE_WITH_TIMEOUT(catalog.status(), ProbeCatalog::Status::Failed, 10000);
    QVERIFY2(catalog.errorString().contains(messagePart), qPrintable(catalog.errorString()));
    QCOMPARE(loaded.size(), 0);
    QCOMPARE(catalog.count(), 0);
    setFakeEnv();
}

void TestProbeCatalog::describeIsCachedAndCoalesced()
{
    setFakeEnv();
    ProbeCatalog catalog;
    catalog.setPrivilege(fakePrivilege(m_fake));
    QList<ProbeDetails> results;
    const QString probe = u"tracepoint:syscalls:sys_enter_openat"_s;
    catalog.describe(probe, this, [&results](const ProbeDetails &d) { results.append(d); });
    catalog.describe(probe, nullptr, [&results](const ProbeDetails &d) { results.append(d); });
    QVERIFY(results.isEmpty()); // always asynchronous
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), 2, 10000);
    QCOMPARE(logLines(), (QStringList { u"-lv "_s + probe })); // two requests, one process
    for (const ProbeDetails &d : std::as_const(results)) {
        QVERIFY(d.error.isEmpty());
        QCOMPARE(d.arguments.at(2), (ProbeArgument { u"const char *"_s, u"filename"_s }));
    }
    catalog.describe(probe, this, [&results](const ProbeDetails &d) { results.append(d); });
    QTRY_COMPARE(results.size(), 3);
    QCOMPARE(logLines().size(), 1); // answered from memory
}

void TestProbeCatalog::describeUnknownAndInvalid()
{
    setFakeEnv();
    ProbeCatalog catalog;
    catalog.setPrivilege(fakePrivilege(m_fake));
    QList<ProbeDetails> results;
    catalog.describe(u"tracepoint:nope:nothing"_s, this, [&results](const ProbeDetails &d) { results.append(d); });
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 10000);
    QVERIFY(results.first().error.contains(u"No probes found"_s));
    QVERIFY(results.first().arguments.isEmpty());
    // Errors are not cached: a probe may appear once a module loads.
    catalog.describe(u"tracepoint:nope:nothing"_s, this, [&results](const ProbeDetails &d) { results.append(d); });
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), 2, 10000);
    QCOMPARE(logLines().size(), 2);
    // Names that could be options or hold spaces never reach a process.
    for (const QString &bad : { u"-e BEGIN{}"_s, u"--unsafe"_s, QString(), u"tracepoint:a b"_s, u"nocolon"_s }) {
        catalog.describe(bad, this, [&results](const ProbeDetails &d) { results.append(d); });
    }
    QTRY_COMPARE(results.size(), 7);
    for (int i = 2; i < 7; ++i)
        QVERIFY(results.at(i).error.contains(u"not a probe name"_s));
    QCOMPARE(logLines().size(), 2);
}

void TestProbeCatalog::describeSkipsDeadContext()
{
    setFakeEnv();
    ProbeCatalog catalog;
    catalog.setPrivilege(fakePrivilege(m_fake));
    int calls = 0;
    auto *context = new QObject;
    catalog.describe(u"tracepoint:syscalls:sys_enter_open"_s, context, [&calls](const ProbeDetails &) { ++calls; });
    delete context;
    int liveCalls = 0;
    catalog.describe(
        u"tracepoint:syscalls:sys_enter_open"_s, this, [&liveCalls](const ProbeDetails &) { ++liveCalls; });
    QTRY_COMPARE_WITH_TIMEOUT(liveCalls, 1, 10000);
    QCOMPARE(calls, 0);
}

QTEST_GUILESS_MAIN(TestProbeCatalog)
#include "tst_probecatalog.moc"
