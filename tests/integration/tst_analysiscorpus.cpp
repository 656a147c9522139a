// SPDX-License-Identifier: GPL-2.0-or-later
// Every bpftrace tool Debian ships (/usr/sbin/*.bt) and every example of ours, analysed by the real
// bpftrace: each must get the risk that what it does deserves, so that the rules do not cry wolf
// (no counting or histogram script is high) and do not miss what matters.
#include "engine/scriptanalyzer.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

struct Expectation
{
    const char *file;
    RiskLevel risk;
    const char *why; ///< what the tool does that earns the rating
};

// Debian 13's bpftrace 0.23.2 tools.
const Expectation DebianTools[] = {
    { "bashreadline.bt", RiskLevel::High, "str(retval) of readline(): every line typed into bash" },
    { "biolatency-kp.bt", RiskLevel::Low, "histogram of block I/O latency" },
    { "biolatency.bt", RiskLevel::Low, "histogram of block I/O latency" },
    { "biosnoop.bt", RiskLevel::Low, "prints each block I/O: device, size, latency" },
    { "biostacks.bt", RiskLevel::Low, "histogram keyed by kernel stack" },
    { "bitesize.bt", RiskLevel::Low, "histogram of I/O sizes" },
    { "capable.bt", RiskLevel::Low, "prints capability checks (numbers and comm)" },
    { "cpuwalk.bt", RiskLevel::Low, "histogram of CPUs at 99 Hz" },
    { "dcsnoop.bt", RiskLevel::Medium, "kprobe wildcard lookup_fast.constprop.*, prints looked-up names" },
    { "execsnoop.bt", RiskLevel::High, "join(args.argv) on exec: every command line" },
    { "gethostlatency.bt", RiskLevel::Medium, "str() of host names out of libc callers" },
    { "killsnoop.bt", RiskLevel::Low, "prints kill() numbers" },
    { "loads.bt", RiskLevel::Low, "prints load averages each second" },
    { "mdflush.bt", RiskLevel::Low, "prints md flush events" },
    { "naptime.bt", RiskLevel::Low, "prints nanosleep() durations" },
    { "oomkill.bt", RiskLevel::High, "cat(\"/proc/loadavg\"): any file read as root is high" },
    { "opensnoop.bt", RiskLevel::Medium, "str() of every opened path" },
    { "pidpersec.bt", RiskLevel::Low, "counts forks" },
    { "runqlat.bt", RiskLevel::Low, "histogram of run queue latency" },
    { "runqlen.bt", RiskLevel::Low, "histogram of run queue length at 99 Hz" },
    { "setuids.bt", RiskLevel::Low, "prints setuid() numbers" },
    { "ssllatency.bt", RiskLevel::Medium, "hooks libssl/libcrypto but only times the calls" },
    { "sslsnoop.bt", RiskLevel::Medium, "hooks libssl/libcrypto but only times the calls" },
    { "statsnoop.bt", RiskLevel::Medium, "str() of every stat()ed path" },
    { "swapin.bt", RiskLevel::Low, "counts swap-ins" },
    { "syncsnoop.bt", RiskLevel::Low, "prints sync calls" },
    { "syscount.bt", RiskLevel::Low, "counts syscalls (printing only in BEGIN/END)" },
    { "tcpaccept.bt", RiskLevel::Low, "prints accepted connections' addresses" },
    { "tcpconnect.bt", RiskLevel::Low, "prints connections' addresses" },
    { "tcpdrop.bt", RiskLevel::Low, "prints drops with a kernel stack" },
    { "tcplife.bt", RiskLevel::Low, "prints connection lifetimes" },
    { "tcpretrans.bt", RiskLevel::Low, "prints retransmits" },
    { "tcpsynbl.bt", RiskLevel::Low, "histogram of SYN backlog" },
    { "threadsnoop.bt", RiskLevel::Low, "prints thread creation" },
    { "undump.bt", RiskLevel::High, "buf() of every UNIX socket packet: other programs' data" },
    { "vfscount.bt", RiskLevel::Medium, "kprobe:vfs_* wildcard over kernel functions" },
    { "vfsstat.bt", RiskLevel::Medium, "kprobe:vfs_read*/vfs_write* wildcards" },
    { "writeback.bt", RiskLevel::Low, "prints writeback events" },
    { "xfsdist.bt", RiskLevel::Low, "histogram of XFS latency" },
};

