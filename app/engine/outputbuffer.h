// SPDX-License-Identifier: GPL-2.0-or-later
// Lines of output as UTF-8 in a few large blocks with a packed index: how a run keeps its lines,
// and how the reader thread hands them to the GUI thread.
#pragma once

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <deque>
#include <optional>
#include <vector>

/// A line of output kept for a run. Offsets are absolute and never reused: the first line a run
/// produced has offset 0 even after the ring dropped it.
struct OutputLine
{
    enum class Stream
    {
        Stdout,
        Stderr,
        Event
    };
    qint64 offset = 0;
    qint64 msSinceStart = 0;
    Stream stream = Stream::Stdout;
    QString text;

    QJsonObject toJson() const;
    static OutputLine fromJson(const QJsonObject &object);
    /// The wire name of a stream ("stdout", "stderr", "event"), as used in JSON and over MCP.
    static QString streamName(Stream stream);
};

/// A sequence of lines, appended at the back and dropped at the front. Text is stored once, as
/// UTF-8, in blocks of about 64 KiB; each line costs 8 bytes of index besides its text (a
/// QString per line cost twice the text as UTF-16 plus about 70 bytes). Lines are numbered
/// from 0 at the current front. Not thread-safe; moved between threads whole.
class OutputBuffer
{
public:
    using Stream = OutputLine::Stream;

    /// Longest line kept whole; longer ones are cut (the parsers cut at 1 MiB long before this).
    static constexpr qsizetype kMaxLineBytes = (qsizetype(1) << 30) - 1;

    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }

    /// `utf8` must be valid UTF-8 (what QString::toUtf8() gives); it is not checked here.
    void append(Stream stream, qint64 msSinceStart, QByteArrayView utf8);
    /// Appends `count` lines of `other` starting at its line `first`, stamped `msSinceStart`
    /// when given (the reader stamps a parsed chunk when it accepts it), else with their own.
    void append(
        const OutputBuffer &other, qsizetype first, qsizetype count, std::optional<qint64> msSinceStart = std::nullopt);
    /// Appends every line of `other` and leaves it empty. Its full blocks are moved, not copied
    /// (a flood's text is written once, where the parser put it); the rest is copied, so lines
    /// that arrive a few at a time still share blocks. Stamped like append() above.
    void append(OutputBuffer &&other, std::optional<qint64> msSinceStart = std::nullopt);
    void dropFront(qsizetype count);
    void clear();

    QByteArrayView text(qsizetype index) const;
    Stream stream(qsizetype index) const;
    qint64 msSinceStart(qsizetype index) const;
    /// The line as the run's API gives it out.
    OutputLine line(qsizetype index, qint64 offset) const;
    /// Calls f(text, stream, ms) for `count` lines from `first`, walking the blocks in order.
    template<typename F> void forEach(qsizetype first, qsizetype count, F &&f) const;

    /// Heap memory held (text blocks and index), for tests and the benchmark.
    qint64 heapBytes() const;

private:
    static constexpr qsizetype kBlockBytes = 64 * 1024;
    static constexpr quint32 kEndMask = (quint32(1) << 30) - 1;
    struct Entry
    {
        quint32 endAndStream; ///< end of the text in the block (30 bits), stream (2 bits)
        quint32 msDelta; ///< ms after the block's base
    };
    struct Block
    {
        qint64 first = 0; ///< number of the block's first line, counted from the first ever appended
        qint64 baseMs = 0;
        QByteArray text;
        std::vector<Entry> entries;
        qsizetype startOf(size_t i) const { return i == 0 ? 0 : qsizetype(entries[i - 1].endAndStream & kEndMask); }
    };
    /// The number of the block holding line `index`, and the line's index in that block.
    std::pair<size_t, size_t> locate(qsizetype index) const;
    Block &blockFor(qint64 ms, qsizetype bytes);

    std::deque<Block> m_blocks;
    qint64 m_dropped = 0; ///< lines dropped from the front since the first ever appended
    qsizetype m_size = 0;
};

/// What the reader thread hands to the run in one go: the newest lines it accepted, and how many
/// older ones of the same batch were already past the ring's cap (counted, never copied).
struct OutputBatch
{
    OutputBuffer lines;
    qint64 linesCut = 0; ///< accepted before `lines`, already beyond the cap
    qint64 textSize = 0; ///< of every accepted line, cut ones included, in QString::size() units

    bool isEmpty() const { return lines.isEmpty() && linesCut == 0; }
    qint64 count() const { return linesCut + lines.size(); }
};

template<typename F> void OutputBuffer::forEach(qsizetype first, qsizetype count, F &&f) const
{
    if (count <= 0 || first < 0 || first >= m_size)
        return;
    count = std::min(count, m_size - first);
    auto [block, i] = locate(first);
    auto it = m_blocks.begin() + qsizetype(block);
    while (count > 0) {
        const Block &b = *it;
        for (; i < b.entries.size() && count > 0; ++i, --count) {
            const qsizetype start = b.startOf(i);
            const qsizetype end = qsizetype(b.entries[i].endAndStream & kEndMask);
            f(QByteArrayView(b.text.constData() + start, end - start), Stream(b.entries[i].endAndStream >> 30),
                b.baseMs + qint64(b.entries[i].msDelta));
        }
        ++it;
        i = 0;
    }
}
