// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/outputbuffer.h"

#include <QRandomGenerator>
#include <QTest>

#include <deque>

using namespace Qt::StringLiterals;

namespace {
QByteArray lineText(int i)
{
    return "openat pid=" + QByteArray::number(1000 + i) + " comm=worker file=/usr/lib/libfoo.so."
        + QByteArray::number(i);
}

QStringList texts(const OutputBuffer &buffer)
{
    QStringList out;
    buffer.forEach(
        0, buffer.size(), [&](QByteArrayView text, OutputLine::Stream, qint64) { out << QString::fromUtf8(text); });
    return out;
}
} // namespace

class TestOutputBuffer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keepsEachLineExactly()
    {
        OutputBuffer buffer;
        QVERIFY(buffer.isEmpty());
        buffer.append(OutputLine::Stream::Stdout, 5, "hello");
        buffer.append(OutputLine::Stream::Stderr, 7, "caf\xc3\xa9 \xf0\x9f\x98\x80");
        buffer.append(OutputLine::Stream::Event, 7, "");
        QCOMPARE(buffer.size(), 3);
        QCOMPARE(buffer.text(0), "hello");
        QCOMPARE(buffer.stream(1), OutputLine::Stream::Stderr);
        QCOMPARE(buffer.msSinceStart(1), 7);
        const OutputLine line = buffer.line(1, 41);
        QCOMPARE(line.offset, 41);
        QCOMPARE(line.text, u"caf\u00e9 \U0001F600"_s);
        QCOMPARE(buffer.line(2, 0).stream, OutputLine::Stream::Event);
        QVERIFY(buffer.line(2, 0).text.isEmpty());
    }

    void manyLinesAcrossBlocks()
    {
        // 200,000 lines fill many 64 KiB blocks: every line, its stream and its time come back.
        OutputBuffer buffer;
        for (int i = 0; i < 200000; ++i)
            buffer.append(i % 7 == 0 ? OutputLine::Stream::Stderr : OutputLine::Stream::Stdout, i / 100, lineText(i));
        QCOMPARE(buffer.size(), 200000);
        for (int i : { 0, 1, 999, 1000, 65535, 123456, 199999 }) {
            QCOMPARE(buffer.text(i), lineText(i));
            QCOMPARE(buffer.msSinceStart(i), i / 100);
            QCOMPARE(buffer.stream(i), i % 7 == 0 ? OutputLine::Stream::Stderr : OutputLine::Stream::Stdout);
        }
        int next = 150000;
        bool inOrder = true;
        buffer.forEach(150000, 1000000, [&](QByteArrayView text, OutputLine::Stream, qint64 ms) {
            inOrder = inOrder && text == lineText(next) && ms == next / 100;
            ++next;
        });
        QVERIFY(inOrder);
        QCOMPARE(next, 200000);
        // Text once as UTF-8 plus eight bytes of index: the ring's memory goal is 150 bytes a line.
        const double perLine = double(buffer.heapBytes()) / buffer.size();
        const double textPerLine = double(lineText(100000).size());
        QVERIFY2(
            perLine < textPerLine + 16, qPrintable(u"%1 bytes a line for %2 of text"_s.arg(perLine).arg(textPerLine)));
    }

    void droppingFreesWholeBlocks()
    {
        OutputBuffer buffer;
        for (int i = 0; i < 100000; ++i)
            buffer.append(OutputLine::Stream::Stdout, 0, lineText(i));
        const qint64 full = buffer.heapBytes();
        buffer.dropFront(99990);
        QCOMPARE(buffer.size(), 10);
        QCOMPARE(buffer.text(0), lineText(99990));
        QCOMPARE(buffer.text(9), lineText(99999));
        // What is left is one block or two, not the whole run.
        QVERIFY2(buffer.heapBytes() < 3 * 64 * 1024, qPrintable(QString::number(buffer.heapBytes())));
        QVERIFY(buffer.heapBytes() < full / 20);
        buffer.append(OutputLine::Stream::Stdout, 1, "after");
        QCOMPARE(buffer.size(), 11);
        QCOMPARE(buffer.text(10), "after");
        buffer.dropFront(1000); // more than it holds
        QVERIFY(buffer.isEmpty());
        QCOMPARE(buffer.heapBytes(), 0);
        buffer.append(OutputLine::Stream::Stdout, 2, "again");
        QCOMPARE(texts(buffer), QStringList { u"again"_s });
    }

    void longLinesAndOddTimes()
    {
        OutputBuffer buffer;
        const QByteArray huge(300 * 1024, 'h'); // longer than a block
        buffer.append(OutputLine::Stream::Stdout, 10, "small");
        buffer.append(OutputLine::Stream::Stdout, 11, huge);
        buffer.append(OutputLine::Stream::Stdout, 12, "tail");
        // Times that go back, or jump further than the index's 32 bits of milliseconds.
        buffer.append(OutputLine::Stream::Stdout, 3, "earlier");
        buffer.append(OutputLine::Stream::Stdout, qint64(1) << 40, "much later");
        buffer.append(OutputLine::Stream::Stdout, -5, "negative");
        QCOMPARE(buffer.text(1), huge);
        QCOMPARE(buffer.text(2), "tail");
        QCOMPARE(buffer.msSinceStart(3), 3);
        QCOMPARE(buffer.msSinceStart(4), qint64(1) << 40);
        QCOMPARE(buffer.msSinceStart(5), -5);
        QCOMPARE(texts(buffer),
            (QStringList {
                u"small"_s, QString::fromLatin1(huge), u"tail"_s, u"earlier"_s, u"much later"_s, u"negative"_s }));
    }

    void appendsFromAnotherBufferStamped()
    {
        OutputBuffer parsed;
        for (int i = 0; i < 5; ++i)
            parsed.append(OutputLine::Stream::Stdout, 0, lineText(i));
        OutputBuffer ring;
        ring.append(parsed, 1, 3, 250);
        QCOMPARE(ring.size(), 3);
        QCOMPARE(ring.text(0), lineText(1));
        QCOMPARE(ring.text(2), lineText(3));
        QCOMPARE(ring.msSinceStart(2), 250);
        ring.append(parsed, 4, 10); // clamped to what there is, own times kept
        QCOMPARE(ring.size(), 4);
        QCOMPARE(ring.msSinceStart(3), 0);
        ring.append(parsed, 9, 1); // past the end: nothing
        QCOMPARE(ring.size(), 4);
    }

    void movesFullBlocksAndCopiesTheRest()
    {
        OutputBuffer parsed;
        for (int i = 0; i < 20000; ++i)
            parsed.append(OutputLine::Stream::Stdout, i, lineText(i));
        parsed.dropFront(5); // its first block holds lines it no longer has
        const char *middle = parsed.text(10000 - 5).data();
        OutputBuffer ring;
        // The ring numbers its lines far from the parser's (a long run that dropped most).
        for (int i = 0; i < 50000; ++i)
            ring.append(OutputLine::Stream::Stdout, 0, lineText(i));
        ring.dropFront(50000);
        for (int i = 0; i < 3; ++i)
            ring.append(OutputLine::Stream::Stderr, 1, "before");
        ring.append(std::move(parsed), 700);
        QVERIFY(parsed.isEmpty());
        QCOMPARE(ring.size(), 3 + 19995);
        QStringList expected { u"before"_s, u"before"_s, u"before"_s };
        for (int i = 5; i < 20000; ++i)
            expected << QString::fromLatin1(lineText(i));
        QCOMPARE(texts(ring), expected);
        QCOMPARE(ring.stream(2), OutputLine::Stream::Stderr);
        QCOMPARE(ring.stream(3), OutputLine::Stream::Stdout);
        // Stamped as one chunk, and the text of a full block was moved, not copied.
        QCOMPARE(ring.msSinceStart(3), 700);
        QCOMPARE(ring.msSinceStart(ring.size() - 1), 700);
        QCOMPARE(ring.msSinceStart(0), 1);
        QCOMPARE(static_cast<const void *>(ring.text(3 + 10000 - 5).data()), static_cast<const void *>(middle));
        // Unstamped, each line keeps its own time; the emptied buffer is usable again.
        for (int i = 0; i < 2000; ++i)
            parsed.append(OutputLine::Stream::Stdout, 40 + i, lineText(i));
        ring.append(std::move(parsed));
        QCOMPARE(ring.size(), 3 + 19995 + 2000);
        QCOMPARE(ring.msSinceStart(ring.size() - 1), 40 + 1999);
        QCOMPARE(ring.text(ring.size() - 1), lineText(1999));
        parsed.append(OutputLine::Stream::Stdout, 0, "reused");
        QCOMPARE(texts(parsed), QStringList { u"reused"_s });
        ring.dropFront(ring.size() - 1);
        QCOMPARE(texts(ring), QStringList { QString::fromLatin1(lineText(1999)) });
    }

    void handsOverLikeTheReaderAndTheRing()
    {
        // The path a flood takes: the parser's chunks move into the pending batch, which is cut
        // to the cap and moves into the ring, itself cut to the cap; checked against a plain
        // list of the same lines at every step (fixed seed, chunks of every size).
        QRandomGenerator random(13);
        std::deque<QByteArray> model;
        OutputBuffer ring;
        OutputBuffer pending;
        std::deque<QByteArray> pendingModel;
        constexpr qsizetype cap = 40000;
        int next = 0;
        for (int round = 0; round < 60; ++round) {
            OutputBuffer parsed;
            const int lines = random.bounded(1, round % 3 == 0 ? 3 : 12000);
            for (int i = 0; i < lines; ++i, ++next) {
                parsed.append(OutputLine::Stream::Stdout, next, lineText(next));
                pendingModel.push_back(lineText(next));
            }
            pending.append(std::move(parsed), round);
            if (pending.size() > cap) {
                const qsizetype excess = pending.size() - cap;
                pending.dropFront(excess);
                pendingModel.erase(pendingModel.begin(), pendingModel.begin() + excess);
            }
            QCOMPARE(pending.size(), qsizetype(pendingModel.size()));
            if (round % 4 != 3)
                continue;
            const qsizetype from = std::max<qsizetype>(0, pending.size() - cap / 2);
            pending.dropFront(from);
            pendingModel.erase(pendingModel.begin(), pendingModel.begin() + from);
            ring.append(std::move(pending));
            QVERIFY(pending.isEmpty());
            model.insert(model.end(), pendingModel.begin(), pendingModel.end());
            pendingModel.clear();
            if (ring.size() > cap) {
                const qsizetype excess = ring.size() - cap;
                ring.dropFront(excess);
                model.erase(model.begin(), model.begin() + excess);
            }
            QCOMPARE(ring.size(), qsizetype(model.size()));
            QStringList expected;
            for (const QByteArray &line : model)
                expected << QString::fromLatin1(line);
            QCOMPARE(texts(ring), expected);
            if (!model.empty())
                QCOMPARE(ring.text(ring.size() / 2), model.at(model.size() / 2));
        }
    }

    void aFewLinesAtATimeShareBlocks()
    {
        // A quiet run hands over a line or two per read: those are copied together, so the
        // memory held stays about the text, not a block per handover.
        OutputBuffer ring;
        qint64 text = 0;
        for (int i = 0; i < 2000; ++i) {
            OutputBuffer chunk;
            chunk.append(OutputLine::Stream::Stdout, i, lineText(i));
            text += lineText(i).size();
            ring.append(std::move(chunk), i);
        }
        QCOMPARE(ring.size(), 2000);
        QCOMPARE(ring.text(1234), lineText(1234));
        QCOMPARE(ring.msSinceStart(1234), 1234);
        QVERIFY2(ring.heapBytes() < text + 2000 * 8 + 2 * 64 * 1024, qPrintable(QString::number(ring.heapBytes())));
    }
};

QTEST_GUILESS_MAIN(TestOutputBuffer)
#include "tst_outputbuffer.moc"