// resources/examples.
const Expectation Examples[] = {
    { "block-io-latency.bt", RiskLevel::Low, "histogram" },
    { "block-io-size.bt", RiskLevel::Low, "histogram and counts" },
    { "context-switches.bt", RiskLevel::Low, "counts" },
    { "cpu-profile.bt", RiskLevel::Low, "kernel stacks at 49 Hz, counted" },
    { "disk-bytes-by-process.bt", RiskLevel::Low, "sums" },
    { "exec-args.bt", RiskLevel::High, "join(args.argv) on execve: every command line" },
    { "failed-opens.bt", RiskLevel::Low, "counts" },
    { "file-opens.bt", RiskLevel::Medium, "str(args.filename) on openat" },
    { "kill-calls.bt", RiskLevel::Low, "prints kill() numbers" },
    { "memory-growth.bt", RiskLevel::Low, "sums and counts" },
    { "new-processes.bt", RiskLevel::Low, "prints pids, counts" },
    { "off-cpu-time.bt", RiskLevel::Low, "sums" },
    { "oom-kills.bt", RiskLevel::Low, "prints an OOM victim's kernel-side comm" },
    { "page-faults.bt", RiskLevel::Low, "counts" },
    { "process-lifetime.bt", RiskLevel::Low, "prints short-lived processes" },
    { "read-write-bytes.bt", RiskLevel::Low, "sums of read/write sizes, printed from an interval probe" },
    { "runqueue-latency.bt", RiskLevel::Low, "histogram" },
    { "signals.bt", RiskLevel::Low, "prints signal numbers, counts" },
    { "syscall-count.bt", RiskLevel::Low, "counts every syscall, prints nothing from it" },
    { "syscall-errors.bt", RiskLevel::Low, "counts" },
    { "syscall-latency.bt", RiskLevel::Low, "histogram" },
    { "tcp-connects.bt", RiskLevel::Low, "prints addresses" },
    { "tcp-retransmits.bt", RiskLevel::Low, "prints addresses, counts" },
    { "vfs-ops.bt", RiskLevel::Low, "counts five named vfs functions" },
};

} // namespace

class TestAnalysisCorpus : public QObject
{
    Q_OBJECT

