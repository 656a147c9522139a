// SPDX-License-Identifier: GPL-2.0-or-later
// How fast the engine ingests `bpftrace -f json` output, and how much memory the kept lines
// hold, each beside a baseline measured in the same run:
//   parser alone   against QJsonDocument per line (and simdjson, when it is there to compare);
//   end to end     against `cat` of the same data through a pipe read by a bare QProcess, and
//                  beside the fastest any reader of that pipe can be (read() and nothing else);
//   memory         against v0.1's layout of the same lines (a QString per line in a deque).
// This file and the engine's ingest files are compiled with -O2 even in a debug build (see
// app/engine/CMakeLists.txt and tests/bench/CMakeLists.txt): Qt and simdjson are optimised
// libraries, and a -O0 parser beside them would compare build flags, not parsers.
#include "../threadcputime.h"
#include "engine/bpftraceoutput.h"
#include "engine/runmanager.h"
#include "engine/setting.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#ifdef TRACEDESK_HAVE_SIMDJSON
#include <simdjson.h>
#endif

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

double perSecond(qint64 count, qint64 ns)
{
    return double(count) / (double(std::max<qint64>(ns, 1)) / 1e9);
}

/// Calls f(line) for each line of `all` (without its newline).
template<typename F> void forEachLine(const QByteArray &all, F &&f)
{
    const char *p = all.constData();
    const char *const end = p + all.size();
    while (p < end) {
        const auto *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        const char *lineEnd = nl ? nl : end;
        f(QByteArrayView(p, lineEnd - p));
        p = lineEnd + 1;
    }
}

/// Runs the capture through `manager` (its fake bpftrace is `cat`) and waits for the run's end.
struct TimedRun
{
    Run *run = nullptr;
    qint64 ns = 0;
};
TimedRun timeRun(RunManager &manager)
{
    TimedRun timed;
    QElapsedTimer timer;
    QEventLoop loop;
    timer.start();
    timed.run = manager.startPersonRun(u"BEGIN { }"_s);
    QObject::connect(timed.run, &Run::stateChanged, &loop, [&](RunState state) {
        if (isTerminal(state)) {
            timed.ns = timer.nsecsElapsed();
            loop.quit();
        }
    });
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    if (!isTerminal(timed.run->state()))
        loop.exec();
    return timed;
}

