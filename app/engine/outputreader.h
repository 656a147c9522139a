// SPDX-License-Identifier: GPL-2.0-or-later
// Reads and parses bpftrace's stdout on a thread of its own; the GUI thread takes batches.
#pragma once

#include "engine/bpftraceoutput.h"
#include "engine/outputbuffer.h"
#include "engine/results/runresults.h"
#include "engine/runlimits.h"

#include <QElapsedTimer>
#include <QHash>
#include <QStringList>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

/// One run's stdout. A thread reads the pipe in chunks of up to 1 MiB and parses them there:
/// printf text straight into one UTF-8 buffer, maps into typed results. It applies the run's
/// rate limit and keeps what it accepted until the GUI thread takes it, all in one go, whenever
/// it likes (the controller does every batch interval). Lines the GUI thread adds itself
/// (stderr, stop notices) go through the same rate window, in the order they come.
///
/// What waits for the GUI thread is bounded: lines beyond the ring's cap are only counted (the
/// ring would drop them anyway), and while 64 MiB of map prints wait the thread stops reading,
/// so bpftrace's own buffers fill and it counts lost events, as with any slow reader.
class OutputReader
{
public:
    struct Batch
    {
        OutputBatch output;
        RunResults maps; ///< every map printed since the last batch, with its snapshots
        QList<std::pair<QString, qint64>> prints; ///< (map, ms) in the order printed
        std::optional<int> attachedProbes; ///< the latest attached_probes
        qint64 lostEvents = 0; ///< lost_events since the last batch
        qint64 droppedByRate = 0; ///< lines the rate limit refused since the last batch

        bool isEmpty() const;
    };

    /// `wake` is called on the reader's thread when something starts waiting to be taken (once,
    /// until the next take()). `clock` runs from the run's start and must outlive the reader.
    OutputReader(const RunLimits &limits, const QElapsedTimer &clock, std::function<void()> wake,
        qsizetype maxLineBytes = 1 << 20);
    ~OutputReader();
    OutputReader(const OutputReader &) = delete;
    OutputReader &operator=(const OutputReader &) = delete;

    /// Key types of the script's maps, to split keys as maps arrive. Any thread.
    void setKeyTypes(const QHash<QString, QStringList> &keyTypes);
    /// Reads `fd` (the reader owns it from now on, in all cases) on a thread of its own.
    bool start(int fd, QString *error);
    /// A line from elsewhere (stderr, our notices), after what the thread has accepted so far.
    void addLine(OutputLine::Stream stream, const QString &text);
    /// Everything accepted since the last take().
    Batch take();
    /// The process has exited: reads what is left in the pipe without waiting for its end (a
    /// child bpftrace started may hold the pipe open), parses a last line without a newline,
    /// and stops. Blocks until then; does nothing when not running.
    void finish();
    /// Stops at once; what the pipe still holds is not read. Blocks until the thread is gone.
    void stop();

    static constexpr qsizetype kReadBytes = 1 << 20;
    static constexpr qint64 kMaxPendingEventBytes = 64 * 1024 * 1024;

private:
    void run();
    void parse(QByteArrayView chunk);
    void commit();
    bool overRate(qsizetype textSize);
    void trimToCap();
    void end(bool discard);

    const RunLimits m_limits;
    const QElapsedTimer &m_clock;
    const std::function<void()> m_wake;
    BpftraceJsonParser m_parser; ///< the thread's own
    ParsedOutput m_parsed; ///< the thread's own: the current chunk, before it is accepted
    int m_fd = -1;
    int m_wakeFd = -1;
    std::thread m_thread;

    std::mutex m_mutex; ///< guards everything below
    std::condition_variable m_room; ///< map prints were taken, or the reader is told to end
    QHash<QString, QStringList> m_keyTypes;
    Batch m_pending;
    qint64 m_pendingEventBytes = 0;
    bool m_wakePosted = false;
    bool m_finishing = false;
    bool m_stopping = false;
    qint64 m_rateWindowMs = 0;
    qint64 m_rateLines = 0;
    qint64 m_rateBytes = 0;
};
