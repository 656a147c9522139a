// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/outputbuffer.h"

#include <QTest>

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
};

QTEST_GUILESS_MAIN(TestOutputBuffer)
#include "tst_outputbuffer.moc"
