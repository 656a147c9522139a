// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/outputreader.h"
#include "engine/run.h"

#include <QElapsedTimer>
#include <QTest>

#include <atomic>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
QByteArray printfLine(const QByteArray &text)
{
    return "{\"type\": \"printf\", \"data\": \"" + text + "\\n\"}\n";
}

/// A pipe whose write end the test holds, like bpftrace's stdout.
struct Pipe
{
    int read = -1;
    int write = -1;
    Pipe()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            read = fds[0];
            write = fds[1];
        }
    }
    ~Pipe() { closeWrite(); }
    bool send(QByteArrayView bytes) const
    {
        while (!bytes.isEmpty()) {
            const ssize_t n = ::write(write, bytes.data(), size_t(bytes.size()));
            if (n <= 0)
                return false;
            bytes = bytes.sliced(n);
        }
        return true;
    }
    void closeWrite()
    {
        if (write >= 0)
            ::close(write);
        write = -1;
    }
};

struct Reader
{
    QElapsedTimer clock;
    std::atomic<int> wakes { 0 };
    std::unique_ptr<OutputReader> reader;
    explicit Reader(RunLimits limits = noLimits(), qsizetype maxLineBytes = 1 << 20)
    {
        clock.start();
        reader = std::make_unique<OutputReader>(limits, clock, [this] { ++wakes; }, maxLineBytes);
    }
    static RunLimits noLimits()
    {
        RunLimits limits;
        limits.maxLinesPerSecond = 0;
        limits.maxBytesPerSecond = 0;
        limits.maxLinesKept = 1000000;
        return limits;
    }
    OutputReader *operator->() const { return reader.get(); }
};

QStringList texts(const OutputBatch &batch)
{
    QStringList out;
    batch.lines.forEach(0, batch.lines.size(),
        [&](QByteArrayView text, OutputLine::Stream, qint64) { out << QString::fromUtf8(text); });
    return out;
}
} // namespace

class TestOutputReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void linesSplitAcrossReads()
    {
        // Every way of cutting the stream into reads gives the same lines: JSON cut anywhere, a
        // UTF-8 character cut between its bytes, several lines in one read, a last line with no
        // newline, one printf holding two lines.
        QByteArray stream = printfLine("first") + printfLine("caf\xc3\xa9 \xf0\x9f\x98\x80")
            + "{\"type\": \"printf\", \"data\": \"two\\nlines\\n\"}\n" + printfLine("quote \\\" and \\\\ back")
            + "{\"type\": \"printf\", \"data\": \"no newline at the end\"}";
        const QStringList expected { u"first"_s, u"caf\u00e9 \U0001F600"_s, u"two"_s, u"lines"_s,
            u"quote \" and \\ back"_s, u"no newline at the end"_s };
        for (const qsizetype step :
            { qsizetype(1), qsizetype(2), qsizetype(3), qsizetype(7), qsizetype(31), stream.size() }) {
            Pipe pipe;
            Reader reader;
            QString error;
            QVERIFY2(reader->start(pipe.read, &error), qPrintable(error));
            for (qsizetype at = 0; at < stream.size(); at += step) {
                QVERIFY(pipe.send(QByteArrayView(stream).sliced(at, std::min(step, stream.size() - at))));
                if (step < 8)
                    QTest::qWait(0); // let the reader see the pieces one by one, some of the time
                else
                    ::usleep(2000);
            }
            pipe.closeWrite();
            reader->finish();
            const OutputReader::Batch batch = reader->take();
            QCOMPARE(texts(batch.output), expected);
            QCOMPARE(batch.output.count(), expected.size());
            qint64 textSize = 0;
            for (const QString &text : expected)
                textSize += text.size();
            QCOMPARE(batch.output.textSize, textSize);
        }
    }

    void hostileInput()
    {
        // Invalid UTF-8, malformed JSON, an oversize line and a blank one: each becomes what the
        // parser says it is, and the line after each is intact.
        Pipe pipe;
        Reader reader(Reader::noLimits(), 1024);
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        QVERIFY(pipe.send("\xff\xfe not json\n"));
        QVERIFY(pipe.send(printfLine("a")));
        QVERIFY(pipe.send("{\"type\": \"printf\", \"data\": \"bad \xc3\x28 utf-8\"}\n"));
        QVERIFY(pipe.send("{\"type\": \"printf\", \"da\n"));
        QVERIFY(pipe.send("\n   \n"));
        QVERIFY(pipe.send(QByteArray(5000, 'x'))); // no newline yet: cut at 1024, reported once
        QVERIFY(pipe.send(QByteArray(QByteArray(5000, 'y') + "\n")));
        QVERIFY(pipe.send(printfLine("b")));
        pipe.closeWrite();
        reader->finish();
        const QStringList got = texts(reader->take().output);
        QCOMPARE(got.size(), 6);
        QCOMPARE(got.at(0), QString::fromUtf8("\xff\xfe not json"));
        QVERIFY(got.at(0).contains(QChar::ReplacementCharacter));
        QCOMPARE(got.at(1), u"a"_s);
        QVERIFY(got.at(2).startsWith(u"{\"type\": \"printf\""_s)); // kept raw, as malformed
        QVERIFY(got.at(2).contains(QChar::ReplacementCharacter));
        QCOMPARE(got.at(3), u"{\"type\": \"printf\", \"da"_s);
        QVERIFY(got.at(4).startsWith(QString(1024, u'x') + u" [line cut"_s));
        QCOMPARE(got.at(5), u"b"_s);
    }

    void hugeLinesInManyReads()
    {
        // A 3 MiB printf arrives over several reads and is kept whole (the cut is at 4 MiB here).
        Pipe pipe;
        Reader reader(Reader::noLimits(), 4 << 20);
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        const QByteArray big(3 << 20, 'z');
        std::thread writer([&] {
            pipe.send(QByteArray(printfLine(big) + printfLine("after")));
            pipe.closeWrite();
        });
        writer.join(); // the reader's thread reads while the writer writes, so this ends
        reader->finish();
        const QStringList got = texts(reader->take().output);
        QCOMPARE(got.size(), 2);
        QCOMPARE(got.at(0).size(), big.size());
        QCOMPARE(got.at(1), u"after"_s);
    }

    void finishDoesNotWaitForTheEndOfThePipe()
    {
        // A child bpftrace started can hold its stdout open after bpftrace exited: finish() reads
        // what is there, the last line without its newline too, and returns.
        Pipe pipe;
        Reader reader;
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        QVERIFY(pipe.send(QByteArray(printfLine("one") + "{\"type\": \"printf\", \"data\": \"unterminated\"}")));
        QElapsedTimer timer;
        timer.start();
        reader->finish();
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(texts(reader->take().output), (QStringList { u"one"_s, u"unterminated"_s }));
        reader->finish(); // again: nothing to do
        QVERIFY(reader->take().isEmpty());
    }

    void stopDiscards()
    {
        Pipe pipe;
        Reader reader;
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        QElapsedTimer timer;
        timer.start();
        reader->stop();
        QVERIFY(timer.elapsed() < 5000);
        reader->stop();
    }

    void wakesOnceUntilTaken()
    {
        Pipe pipe;
        Reader reader;
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        QVERIFY(pipe.send(printfLine("1")));
        QTRY_COMPARE(reader.wakes.load(), 1);
        QVERIFY(pipe.send(printfLine("2")));
        QTest::qWait(100);
        QCOMPARE(reader.wakes.load(), 1); // still waiting to be taken: no second wake
        QCOMPARE(texts(reader->take().output).size() + texts(reader->take().output).size(), 2);
        QVERIFY(pipe.send(printfLine("3")));
        QTRY_COMPARE(reader.wakes.load(), 2);
        pipe.closeWrite();
        reader->finish();
    }

    void mapsAndCounters()
    {
        Pipe pipe;
        Reader reader;
        reader->setKeyTypes({ { u"@bytes"_s, { u"string"_s, u"int64"_s } } });
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        QVERIFY(pipe.send("{\"type\": \"attached_probes\", \"data\": {\"probes\": 3}}\n"
                          "{\"type\": \"lost_events\", \"data\": {\"events\": 12}}\n"
                          "{\"type\": \"map\", \"data\": {\"@bytes\": {\"bash,2\": 18}}}\n"
                          "{\"type\": \"lost_events\", \"data\": {\"events\": 5}}\n"
                          "{\"type\": \"hist\", \"data\": {\"@h\": [{\"min\": 4, \"max\": 7, \"count\": 1}]}}\n"
                          "{\"type\": \"map\", \"data\": {\"@bytes\": {\"bash,2\": 20}}}\n"));
        pipe.closeWrite();
        reader->finish();
        const OutputReader::Batch batch = reader->take();
        QVERIFY(batch.output.isEmpty());
        QCOMPARE(batch.attachedProbes, 3);
        QCOMPARE(batch.lostEvents, 17);
        QCOMPARE(batch.prints.size(), 3);
        QCOMPARE(batch.prints.at(0).first, u"@bytes"_s);
        QCOMPARE(batch.prints.at(1).first, u"@h"_s);
        QVERIFY(batch.maps.contains(u"@h"_s));
        const MapResult *bytes = batch.maps.find(u"@bytes"_s);
        QVERIFY(bytes);
        QCOMPARE(bytes->entries().size(), 1);
        QCOMPARE(bytes->keyTypes(), (QStringList { u"string"_s, u"int64"_s })); // split by the types given
        QCOMPARE(batch.maps.series(u"@bytes"_s)->snapshots.size(), 2);
    }

    void rateLimitCountsEveryLineOnce()
    {
        RunLimits limits = Reader::noLimits();
        limits.maxLinesPerSecond = 100;
        Pipe pipe;
        Reader reader(limits);
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        QByteArray lines;
        for (int i = 0; i < 1000; ++i)
            lines += printfLine("line " + QByteArray::number(i));
        QVERIFY(pipe.send(lines));
        pipe.closeWrite();
        reader->finish();
        // In the same window: our own stderr line is refused as well, an event line never is.
        reader->addLine(OutputLine::Stream::Stderr, u"late stderr"_s);
        reader->addLine(OutputLine::Stream::Event, u"stop: sending SIGINT"_s);
        const qint64 seconds = reader.clock.elapsed() / 1000 + 1;
        const OutputReader::Batch batch = reader->take();
        QCOMPARE(batch.output.count() + batch.droppedByRate, 1002);
        QVERIFY2(batch.output.count() <= 100 * seconds + 1, qPrintable(QString::number(batch.output.count())));
        QVERIFY(batch.droppedByRate >= 1000 - 100 * seconds);
        const QStringList got = texts(batch.output);
        QCOMPARE(got.first(), u"line 0"_s); // the first of the window get in, the rest do not
        QCOMPARE(got.last(), u"stop: sending SIGINT"_s);
    }

    void capCutsWhatTheRingWouldDrop()
    {
        // 1,000 lines for a ring of 10: the batch holds the newest 10 and counts the rest, and the
        // run they go to ends up exactly where it would have with all 1,000 copied in.
        RunLimits limits = Reader::noLimits();
        limits.maxLinesKept = 10;
        Pipe pipe;
        Reader reader(limits);
        QString error;
        QVERIFY(reader->start(pipe.read, &error));
        QByteArray lines;
        for (int i = 0; i < 1000; ++i)
            lines += printfLine("line " + QByteArray::number(i));
        QVERIFY(pipe.send(lines));
        pipe.closeWrite();
        reader->finish();
        const OutputReader::Batch batch = reader->take();
        QCOMPARE(batch.output.lines.size(), 10);
        QCOMPARE(batch.output.linesCut, 990);

        Run run(u"r"_s, RunOrigin::Person);
        QList<OutputLine> before(5);
        run.appendLines(std::move(before), 10);
        run.appendBatch(batch.output, 10);
        QCOMPARE(run.totalLines(), 1005);
        QCOMPARE(run.droppedByCap(), 995);
        const QList<OutputLine> kept = run.lines(0, 100);
        QCOMPARE(kept.size(), 10);
        QCOMPARE(kept.first().offset, 995);
        QCOMPARE(kept.first().text, u"line 990"_s);
        QCOMPARE(kept.last().text, u"line 999"_s);
        qint64 textSize = 0;
        for (int i = 0; i < 1000; ++i)
            textSize += (u"line "_s + QString::number(i)).size();
        QCOMPARE(run.totalBytes(), textSize);
    }
};

QTEST_GUILESS_MAIN(TestOutputReader)
#include "tst_outputreader.moc"
