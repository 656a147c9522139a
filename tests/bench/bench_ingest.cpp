// SPDX-License-Identifier: GPL-2.0-or-later
// How fast the engine ingests `bpftrace -f json` output, and how much memory the kept lines
// hold, against `cat` of the same data through a pipe read by a bare QProcess.
#include "engine/runmanager.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <malloc.h>

using namespace Qt::StringLiterals;

namespace {
qint64 rssBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return 0;
}

int scale()
{
    const int s = qEnvironmentVariableIntValue("TRACEDESK_BENCH_SCALE");
    return s > 0 ? s : 1;
}
} // namespace

class BenchIngest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ingest()
    {
        const int lines = 100000 * scale();
        QTemporaryDir dir;
        const QString dataPath = dir.filePath(u"capture.jsonl"_s);
        {
            // Like a busy tracing script: mostly printf lines of varied length, a few map prints.
            QFile data(dataPath);
            QVERIFY(data.open(QIODevice::WriteOnly));
            QByteArray buffer;
            for (int i = 0; i < lines; ++i) {
                // Plain literals, not raw strings: moc would read their unbalanced braces.
                if (i % 1000 == 999)
                    buffer += "{\"type\": \"map\", \"data\": {\"@bytes\": {\"bash\": " + QByteArray::number(i)
                        + ", \"sshd\": 17}}}\n";
                else
                    buffer += "{\"type\": \"printf\", \"data\": \"openat pid=" + QByteArray::number(1000 + i % 5000)
                        + " comm=worker file=/usr/lib/x86_64-linux-gnu/libfoo.so." + QByteArray::number(i % 97)
                        + "\\n\"}\n";
                if (buffer.size() > (1 << 20)) {
                    data.write(buffer);
                    buffer.clear();
                }
            }
            data.write(buffer);
        }
        const qint64 dataBytes = QFileInfo(dataPath).size();

        // Baseline: the same bytes through a pipe into a QProcess, counting newlines only.
        QElapsedTimer timer;
        qint64 baselineLines = 0;
        {
            QProcess cat;
            connect(&cat, &QProcess::readyReadStandardOutput, this,
                [&] { baselineLines += cat.readAllStandardOutput().count('\n'); });
            timer.start();
            cat.start(u"cat"_s, { dataPath });
            QTRY_COMPARE_WITH_TIMEOUT(cat.state(), QProcess::NotRunning, 60000);
            baselineLines += cat.readAllStandardOutput().count('\n');
        }
        const qint64 baselineNs = timer.nsecsElapsed();
        QCOMPARE(baselineLines, lines);

        // The parser alone, fed in pipe-sized chunks: what the engine costs beyond the parse.
        qint64 parsedEvents = 0;
        {
            QFile data(dataPath);
            QVERIFY(data.open(QIODevice::ReadOnly));
            const QByteArray all = data.readAll();
            BpftraceJsonParser parser;
            timer.start();
            for (qsizetype at = 0; at < all.size(); at += 65536)
                parsedEvents
                    += parser.feed(QByteArrayView(all).sliced(at, std::min<qsizetype>(65536, all.size() - at))).size();
            parsedEvents += parser.finish().size();
        }
        const qint64 parserNs = timer.nsecsElapsed();
        QCOMPARE(parsedEvents, lines);

        // The engine: parse every line, keep every printf line, batch, count.
        malloc_trim(0);
        const qint64 rssBefore = rssBytes();
        qputenv("FAKE_CAT_FILE", dataPath.toUtf8());
        RunManager manager;
        Privilege::Environment env;
        env.isRoot = true;
        env.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR) + u"/tests/engine/fakes/cat.sh"_s;
        manager.setPrivilege(Privilege(PrivilegeMode::Direct, env));
        RunLimits limits;
        limits.maxLinesKept = lines;
        limits.maxLinesPerSecond = 0;
        limits.maxBytesPerSecond = 0;
        manager.setLimits(limits);
        timer.start();
        Run *run = manager.startPersonRun(u"BEGIN { }"_s);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(run->state()), 120000);
        const qint64 engineNs = timer.nsecsElapsed();
        qunsetenv("FAKE_CAT_FILE");
        QCOMPARE(run->state(), RunState::Finished);
        const qint64 kept = run->totalLines();
        QCOMPARE(kept, lines - lines / 1000);
        QVERIFY(run->maps().contains("@bytes"_L1));
        malloc_trim(0);
        const qint64 held = rssBytes() - rssBefore;

        const double baselineRate = double(lines) / (double(baselineNs) / 1e9);
        const double engineRate = double(lines) / (double(engineNs) / 1e9);
        const QString report
            = u"ingest: %1 lines, %2 MiB of -f json\n"
              "  baseline (cat | QProcess, newline count): %3 lines/s\n"
              "  parser alone (in memory, 64 KiB chunks):  %12 lines/s\n"
              "  engine (parse, type, ring, batch):        %4 lines/s\n"
              "  ratio engine/baseline: %5 (throughput), %6x slower\n"
              "  memory held for %7 kept lines: %8 MiB RSS (%9 bytes/line; input was %10 bytes/line, ratio %11)"_s
                  .arg(lines)
                  .arg(double(dataBytes) / 1048576.0, 0, 'f', 1)
                  .arg(baselineRate, 0, 'f', 0)
                  .arg(engineRate, 0, 'f', 0)
                  .arg(engineRate / baselineRate, 0, 'f', 3)
                  .arg(baselineRate / engineRate, 0, 'f', 1)
                  .arg(kept)
                  .arg(double(held) / 1048576.0, 0, 'f', 1)
                  .arg(double(held) / double(kept), 0, 'f', 0)
                  .arg(double(dataBytes) / double(lines), 0, 'f', 0)
                  .arg(double(held) / double(dataBytes), 0, 'f', 2)
                  .arg(double(lines) / (double(parserNs) / 1e9), 0, 'f', 0);
        std::printf("%s\n", qPrintable(report));
        // Not a performance gate, a guard against pathologies (one signal per line, quadratic copies).
        // Against the baseline of the same run, not an absolute rate, so a loaded machine slows
        // both: the engine normally reaches a quarter to a third of the baseline's rate.
        QVERIFY2(engineRate / baselineRate > 0.02, qPrintable(report));
    }
};

QTEST_GUILESS_MAIN(BenchIngest)
#include "bench_ingest.moc"
