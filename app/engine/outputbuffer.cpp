// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/outputbuffer.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

QString OutputLine::streamName(Stream stream)
{
    switch (stream) {
    case Stream::Stdout:
        return u"stdout"_s;
    case Stream::Stderr:
        return u"stderr"_s;
    case Stream::Event:
        return u"event"_s;
    }
    return u"stdout"_s;
}

QJsonObject OutputLine::toJson() const
{
    return QJsonObject { { u"offset"_s, offset }, { u"ms"_s, msSinceStart }, { u"stream"_s, streamName(stream) },
        { u"text"_s, text } };
}

OutputLine OutputLine::fromJson(const QJsonObject &object)
{
    OutputLine line;
    line.offset = object.value(u"offset"_s).toInteger();
    line.msSinceStart = object.value(u"ms"_s).toInteger();
    const QString stream = object.value(u"stream"_s).toString();
    line.stream = stream == "stderr"_L1 ? Stream::Stderr : stream == "event"_L1 ? Stream::Event : Stream::Stdout;
    line.text = object.value(u"text"_s).toString();
    return line;
}

OutputBuffer::Block &OutputBuffer::blockFor(qint64 ms, qsizetype bytes)
{
    size_t previousEntries = 0;
    if (!m_blocks.empty() && m_blocks.back().entries.empty()) {
        Block &reused = m_blocks.back(); // kept by clear()
        reused.first = m_dropped + m_size;
        reused.baseMs = ms;
        return reused;
    }
    if (!m_blocks.empty()) {
        Block &last = m_blocks.back();
        const bool timeFits = ms >= last.baseMs && quint64(ms - last.baseMs) <= std::numeric_limits<quint32>::max();
        const bool sizeFits = last.text.size() + bytes <= kBlockBytes;
        if (timeFits && sizeFits)
            return last;
        // Sealed: give back what growing it left unused (the text usually fills its reserve).
        if (last.text.capacity() > last.text.size() + last.text.size() / 8)
            last.text.squeeze();
        if (last.entries.capacity() > last.entries.size() + last.entries.size() / 8)
            last.entries.shrink_to_fit();
        if (!sizeFits)
            previousEntries = last.entries.size();
    }
    Block &block = m_blocks.emplace_back();
    block.first = m_dropped + m_size;
    block.baseMs = ms;
    // A block that follows a full one will most likely fill up too: reserve it whole at once
    // instead of growing it step by step. The first block of a quiet run stays small.
    if (previousEntries > 0) {
        block.text.reserve(std::max(kBlockBytes, bytes));
        block.entries.reserve(previousEntries);
    }
    return block;
}

void OutputBuffer::append(Stream stream, qint64 msSinceStart, QByteArrayView utf8)
{
    if (utf8.size() > kMaxLineBytes)
        utf8 = utf8.first(kMaxLineBytes);
    Block &block = blockFor(msSinceStart, utf8.size());
    block.text.append(utf8);
    block.entries.push_back(
        { quint32(block.text.size()) | (quint32(stream) << 30), quint32(quint64(msSinceStart - block.baseMs)) });
    ++m_size;
}

void OutputBuffer::append(
    const OutputBuffer &other, qsizetype first, qsizetype count, std::optional<qint64> msSinceStart)
{
    if (!msSinceStart) {
        other.forEach(
            first, count, [this](QByteArrayView text, Stream stream, qint64 ms) { append(stream, ms, text); });
        return;
    }
    // One time for all: whole runs of lines go over with one copy of their text each, and
    // only their index entries are rewritten (the reader's chunks and the ring's batches).
    if (count <= 0 || first < 0 || first >= other.m_size)
        return;
    count = std::min(count, other.m_size - first);
    const qint64 ms = *msSinceStart;
    auto [blockIndex, i] = other.locate(first);
    for (auto it = other.m_blocks.begin() + qsizetype(blockIndex); count > 0; ++it, i = 0) {
        const Block &source = *it;
        const size_t sourceEnd = std::min(source.entries.size(), i + size_t(count));
        while (i < sourceEnd) {
            const qsizetype start = source.startOf(i);
            Block &target = blockFor(ms, source.startOf(i + 1) - start);
            // As many of the lines as fit in the target's block.
            const qsizetype room = std::max(kBlockBytes - target.text.size(), source.startOf(i + 1) - start);
            const auto fitEnd = std::upper_bound(source.entries.begin() + qsizetype(i) + 1,
                source.entries.begin() + qsizetype(sourceEnd), start + room,
                [](qsizetype limit, const Entry &e) { return limit < qsizetype(e.endAndStream & kEndMask); });
            const size_t last = size_t(fitEnd - source.entries.begin());
            const qsizetype end = source.startOf(last);
            const qsizetype shift = target.text.size() - start;
            target.text.append(source.text.constData() + start, end - start);
            const auto delta = quint32(quint64(ms - target.baseMs));
            target.entries.reserve(target.entries.size() + (last - i));
            for (size_t j = i; j < last; ++j) {
                const quint32 e = source.entries[j].endAndStream;
                target.entries.push_back({ quint32(qsizetype(e & kEndMask) + shift) | (e & ~kEndMask), delta });
            }
            m_size += qsizetype(last - i);
            count -= qsizetype(last - i);
            i = last;
        }
    }
}

