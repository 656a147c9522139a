// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/outputreader.h"

#include "engine/logging.h"

#include <QJsonObject>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
// After the process has exited, what is left is at most one pipe's worth; a child bpftrace
// started could go on writing, so the last read stops after this much.
constexpr qsizetype kMaxDrainBytes = 64 * 1024 * 1024;
} // namespace

bool OutputReader::Batch::isEmpty() const
{
    return output.isEmpty() && prints.isEmpty() && maps.isEmpty() && !attachedProbes && lostEvents == 0
        && droppedByRate == 0;
}

OutputReader::OutputReader(
    const RunLimits &limits, const QElapsedTimer &clock, std::function<void()> wake, qsizetype maxLineBytes)
    : m_limits(limits)
    , m_clock(clock)
    , m_wake(std::move(wake))
    , m_parser(maxLineBytes)
{ }

OutputReader::~OutputReader()
{
    stop();
    if (m_fd >= 0)
        ::close(m_fd);
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

void OutputReader::setKeyTypes(const QHash<QString, QStringList> &keyTypes)
{
    const std::lock_guard lock(m_mutex);
    m_keyTypes = keyTypes;
}

bool OutputReader::start(int fd, QString *error)
{
    Q_ASSERT(!m_thread.joinable() && m_fd < 0);
    m_fd = fd;
    // Non-blocking: the last read after the process exited must stop when the pipe is empty.
    const int flags = ::fcntl(fd, F_GETFL);
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || m_wakeFd < 0) {
        *error = u"Could not set up reading bpftrace's output: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    try {
        m_thread = std::thread([this] { run(); });
    } catch (const std::system_error &e) {
        *error = u"Could not start a thread to read bpftrace's output: %1"_s.arg(QString::fromLocal8Bit(e.what()));
        return false;
    }
    ::pthread_setname_np(m_thread.native_handle(), "tracedesk-out");
    return true;
}

void OutputReader::run()
{
    // Large reads: a flood arrives in a few big chunks a second, not in thousands of small ones.
    QByteArray buffer(kReadBytes, Qt::Uninitialized);
    pollfd fds[2] = { { m_fd, POLLIN, 0 }, { m_wakeFd, POLLIN, 0 } };
    bool discard = false;
    while (true) {
        bool drain = false;
        {
            const std::lock_guard lock(m_mutex);
            discard = m_stopping;
            drain = m_finishing;
        }
        if (discard)
            break;
        if (drain) {
            for (qsizetype drained = 0; drained < kMaxDrainBytes;) {
                const ssize_t n = ::read(m_fd, buffer.data(), size_t(buffer.size()));
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                parse(QByteArrayView(buffer.constData(), n));
                drained += n;
            }
            break;
        }
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            qCWarning(lcRun) << "reading bpftrace's output failed:" << std::strerror(errno);
            break;
        }
        if (fds[1].revents != 0) {
            quint64 count;
            [[maybe_unused]] const ssize_t ignored = ::read(m_wakeFd, &count, sizeof count);
            continue; // told to finish or stop: the flags above say which
        }
        if (fds[0].revents == 0)
            continue;
        const ssize_t n = ::read(m_fd, buffer.data(), size_t(buffer.size()));
        if (n > 0) {
            parse(QByteArrayView(buffer.constData(), n));
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            qCWarning(lcRun) << "reading bpftrace's output failed:" << std::strerror(errno);
        break; // end of file: bpftrace and everything it started closed their stdout
    }
    if (!discard) {
        m_parser.finish(&m_parsed);
        commit();
    }
}

void OutputReader::parse(QByteArrayView chunk)
{
    m_parser.feed(chunk, &m_parsed);
    commit();
}

