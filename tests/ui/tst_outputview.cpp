// SPDX-License-Identifier: GPL-2.0-or-later
#include "../threadcputime.h"
#include "uitestsupport.h"

#include "ui/outputmodel.h"
#include "ui/outputview.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QScopeGuard>
#include <QScrollBar>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;

class TestOutputView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void staysResponsiveAt200kLinesPerSecond()
    {
        // Issue 13's bound: the GUI thread never stalls for more than 50 ms while 200,000 lines a
        // second arrive. The lines come from a writer thread here, paced at 250,000 a second
        // through a FIFO that the fake bpftrace copies to its stdout, so the rate is the test's,
        // not the shell's; the test checks that it was reached.
        //
        // The probe is a 5 ms timer on the GUI thread: between two beats, the GUI thread's CPU
        // time is how long it worked without coming back to its event loop. CPU time is the
        // bound, not the wall clock: this machine is shared with other builds, so the thread also
        // waits to be scheduled, which says nothing about the view. The wall-clock gaps are
        // printed beside it.
        constexpr qint64 kLines = 500000;
        constexpr qint64 kRate = 250000;
        constexpr qint64 kMaxStallMs = 50;
        FakeEngine engine;
        RunLimits limits = engine->runs()->limits();
        limits.maxLinesPerSecond = 0;
        limits.maxBytesPerSecond = 0;
        limits.maxLinesKept = 200000;
        engine->setLimits(limits);
        const QByteArray fifo = QFile::encodeName(engine.dir.filePath(u"flood.fifo"_s));
        QVERIFY(::mkfifo(fifo.constData(), 0600) == 0);
        qputenv("FAKE_FLOOD_FIFO", fifo);
        // Fixed-width lines, all made up front: the writer only copies.
        const QByteArray sample = "{\"type\": \"printf\", \"data\": \"flood line 00000000 pid=4242 comm=worker\\n\"}\n";
        const qsizetype lineBytes = sample.size();
        QByteArray payload(lineBytes * kLines, Qt::Uninitialized);
        for (qint64 i = 0; i < kLines; ++i) {
            QByteArray line = sample;
            line.replace(qsizetype(39), 8, QByteArray::number(i).rightJustified(8, '0'));
            std::memcpy(payload.data() + i * lineBytes, line.constData(), size_t(lineBytes));
        }
        // The run's end closes the FIFO's other end; a write after it must fail, not kill the test.
        ::signal(SIGPIPE, SIG_IGN);
        std::atomic<bool> abandon { false };
        std::atomic<qint64> writeNs { 0 };
        std::thread writer([&] {
            int fd = -1;
            QElapsedTimer wait;
            wait.start();
            // Non-blocking until the fake opens its end, so a run that never starts cannot hang us.
            while (fd < 0 && !abandon && wait.elapsed() < 30000) {
                fd = ::open(fifo.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0)
                    QThread::msleep(5);
            }
            if (fd < 0)
                return;
            QElapsedTimer pace;
            pace.start();
            qint64 written = 0;
            while (written < kLines && !abandon) {
                const qint64 due = std::min(kLines, pace.nsecsElapsed() * kRate / 1000000000);
                if (due == written) {
                    QThread::usleep(1000);
                    continue;
                }
                const char *from = payload.constData() + written * lineBytes;
                qsizetype left = (due - written) * lineBytes;
                while (left > 0 && !abandon) {
                    const ssize_t n = ::write(fd, from, size_t(left));
                    if (n > 0) {
                        from += n;
                        left -= n;
                    } else if (n < 0 && errno == EAGAIN) {
                        pollfd out { fd, POLLOUT, 0 }; // full: the reader is behind (or gone, then we give up)
                        ::poll(&out, 1, 100);
                    } else {
                        abandon = true;
                    }
                }
                written = due;
            }
            writeNs = pace.nsecsElapsed();
            ::close(fd);
        });
        auto cleanup = qScopeGuard([&] {
            abandon = true;
            writer.join();
            qunsetenv("FAKE_FLOOD_FIFO");
        });

        OutputView view;
        view.resize(800, 500);
        view.show();
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0;
        qint64 lastCpuNs = 0;
        qint64 worstCpuGapNs = 0;
        qint64 worstAtMs = 0;
        qint64 worstAtLines = 0;
        QList<qint64> wallGaps;
        Run *run = nullptr;
        QTimer probe;
        probe.setInterval(5);
        connect(&probe, &QTimer::timeout, this, [&] {
            const qint64 cpuNs = threadCpuNanoseconds();
            if (cpuNs - lastCpuNs > worstCpuGapNs) {
                worstCpuGapNs = cpuNs - lastCpuNs;
                worstAtMs = clock.elapsed();
                worstAtLines = run ? run->totalLines() : 0;
            }
            lastCpuNs = cpuNs;
            wallGaps.append(clock.elapsed() - last);
            last = clock.elapsed();
        });
        // The window's first paint (fonts, style) is not the flood's work: done before it starts.
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::qWait(200);
        run = engine->runs()->startPersonRun(u"BEGIN { } // fake:pipeflood"_s);
        view.setRun(run);
        last = clock.elapsed();
        lastCpuNs = threadCpuNanoseconds();
        const qint64 firstCpuNs = lastCpuNs;
        probe.start();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(
            view.model()->index(view.model()->rowCount() - 1).data(OutputModel::OffsetRole).toLongLong(),
            run->totalLines() - 1, 10000);
        probe.stop();
        cleanup.dismiss();
        writer.join();
        qunsetenv("FAKE_FLOOD_FIFO");

        const qint64 worstCpuGapMs = worstCpuGapNs / 1000000;
        const qint64 totalCpuMs = (threadCpuNanoseconds() - firstCpuNs) / 1000000;
        const double arrival = double(kLines) / (double(writeNs) / 1e9);
        std::sort(wallGaps.begin(), wallGaps.end());
        const qint64 wallP99 = wallGaps.isEmpty() ? 0 : wallGaps.at(wallGaps.size() * 99 / 100);
        const qint64 wallMax = wallGaps.isEmpty() ? 0 : wallGaps.constLast();
        qInfo("%lld lines arrived at %.0f lines/s; GUI thread: %lld ms CPU in all, at most %lld ms CPU between two "
              "5 ms probes (bound %lld; at %lld ms, %lld lines in); wall clock between probes: p99 %lld ms, max "
              "%lld ms (not bounded: the machine is shared)",
            run->totalLines(), arrival, totalCpuMs, worstCpuGapMs, kMaxStallMs, worstAtMs, worstAtLines, wallP99,
            wallMax);
        // Every line arrived and was counted: kept, or dropped by the ring's cap, none by a rate.
        QCOMPARE(run->totalLines(), kLines + 3); // and the fake's own three lines after the flood
        QCOMPARE(run->droppedByRate(), 0);
        QCOMPARE(run->droppedByCap(), run->totalLines() - limits.maxLinesKept);
        QCOMPARE(run->lines(run->totalLines() - 4, 1).value(0).text, u"flood line 00499999 pid=4242 comm=worker"_s);
        QVERIFY2(arrival >= 200000,
            qPrintable(
                u"only %1 lines/s arrived: the reader did not keep up with the writer"_s.arg(arrival, 0, 'f', 0)));
        QVERIFY2(worstCpuGapMs < kMaxStallMs,
            qPrintable(u"the GUI thread worked for %1 ms (CPU time) without returning to the event loop"_s.arg(
                worstCpuGapMs)));
        // The view holds its cap, says how much it dropped, and followed the tail.
        QCOMPARE(view.model()->rowCount(), view.model()->maxLines());
        QVERIFY(view.droppedNotice().contains(QLocale().toString(run->totalLines() - view.model()->maxLines())));
        QScrollBar *bar = view.view()->verticalScrollBar();
        QTRY_COMPARE(bar->value(), bar->maximum());
    }

    void searchAndFollow()
    {
        FakeEngine engine;
        OutputView view;
        view.resize(600, 300);
        view.show();
        Run *run = engine->runs()->startPersonRun(u"BEGIN { }"_s);
        view.setRun(run);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QTRY_VERIFY(view.model()->rowCount() >= 3);
        QVERIFY(view.droppedNotice().isEmpty());
        QVERIFY(view.followTail());

        view.searchEdit()->setText(u"FIREFOX"_s); // case-insensitive
        QVERIFY(view.findNext());
        QVERIFY(view.view()->currentIndex().data().toString().contains(u"firefox"_s));
        QVERIFY(!view.followTail()); // reading a match stops following
        const int firefox = view.view()->currentIndex().row();
        // The fake prints "openat by" bash, firefox, systemd: searching goes on from the current
        // line, wraps at the end and walks back the same way.
        view.searchEdit()->setText(u"openat by"_s);
        QVERIFY(view.findNext());
        QCOMPARE(view.view()->currentIndex().row(), firefox + 1);
        QVERIFY(view.view()->currentIndex().data().toString().contains(u"systemd"_s));
        QVERIFY(view.findNext());
        QCOMPARE(view.view()->currentIndex().row(), firefox - 1);
        QVERIFY(view.view()->currentIndex().data().toString().contains(u"bash"_s));
        QVERIFY(view.findPrevious());
        QCOMPARE(view.view()->currentIndex().row(), firefox + 1);
        view.searchEdit()->setText(u"no such text"_s);
        QVERIFY(!view.findNext());
        view.setFollowTail(true);
        QVERIFY(view.followTail());
    }

    void exportWritesEveryLine()
    {
        FakeEngine engine;
        Run *run = engine->runs()->startPersonRun(u"BEGIN { }"_s);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        const QString path = engine.dir.path() + u"/out.txt"_s;
        QString error;
        QVERIFY2(OutputView::exportOutput(run, path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(file.readAll());
        QCOMPARE(text.count(u'\n'), int(run->totalLines()));
        QVERIFY(text.contains(u"openat by systemd: /proc/self/mountinfo\n"_s));
        QVERIFY(!OutputView::exportOutput(run, u"/nonexistent/dir/out.txt"_s, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_MAIN(TestOutputView)
#include "tst_outputview.moc"
