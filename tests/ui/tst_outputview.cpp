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
#include <QScrollBar>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

class TestOutputView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void staysResponsiveAt100kLinesPerSecond()
    {
        FakeEngine engine;
        RunLimits limits = engine->runs()->limits();
        limits.maxLinesPerSecond = 0;
        limits.maxBytesPerSecond = 0;
        limits.maxLinesKept = 200000;
        engine->setLimits(limits);
        OutputView view;
        view.resize(800, 500);
        view.show();
        // A heartbeat every 10 ms: the GUI thread's CPU time between two beats is how long it
        // worked without coming back to the event loop. CPU time, not the wall clock: on a loaded
        // machine the thread also waits to be scheduled, which says nothing about the view. The
        // whole flood costs about 0.3 s of GUI CPU time here (more in a sanitizer build), spread
        // over turns of 15-25 ms; parsing it in one go would be most of it in one turn.
        QElapsedTimer clock;
        clock.start();
        qint64 last = 0;
        qint64 lastCpuNs = 0;
        qint64 worstGap = 0;
        qint64 worstCpuGapNs = 0;
        QTimer heartbeat;
        heartbeat.setInterval(10);
        connect(&heartbeat, &QTimer::timeout, this, [&] {
            const qint64 cpuNs = threadCpuNanoseconds();
            worstCpuGapNs = qMax(worstCpuGapNs, cpuNs - lastCpuNs);
            lastCpuNs = cpuNs;
            worstGap = qMax(worstGap, clock.elapsed() - last);
            last = clock.elapsed();
        });
        Run *run = engine->runs()->startPersonRun(u"BEGIN { } // fake:bigflood"_s);
        view.setRun(run);
        last = clock.elapsed();
        lastCpuNs = threadCpuNanoseconds();
        const qint64 firstCpuNs = lastCpuNs;
        heartbeat.start();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(
            view.model()->index(view.model()->rowCount() - 1).data(OutputModel::OffsetRole).toLongLong(),
            run->totalLines() - 1, 10000);
        heartbeat.stop();
        const qint64 worstCpuGap = worstCpuGapNs / 1000000;
        const qint64 totalCpu = (threadCpuNanoseconds() - firstCpuNs) / 1000000;
        const double seconds = run->durationSeconds();
        qInfo("%lld lines in %.2f s (%.0f lines/s); GUI thread: %lld ms CPU in all, at most %lld ms CPU in one "
              "event loop turn, longest wall-clock stall %lld ms",
            run->totalLines(), seconds, run->totalLines() / seconds, totalCpu, worstCpuGap, worstGap);
        QVERIFY(run->totalLines() >= 100000);
        // At most a quarter of the work in one turn (normally under a tenth), and no long turn.
        QVERIFY2(worstCpuGap * 4 < totalCpu,
            qPrintable(
                u"the GUI thread did %1 ms of its %2 ms of work (CPU time) in one event loop turn"_s.arg(worstCpuGap)
                    .arg(totalCpu)));
        QVERIFY2(worstCpuGap < 400,
            qPrintable(
                u"the GUI thread worked for %1 ms (CPU time) without returning to the event loop"_s.arg(worstCpuGap)));
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