#ifdef TRACEDESK_HAVE_SIMDJSON
void appendTextLines(ParsedOutput *out, std::string_view text, bool split)
{
    if (split && !text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    while (true) {
        const size_t nl = split ? text.find('\n') : std::string_view::npos;
        const std::string_view part = text.substr(0, nl);
        out->lines.append(OutputLine::Stream::Stdout, 0, QByteArrayView(part.data(), qsizetype(part.size())));
        out->textSizes.push_back(quint32(part.size()));
        out->textSize += qsizetype(part.size());
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
}

/// simdjson's On-Demand API on one line: the same lines out as the fast path gives (printf
/// text, split at newlines), QJsonDocument for the rest, as the fast path does.
void simdjsonLine(simdjson::ondemand::parser &parser, QByteArrayView line, size_t capacity, ParsedOutput *out)
{
    simdjson::ondemand::document doc;
    std::string_view type;
    std::string_view text;
    if (!parser.iterate(line.data(), size_t(line.size()), capacity).get(doc) && !doc["type"].get_string().get(type)
        && (type == "printf" || type == "time" || type == "join" || type == "syscall" || type == "value")
        && !doc["data"].get_string().get(text)) {
        appendTextLines(out, text, type != "value");
        return;
    }
    BpftraceJsonParser::appendEvent(BpftraceJsonParser::parseLineWithQJson(line), line.size(), out);
}
#endif
} // namespace

class BenchIngest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ingest()
    {
        const int lines = 200000 * scale();
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
        QByteArray all;
        {
            QFile data(dataPath);
            QVERIFY(data.open(QIODevice::ReadOnly));
            all = data.readAll();
        }
        const qint64 keptLines = lines - lines / 1000;

        // --- The parser alone, on one thread, every variant making the same lines and events.
        // Timed in the thread's CPU time: on a machine shared with other builds the wall clock
        // also counts the time the thread waited to be scheduled.
        QElapsedTimer timer;
        ThreadCpuTimer cpu;
        ParsedOutput reference;
        cpu.start();
        forEachLine(all, [&](QByteArrayView line) {
            BpftraceJsonParser::appendEvent(BpftraceJsonParser::parseLineWithQJson(line), line.size(), &reference);
            if (reference.lines.size() >= 65536) // hand the lines on, as the reader does per chunk
                reference.lines.clear();
        });
        const qint64 qjsonNs = cpu.nsecsElapsed();
        QCOMPARE(reference.events.size(), lines / 1000);
        QCOMPARE(qint64(reference.textSizes.size()), keptLines);

        qint64 fastLines = 0;
        qint64 fastEvents = 0;
        {
            BpftraceJsonParser parser;
            ParsedOutput parsed;
            cpu.start();
            for (qsizetype at = 0; at < all.size(); at += 65536) {
                parser.feed(QByteArrayView(all).sliced(at, std::min<qsizetype>(65536, all.size() - at)), &parsed);
                fastLines += parsed.lines.size();
                fastEvents += parsed.events.size();
                parsed.clear();
            }
            parser.finish(&parsed);
            fastLines += parsed.lines.size();
            fastEvents += parsed.events.size();
        }
        const qint64 fastNs = cpu.nsecsElapsed();
        QCOMPARE(fastLines, keptLines);
        QCOMPARE(fastEvents, lines / 1000);

        QString simdjsonReport = u"  simdjson: not found at build time, not compared\n"_s;
#ifdef TRACEDESK_HAVE_SIMDJSON
        {
            // simdjson reads up to SIMDJSON_PADDING bytes past a document: the buffer has them.
            QByteArray padded = all;
            padded.append(QByteArray(simdjson::SIMDJSON_PADDING, ' '));
            const char *const base = padded.constData();
            const size_t total = size_t(padded.size());
            simdjson::ondemand::parser parser;
            ParsedOutput parsed;
            qint64 simdLines = 0;
            cpu.start();
            forEachLine(all, [&](QByteArrayView line) {
                simdjsonLine(parser, QByteArrayView(base + (line.data() - all.constData()), line.size()),
                    total - size_t(line.data() - all.constData()), &parsed);
                if (parsed.lines.size() >= 65536) {
                    simdLines += parsed.lines.size();
                    parsed.clear();
                }
            });
            const qint64 simdNs = cpu.nsecsElapsed();
            simdLines += parsed.lines.size();
            QCOMPARE(simdLines, keptLines);
            simdjsonReport = u"  simdjson %1 On-Demand, one document a line:  %2 lines/s (%3x)\n"_s
                                 .arg(QString::fromLatin1(SIMDJSON_VERSION))
                                 .arg(perSecond(lines, simdNs), 0, 'f', 0)
                                 .arg(double(qjsonNs) / double(simdNs), 0, 'f', 2);
        }
#endif

        // --- End to end. Baseline: the same bytes through a pipe into a QProcess, counting newlines.
        qint64 baselineLines = 0;
        qint64 baselineNs = 0;
        {
            QProcess cat;
            QEventLoop loop;
            connect(&cat, &QProcess::readyReadStandardOutput, this,
                [&] { baselineLines += cat.readAllStandardOutput().count('\n'); });
            connect(&cat, &QProcess::finished, &loop, [&] {
                baselineLines += cat.readAllStandardOutput().count('\n');
                baselineNs = timer.nsecsElapsed();
                loop.quit();
            });
            timer.start();
            cat.start(u"cat"_s, { dataPath });
            loop.exec();
        }
        QCOMPARE(baselineLines, lines);

        // The ceiling: cat writes into a pipe of our own (1 MiB, as the engine's) and a bare
        // read() loop takes the bytes and does nothing with them. No reader of this pipe, the
        // baseline's or the engine's, can go faster than cat fills it.
        qint64 ceilingNs = 0;
        {
            int out[2];
            QVERIFY(::pipe2(out, O_CLOEXEC) == 0);
            ::fcntl(out[1], F_SETPIPE_SZ, 1 << 20);
            QProcess cat;
            cat.setStandardOutputFile(QProcess::nullDevice());
            const int outFd = out[1];
            cat.setChildProcessModifier([outFd] {
                if (::dup2(outFd, STDOUT_FILENO) < 0)
                    ::_exit(127);
            });
            timer.start();
            cat.start(u"cat"_s, { dataPath });
            const bool started = cat.waitForStarted();
            ::close(out[1]);
            QByteArray buffer(1 << 20, Qt::Uninitialized);
            qint64 bytes = 0;
            while (started) {
                const ssize_t n = ::read(out[0], buffer.data(), size_t(buffer.size()));
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                bytes += n;
            }
            ceilingNs = timer.nsecsElapsed();
            ::close(out[0]);
            QVERIFY(started);
            QVERIFY(cat.waitForFinished());
            QCOMPARE(bytes, dataBytes);
        }

        // The memory baseline: v0.1 kept each line as a QString in a std::deque<OutputLine>.
        malloc_trim(0);
        qint64 rssBefore = rssBytes();
        qint64 oldHeld = 0;
        {
            std::deque<OutputLine> old;
            qint64 offset = 0;
            forEachLine(all, [&](QByteArrayView line) {
                const OutputEvent event = BpftraceJsonParser::parseLine(line);
                if (event.kind == OutputEvent::Kind::Printf)
                    old.push_back(OutputLine { offset++, 0, OutputLine::Stream::Stdout, event.text.chopped(1) });
            });
            QCOMPARE(qint64(old.size()), keptLines);
            oldHeld = rssBytes() - rssBefore;
        }
        all = QByteArray();
        reference.clear();

        // The engine: read on its thread, parse, limit, batch, ring, maps.
        malloc_trim(0);
        rssBefore = rssBytes();
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
        const auto [run, engineNs] = timeRun(manager);
        qunsetenv("FAKE_CAT_FILE");
        QCOMPARE(run->state(), RunState::Finished);
        const qint64 kept = run->totalLines();
        QCOMPARE(kept, keptLines);
        QCOMPARE(run->droppedByCap(), 0);
        QVERIFY(run->maps().contains("@bytes"_L1));
        QTest::qWait(100); // the controller and its reader go with deleteLater()
        malloc_trim(0);
        const qint64 held = rssBytes() - rssBefore;

        // The same two, timed the way v0.1's benchmark did (QTRY_*, which sleeps up to 10 ms
        // between looks at the event loop): the 651k-line baseline is this figure. A
        // QProcess is read only when the event loop runs; the engine's reader does not wait.
        qint64 polledBaselineNs = 0;
        {
            QProcess cat;
            qint64 counted = 0;
            connect(&cat, &QProcess::readyReadStandardOutput, this,
                [&] { counted += cat.readAllStandardOutput().count('\n'); });
            timer.start();
            cat.start(u"cat"_s, { dataPath });
            QTRY_COMPARE_WITH_TIMEOUT(cat.state(), QProcess::NotRunning, 60000);
            counted += cat.readAllStandardOutput().count('\n');
            polledBaselineNs = timer.nsecsElapsed();
            QCOMPARE(counted, lines);
        }
        qint64 polledEngineNs = 0;
        {
            qputenv("FAKE_CAT_FILE", dataPath.toUtf8());
            RunManager polled;
            polled.setPrivilege(Privilege(PrivilegeMode::Direct, env));
            polled.setLimits(limits);
            timer.start();
            Run *again = polled.startPersonRun(u"BEGIN { }"_s);
            QTRY_VERIFY_WITH_TIMEOUT(isTerminal(again->state()), 120000);
            polledEngineNs = timer.nsecsElapsed();
            qunsetenv("FAKE_CAT_FILE");
            QCOMPARE(again->totalLines(), keptLines);
        }

        // The engine as it ships: a ring of the default 100,000 lines, so the memory a flood
        // passes through is reused instead of faulted in fresh, line after line.
        qint64 ringNs = 0;
        {
            qputenv("FAKE_CAT_FILE", dataPath.toUtf8());
            RunManager shipped;
            shipped.setPrivilege(Privilege(PrivilegeMode::Direct, env));
            RunLimits ring = limits;
            ring.maxLinesKept = int(Setting::maxLinesKept.defaultValue);
            shipped.setLimits(ring);
            const TimedRun timed = timeRun(shipped);
            const Run *capped = timed.run;
            ringNs = timed.ns;
            qunsetenv("FAKE_CAT_FILE");
            QCOMPARE(capped->state(), RunState::Finished);
            QCOMPARE(capped->totalLines(), keptLines);
            QCOMPARE(capped->droppedByCap(), std::max<qint64>(0, keptLines - ring.maxLinesKept));
        }

        const double qjsonRate = perSecond(lines, qjsonNs);
        const double fastRate = perSecond(lines, fastNs);
        const double baselineRate = perSecond(lines, baselineNs);
        const double ceilingRate = perSecond(lines, ceilingNs);
        const double engineRate = perSecond(lines, engineNs);
        const double ringRate = perSecond(lines, ringNs);
        const double oldPerLine = double(oldHeld) / double(keptLines);
        const double newPerLine = double(held) / double(kept);
        auto verdict = [](bool met) { return met ? u"met"_s : u"NOT met"_s; };
        const QString report
            = u"ingest: %1 lines, %2 MiB of -f json (%3 bytes a line)\n"
              "parser alone, one thread (lines per CPU second; ratio to the QJsonDocument baseline):\n"
              "  QJsonDocument, one document a line (baseline): %4 lines/s\n"
              "%5"
              "  hand-tuned fast path, 64 KiB chunks (kept):   %6 lines/s (%7x)  goal >= 1,000,000: %8\n"
              "end to end, bpftrace stand-in `cat` -> pipe -> run (lines/s; ratio to the baseline):\n"
              "  cat | QProcess, newline count (baseline):     %9 lines/s\n"
              "  ceiling, a bare read() of the pipe:           %20 lines/s (%21x): no reader goes faster\n"
              "  engine (reader thread, parse, ring, batches): %10 lines/s (%11x)  goal >= 1.5x: %12\n"
              "  the same with the default ring of %22 lines: %23 lines/s (%24x)\n"
              "  the same, polled as v0.1's benchmark was: baseline %17 lines/s, engine %18 lines/s (%19x)\n"
              "memory held per kept line (RSS; ratio to the baseline):\n"
              "  v0.1 layout, a QString per line in a deque (baseline): %13 bytes\n"
              "  engine ring, UTF-8 blocks and an 8-byte index:         %14 bytes (%15x)  goal <= 150: %16"_s.arg(lines)
                  .arg(double(dataBytes) / 1048576.0, 0, 'f', 1)
                  .arg(double(dataBytes) / double(lines), 0, 'f', 0)
                  .arg(qjsonRate, 0, 'f', 0)
                  .arg(simdjsonReport)
                  .arg(fastRate, 0, 'f', 0)
                  .arg(fastRate / qjsonRate, 0, 'f', 2)
                  .arg(verdict(fastRate >= 1e6))
                  .arg(baselineRate, 0, 'f', 0)
                  .arg(engineRate, 0, 'f', 0)
                  .arg(engineRate / baselineRate, 0, 'f', 2)
                  .arg(verdict(engineRate >= 1.5 * baselineRate))
                  .arg(oldPerLine, 0, 'f', 0)
                  .arg(newPerLine, 0, 'f', 0)
                  .arg(newPerLine / oldPerLine, 0, 'f', 2)
                  .arg(verdict(newPerLine <= 150))
                  .arg(perSecond(lines, polledBaselineNs), 0, 'f', 0)
                  .arg(perSecond(lines, polledEngineNs), 0, 'f', 0)
                  .arg(double(polledBaselineNs) / double(polledEngineNs), 0, 'f', 2)
                  .arg(ceilingRate, 0, 'f', 0)
                  .arg(ceilingRate / baselineRate, 0, 'f', 2)
                  .arg(Setting::maxLinesKept.defaultValue)
                  .arg(ringRate, 0, 'f', 0)
                  .arg(ringRate / baselineRate, 0, 'f', 2);
        std::printf("%s\n", qPrintable(report));
        // Not a performance gate, a guard against pathologies (one signal per line, quadratic copies).
        // Against the baseline of the same run, not an absolute rate, so a loaded machine slows both.
        QVERIFY2(engineRate / baselineRate > 0.1, qPrintable(report));
        QVERIFY2(fastRate / qjsonRate > 1.0, qPrintable(report));
        QVERIFY2(newPerLine < oldPerLine, qPrintable(report));
    }
};

QTEST_GUILESS_MAIN(BenchIngest)
#include "bench_ingest.moc"