void OutputReader::commit()
{
    ParsedOutput &parsed = m_parsed;
    if (parsed.lines.isEmpty() && parsed.events.isEmpty())
        return;
    // Typed maps outside the lock: building them is the costly part of an event.
    RunResults maps;
    QList<std::pair<QString, qint64>> prints;
    std::optional<int> attachedProbes;
    qint64 lostEvents = 0;
    if (!parsed.events.isEmpty()) {
        QHash<QString, QStringList> keyTypes;
        {
            const std::lock_guard lock(m_mutex);
            keyTypes = m_keyTypes;
        }
        // Each print is a snapshot in time as well as the map's latest value.
        const qint64 now = m_clock.elapsed();
        for (const OutputEvent &event : std::as_const(parsed.events)) {
            using Kind = OutputEvent::Kind;
            switch (event.kind) {
            case Kind::AttachedProbes:
                attachedProbes = event.data.toObject().value("probes"_L1).toInt();
                break;
            case Kind::LostEvents:
                lostEvents += event.data.toObject().value("events"_L1).toInteger();
                break;
            case Kind::Map:
            case Kind::Hist:
            case Kind::Lhist:
            case Kind::Stats: {
                const QJsonObject data = event.data.toObject();
                for (auto it = data.begin(); it != data.end(); ++it) {
                    MapResult map
                        = MapResult::fromBpftraceJson(it.key(), event.type, it.value(), keyTypes.value(it.key()));
                    maps.appendSnapshot(now, map);
                    maps.insert(std::move(map));
                    prints.append({ it.key(), now });
                }
                break;
            }
            default:
                break; // the parser turned every other kind into lines
            }
        }
    }

    std::unique_lock lock(m_mutex);
    m_room.wait(lock, [this] { return m_stopping || m_finishing || m_pendingEventBytes < kMaxPendingEventBytes; });
    if (m_stopping) {
        parsed.clear();
        return;
    }
    const qint64 now = m_clock.elapsed();
    if (now - m_rateWindowMs >= 1000) {
        m_rateWindowMs = now;
        m_rateLines = 0;
        m_rateBytes = 0;
    }
    OutputBatch &output = m_pending.output;
    const qsizetype count = parsed.lines.size();
    const qsizetype limited = count - parsed.eventLines;
    const bool fitsLines = m_limits.maxLinesPerSecond <= 0 || m_rateLines + limited <= m_limits.maxLinesPerSecond;
    const bool fitsBytes
        = m_limits.maxBytesPerSecond <= 0 || m_rateBytes + parsed.textSize <= m_limits.maxBytesPerSecond;
    if (fitsLines && fitsBytes && parsed.eventLines == 0) {
        // The usual case: the whole chunk is within the limits.
        m_rateLines += limited;
        m_rateBytes += parsed.textSize;
        output.lines.append(std::move(parsed.lines), now);
        output.textSize += parsed.textSize;
    } else {
        size_t i = 0;
        parsed.lines.forEach(0, count, [&](QByteArrayView text, OutputLine::Stream stream, qint64) {
            const qsizetype size = parsed.textSizes[i++];
            if (stream != OutputLine::Stream::Event && overRate(size)) {
                ++m_pending.droppedByRate;
                return;
            }
            output.lines.append(stream, now, text);
            output.textSize += size;
        });
    }
    trimToCap();
    if (m_pending.prints.isEmpty())
        m_pending.maps = std::move(maps);
    else if (!maps.isEmpty())
        m_pending.maps.merge(maps);
    m_pending.prints += prints;
    if (attachedProbes)
        m_pending.attachedProbes = attachedProbes;
    m_pending.lostEvents += lostEvents;
    m_pendingEventBytes += parsed.eventBytes;
    const bool wake = !m_wakePosted && !m_pending.isEmpty();
    m_wakePosted = m_wakePosted || wake;
    lock.unlock();
    parsed.clear();
    if (wake)
        m_wake();
}

bool OutputReader::overRate(qsizetype textSize)
{
    // Every line counts in its window, refused or not, as the limit has always counted.
    ++m_rateLines;
    m_rateBytes += textSize;
    return (m_limits.maxLinesPerSecond > 0 && m_rateLines > m_limits.maxLinesPerSecond)
        || (m_limits.maxBytesPerSecond > 0 && m_rateBytes > m_limits.maxBytesPerSecond);
}

void OutputReader::trimToCap()
{
    OutputBatch &output = m_pending.output;
    const qsizetype cap = std::max(1, m_limits.maxLinesKept);
    if (output.lines.size() > cap) {
        const qsizetype excess = output.lines.size() - cap;
        output.lines.dropFront(excess);
        output.linesCut += excess;
    }
}

void OutputReader::addLine(OutputLine::Stream stream, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    const std::lock_guard lock(m_mutex);
    const qint64 now = m_clock.elapsed();
    if (now - m_rateWindowMs >= 1000) {
        m_rateWindowMs = now;
        m_rateLines = 0;
        m_rateBytes = 0;
    }
    // Our own event lines (stop notices) always get through.
    if (stream != OutputLine::Stream::Event && overRate(text.size())) {
        ++m_pending.droppedByRate;
        return;
    }
    m_pending.output.lines.append(stream, now, utf8);
    m_pending.output.textSize += text.size();
    trimToCap();
}

OutputReader::Batch OutputReader::take()
{
    Batch batch;
    {
        const std::lock_guard lock(m_mutex);
        batch = std::exchange(m_pending, Batch {});
        m_pendingEventBytes = 0;
        m_wakePosted = false;
    }
    m_room.notify_all();
    return batch;
}

void OutputReader::end(bool discard)
{
    if (!m_thread.joinable())
        return;
    {
        const std::lock_guard lock(m_mutex);
        if (discard)
            m_stopping = true;
        else
            m_finishing = true;
    }
    m_room.notify_all();
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t ignored = ::write(m_wakeFd, &one, sizeof one);
    m_thread.join();
    ::close(m_wakeFd);
    m_wakeFd = -1;
    ::close(m_fd);
    m_fd = -1;
}

void OutputReader::finish()
{
    end(false);
}

void OutputReader::stop()
{
    end(true);
}