void OutputBuffer::append(OutputBuffer &&other, std::optional<qint64> msSinceStart)
{
    if (other.m_size == 0) {
        other.clear();
        return;
    }
    if (!m_blocks.empty() && m_blocks.back().entries.empty())
        m_blocks.pop_back(); // the block clear() kept: moved blocks come after it
    for (Block &block : other.m_blocks) {
        if (block.entries.empty())
            continue;
        // Lines other has dropped from its front are not its lines any more.
        const qsizetype droppedHere = qsizetype(std::max<qint64>(0, other.m_dropped - block.first));
        const qsizetype lines = qsizetype(block.entries.size()) - droppedHere;
        if (lines <= 0)
            continue;
        // A block at least half full moves; a few lines are copied, to share a block with the
        // lines before and after them (a quiet run must not cost a block a line).
        if (droppedHere > 0 || block.text.size() < kBlockBytes / 2) {
            append(other, qsizetype(block.first - other.m_dropped) + droppedHere, lines, msSinceStart);
            continue;
        }
        if (msSinceStart) {
            block.baseMs = *msSinceStart;
            for (Entry &e : block.entries)
                e.msDelta = 0;
        }
        // Renumbered once it is ours: `other` still finds its later lines by the old numbers.
        Block &moved = m_blocks.emplace_back(std::move(block));
        moved.first = m_dropped + m_size;
        m_size += lines;
    }
    other.m_blocks.clear();
    other.m_dropped = 0;
    other.m_size = 0;
}

void OutputBuffer::dropFront(qsizetype count)
{
    count = std::clamp<qsizetype>(count, 0, m_size);
    m_dropped += count;
    m_size -= count;
    // A block goes once its last line has: the memory held is the kept lines and one block at most.
    while (!m_blocks.empty() && m_blocks.front().first + qint64(m_blocks.front().entries.size()) <= m_dropped)
        m_blocks.pop_front();
}

void OutputBuffer::clear()
{
    // The first block stays allocated: a buffer cleared after each chunk (the reader's) or each
    // batch does not grow it again from nothing every time.
    while (m_blocks.size() > 1)
        m_blocks.pop_back();
    if (!m_blocks.empty()) {
        Block &block = m_blocks.front();
        block.first = 0;
        block.text.resize(0);
        block.entries.clear();
    }
    m_dropped = 0;
    m_size = 0;
}

std::pair<size_t, size_t> OutputBuffer::locate(qsizetype index) const
{
    const qint64 number = m_dropped + index;
    const auto after = std::upper_bound(
        m_blocks.begin(), m_blocks.end(), number, [](qint64 n, const Block &block) { return n < block.first; });
    const size_t block = size_t(after - m_blocks.begin()) - 1;
    return { block, size_t(number - m_blocks[block].first) };
}

QByteArrayView OutputBuffer::text(qsizetype index) const
{
    const auto [block, i] = locate(index);
    const Block &b = m_blocks[block];
    const qsizetype start = b.startOf(i);
    return QByteArrayView(b.text.constData() + start, qsizetype(b.entries[i].endAndStream & kEndMask) - start);
}

OutputBuffer::Stream OutputBuffer::stream(qsizetype index) const
{
    const auto [block, i] = locate(index);
    return Stream(m_blocks[block].entries[i].endAndStream >> 30);
}

qint64 OutputBuffer::msSinceStart(qsizetype index) const
{
    const auto [block, i] = locate(index);
    return m_blocks[block].baseMs + qint64(m_blocks[block].entries[i].msDelta);
}

OutputLine OutputBuffer::line(qsizetype index, qint64 offset) const
{
    OutputLine line;
    line.offset = offset;
    forEach(index, 1, [&line](QByteArrayView text, Stream stream, qint64 ms) {
        line.msSinceStart = ms;
        line.stream = stream;
        line.text = QString::fromUtf8(text);
    });
    return line;
}

qint64 OutputBuffer::heapBytes() const
{
    qint64 bytes = 0;
    for (const Block &block : m_blocks)
        bytes += qint64(sizeof(Block)) + block.text.capacity() + qint64(block.entries.capacity() * sizeof(Entry));
    return bytes;
}
