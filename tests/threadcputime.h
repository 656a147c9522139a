// SPDX-License-Identifier: GPL-2.0-or-later
// The CPU time of the calling thread, for tests that check "this thread did not do the heavy
// work": on a loaded machine wall-clock time also counts the time the thread was not scheduled.
#pragma once

#include <QtGlobal>

#include <time.h>

inline qint64 threadCpuNanoseconds()
{
    timespec now {};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1000000000 + now.tv_nsec;
}

/// Like QElapsedTimer, but counts only the CPU time the thread that reads it has used.
class ThreadCpuTimer
{
public:
    void start() { m_start = threadCpuNanoseconds(); }
    qint64 nsecsElapsed() const { return threadCpuNanoseconds() - m_start; }
    qint64 elapsed() const { return nsecsElapsed() / 1000000; }

private:
    qint64 m_start = threadCpuNanoseconds();
};