    static void addRows(const QString &dir, const Expectation *begin, const Expectation *end)
    {
        QStringList expected;
        for (const Expectation *e = begin; e != end; ++e) {
            expected.append(QString::fromLatin1(e->file));
            QTest::newRow(e->file) << dir + u'/' + QString::fromLatin1(e->file) << riskLevelName(e->risk)
                                   << QString::fromUtf8(e->why);
        }
        // A new file must get its own row with a reason, not slip through.
        const QStringList onDisk = QDir(dir).entryList({ u"*.bt"_s }, QDir::Files, QDir::Name);
        for (const QString &file : onDisk) {
            if (!expected.contains(file))
                QTest::newRow(qPrintable(u"unlisted "_s + file))
                    << dir + u'/' + file << u"high"_s << u"UNLISTED: add it to the table"_s;
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"bpftrace"_s).isEmpty())
            QSKIP("bpftrace is not installed");
        if (::geteuid() != 0)
            QSKIP("bpftrace's compile check needs root (or CAP_BPF + CAP_PERFMON)");
    }

    void corpus_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("risk");
        QTest::addColumn<QString>("why");
        if (QDir(u"/usr/sbin"_s).entryList({ u"*.bt"_s }, QDir::Files).size() > 0)
            addRows(u"/usr/sbin"_s, std::begin(DebianTools), std::end(DebianTools));
        addRows(QStringLiteral(TRACEDESK_SOURCE_DIR "/resources/examples"), std::begin(Examples), std::end(Examples));
    }

    void corpus()
    {
        QFETCH(QString, path);
        QFETCH(QString, risk);
        QFETCH(QString, why);
        QVERIFY2(!why.startsWith(u"UNLISTED"_s), qPrintable(path + u": "_s + why));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString script = QString::fromUtf8(file.readAll());

        ScriptAnalyzer analyzer;
        analyzer.setTimeoutMs(120000);
        std::optional<ScriptAnalysis> result;
        analyzer.analyze(script, this, [&result](const ScriptAnalysis &a) { result = a; });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 240000);
        const QString reasons = result->reasons().join(u"; "_s);
        qInfo("%s -> %s (%s)%s", qPrintable(QFileInfo(path).fileName()), qPrintable(riskLevelName(result->risk)),
            qPrintable(reasons.isEmpty() ? u"no findings"_s : reasons),
            result->hasErrors()
                ? qPrintable(u" [does not compile here: "_s + result->diagnostics.first().message + u']')
                : "");
        QVERIFY2(result->checked, qPrintable(result->uncheckedReason));
        QVERIFY2(result->fromAst, qPrintable(reasons)); // bpftrace's own view was read
        QVERIFY2(riskLevelName(result->risk) == risk,
            qPrintable(u"%1: expected %2 (%3), got %4: %5"_s.arg(
                QFileInfo(path).fileName(), risk, why, riskLevelName(result->risk), reasons)));
    }

    // The rules with the real bpftrace, each written the way a text reader would miss or misjudge.
    void realRules_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QString>("risk");
        QTest::addColumn<QString>("code"); ///< a finding that must be there
        QTest::addColumn<QString>("error"); ///< part of an error diagnostic that must be there, or empty

        QTest::newRow("alias and ->") << u"t:syscalls:sys_enter_write { @[str(args->buf)] = count(); }"_s << u"high"_s
                                      << u"user-memory"_s << QString();
        QTest::newRow("cat behind a comment") << u"BEGIN { cat /* x */\n // y\n (\"/etc/hostname\"); exit(); }"_s
                                              << u"high"_s << u"file-read"_s << QString();
        QTest::newRow("exec argv") << u"tracepoint:syscalls:sys_enter_execve { join(args.argv); }"_s << u"high"_s
                                   << u"exec-args"_s << QString();
        QTest::newRow("readv buffers") << u"tracepoint:syscalls:sys_enter_readv { @[args.vlen] = count(); }\n"
                                          u"tracepoint:syscalls:sys_enter_pread64 { @s = str(args.buf); }"_s
                                       << u"high"_s << u"user-memory"_s << QString();
        QTest::newRow("TLS wildcard path, capture")
            << u"uprobe:/usr/lib/x86_64-linux-gnu/libss*.so.3:SSL_write { @[str(arg1)] = count(); }"_s << u"high"_s
            << u"tls"_s << QString();
        QTest::newRow("feedback loop over a wildcard")
            << u"tracepoint:syscalls:sys_enter_write* { printf(\"%s\\n\", comm); }"_s << u"high"_s << u"feedback-loop"_s
            << QString();
        QTest::newRow("wildcard matching no probe")
            << u"uprobe:/usr/lib/x86_64-linux-gnu/libc.so.6:tracedesk_no_such_fn* { @ = count(); }"_s << u"medium"_s
            << u"wide-wildcard"_s << u"matches no probe"_s;
        QTest::newRow("deref of every write buffer")
            << u"tracepoint:syscalls:sys_enter_write { @[*(uint64 *)args.buf] = count(); }"_s << u"high"_s
            << u"user-memory"_s << QString();
        QTest::newRow("deref in a TLS hook")
            << u"uprobe:/usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_write { @[*(uint64 *)arg1] = count(); }"_s
            << u"high"_s << u"tls"_s << QString();
        QTest::newRow("printing on every wake-up")
            << u"tracepoint:sched:sched_wakeup { printf(\"%d\\n\", args.pid); }"_s << u"medium"_s << u"feedback-loop"_s
            << QString();
        // A read through a user pointer that is no capture: nanosleep()'s timespec.
        QTest::newRow("field read on nanosleep is low")
            << u"tracepoint:syscalls:sys_enter_nanosleep { @[args.rqtp->tv_sec] = count(); }"_s << u"low"_s << QString()
            << QString();
        QTest::newRow("counting is low") << u"tracepoint:syscalls:sys_enter_write { @[comm] = sum(args.count); }"_s
                                         << u"low"_s << QString() << QString();
    }

    void realRules()
    {
        QFETCH(QString, script);
        QFETCH(QString, risk);
        QFETCH(QString, code);
        QFETCH(QString, error);
        ScriptAnalyzer analyzer;
        analyzer.setTimeoutMs(120000);
        std::optional<ScriptAnalysis> result;
        analyzer.analyze(script, this, [&result](const ScriptAnalysis &a) { result = a; });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 240000);
        const QString reasons = result->reasons().join(u"; "_s);
        QVERIFY(result->checked);
        QVERIFY2(result->fromAst, qPrintable(reasons));
        QVERIFY2(riskLevelName(result->risk) == risk, qPrintable(riskLevelName(result->risk) + u": "_s + reasons));
        if (!code.isEmpty())
            QVERIFY2(std::any_of(result->findings.cbegin(), result->findings.cend(),
                         [&code](const Finding &f) { return f.code == code; }),
                qPrintable(reasons));
        if (error.isEmpty()) {
            QVERIFY2(!result->hasErrors(), qPrintable(result->diagnostics.value(0).message));
        } else {
            QVERIFY(
                std::any_of(result->diagnostics.cbegin(), result->diagnostics.cend(), [&error](const Diagnostic &d) {
                    return d.severity == Diagnostic::Severity::Error && d.message.contains(error);
                }));
        }
    }
};

QTEST_GUILESS_MAIN(TestAnalysisCorpus)
#include "tst_analysiscorpus.moc"
