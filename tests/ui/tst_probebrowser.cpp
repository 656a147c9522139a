// SPDX-License-Identifier: GPL-2.0-or-later
#include "../threadcputime.h"
#include "uitestsupport.h"

#include "ui/probebrowser.h"
#include "ui/probetreemodel.h"
#include "ui/targetselector.h"

#include "engine/targets/targetregistry.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace {
/// 150,000 probes shaped like a desktop's: tracepoints, kprobes and kfuncs.
std::shared_ptr<const ProbeSnapshot> bigSnapshot(int count = 150000)
{
    // Built through the engine's own parser so the snapshot carries every index a query uses.
    const QStringList prefixes { u"tcp"_s, u"vfs"_s, u"ext4"_s, u"do"_s, u"sched"_s, u"mm"_s, u"netif"_s, u"blk"_s };
    QByteArray listing;
    listing.reserve(qsizetype(count) * 32);
    for (int i = 0; i < count; ++i) {
        const QString prefix = prefixes.at(i % prefixes.size());
        if (i % 10 == 0)
            listing += u"tracepoint:%1:%1_event_%2\n"_s.arg(prefix).arg(i).toUtf8();
        else if (i % 3 == 0)
            listing += u"kfunc:vmlinux:%1_func_%2\n"_s.arg(prefix).arg(i).toUtf8();
        else
            listing += u"kprobe:%1_func_%2\n"_s.arg(prefix).arg(i).toUtf8();
    }
    listing += "tracepoint:syscalls:sys_enter_openat\n";
    std::shared_ptr<const ProbeSnapshot> snapshot = ProbeCatalog::parseListing(listing);
    return snapshot;
}
} // namespace

class TestProbeBrowser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void filterNeverBlocksAt150k()
    {
        ProbeBrowser browser(nullptr);
        QAbstractItemModelTester tester(browser.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy filtered(&browser, &ProbeBrowser::filtered);
        browser.setSnapshot(bigSnapshot());
        QVERIFY(filtered.wait(20000));
        QCOMPARE(browser.matchCount(), 150001);
        QCOMPARE(browser.model()->probeCount(), 150001);

        // Every keystroke returns at once; the work happens on the worker. Measured as this
        // thread's CPU time: waiting for a core on a loaded machine is not blocking.
        ThreadCpuTimer timer;
        for (const QString &text : { u"t"_s, u"tc"_s, u"tcp"_s, u"tcp_"_s, u"tcp_func_1"_s }) {
            timer.start();
            browser.setFilterText(text);
            const qint64 ms = timer.elapsed();
            QVERIFY2(ms < 50, qPrintable(u"setFilterText used %1 ms of CPU time"_s.arg(ms)));
            QVERIFY(browser.isFiltering());
        }
        // Only the last filter's result is applied; the stale ones are dropped.
        QTRY_VERIFY_WITH_TIMEOUT(!browser.isFiltering(), 20000);
        const QList<QVariant> last = filtered.constLast();
        QCOMPARE(last.at(0).toInt(), browser.matchCount());
        QVERIFY(browser.matchCount() > 0);
        QVERIFY(browser.matchCount() < 150001);
        // Every match really contains the text.
        QVERIFY(browser.statusText().contains(QLocale().toString(browser.matchCount())));
    }

    void typingIntoTheBoxDoesNotBlock()
    {
        ProbeBrowser browser(nullptr);
        QSignalSpy filtered(&browser, &ProbeBrowser::filtered);
        browser.setSnapshot(bigSnapshot());
        QVERIFY(filtered.wait(20000));
        ThreadCpuTimer timer; // CPU time of the GUI thread, see filterNeverBlocksAt150k()
        QTest::keyClicks(browser.filterEdit(), u"vfs"_s);
        const qint64 ms = timer.elapsed();
        QVERIFY2(ms < 200, qPrintable(u"typing three keys used %1 ms of CPU time"_s.arg(ms)));
        QTRY_VERIFY_WITH_TIMEOUT(
            browser.filterText() == u"vfs"_s && !browser.isFiltering() && filtered.size() >= 2, 20000);
        QVERIFY(browser.matchCount() > 10000);
    }

    void globAndSmallResultsExpand()
    {
        ProbeBrowser browser(nullptr);
        QSignalSpy filtered(&browser, &ProbeBrowser::filtered);
        browser.setSnapshot(bigSnapshot(2000));
        QVERIFY(filtered.wait(10000));
        browser.setFilterText(u"tracepoint:syscalls:*open*"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!browser.isFiltering(), 10000);
        QCOMPARE(browser.matchCount(), 1);
        QVERIFY(browser.statusText().contains(u"1 of"_s));
        // Small results are expanded, so the probe is visible.
        const QModelIndex tracepoint = browser.model()->index(0, 0);
        QVERIFY(browser.view()->isExpanded(tracepoint));
        QVERIFY(browser.selectProbe(u"tracepoint:syscalls:sys_enter_openat"_s));
        QCOMPARE(browser.view()->currentIndex().data(ProbeTreeModel::ProbeRole).toString(),
            u"tracepoint:syscalls:sys_enter_openat"_s);

        browser.setFilterText(u"no-such-probe"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!browser.isFiltering(), 10000);
        QCOMPARE(browser.matchCount(), 0);
        QCOMPARE(browser.model()->rowCount(), 0);
    }

    void activationRequestsInsert()
    {
        ProbeBrowser browser(nullptr);
        QSignalSpy filtered(&browser, &ProbeBrowser::filtered);
        browser.setSnapshot(bigSnapshot(100));
        QVERIFY(filtered.wait(10000));
        QSignalSpy insert(&browser, &ProbeBrowser::insertRequested);
        QVERIFY(browser.selectProbe(u"tracepoint:syscalls:sys_enter_openat"_s));
        Q_EMIT browser.view()->activated(browser.view()->currentIndex());
        QCOMPARE(insert.size(), 1);
        QCOMPARE(insert.at(0).at(0).toString(), u"tracepoint:syscalls:sys_enter_openat"_s);
        QCOMPARE(insert.at(0).at(1).toString(), u"tracepoint:syscalls:sys_enter_openat\n{\n    \n}"_s);
    }

    void catalogDetailsAndRefresh()
    {
        FakeEngine engine;
        ProbeBrowser browser(engine->catalog());
        QSignalSpy filtered(&browser, &ProbeBrowser::filtered);
        engine->catalog()->load();
        QTRY_VERIFY_WITH_TIMEOUT(engine->catalog()->status() == ProbeCatalog::Status::Ready, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            browser.model()->probeCount() == engine->catalog()->count() && !browser.isFiltering(), 10000);
        QVERIFY(browser.model()->probeCount() >= 10);
        QVERIFY(browser.selectProbe(u"tracepoint:syscalls:sys_enter_openat"_s));
        QTRY_VERIFY_WITH_TIMEOUT(browser.detailsText().contains(u"const char * filename"_s), 10000);
        QVERIFY(browser.detailsText().contains(u"int dfd"_s));
    }

    void saysWhyKernelFunctionsAreMissing()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(u"available_filter_functions"_s);
        const std::shared_ptr<const ProbeSnapshot> tracepointsOnly = ProbeCatalog::parseListing(
            "tracepoint:syscalls:sys_enter_openat\nrawtracepoint:sched_switch\nsoftware:cpu-clock:\n");
        // No tracefs list at all.
        QString text = ProbeBrowser::missingProbesExplanation(*tracepointsOnly, { missing });
        QVERIFY2(text.contains(u"No kprobes or kfuncs"_s), qPrintable(text));
        QVERIFY(text.contains(u"no list of traceable functions"_s));
        QVERIFY(text.contains(u"uprobe:"_s));
        // The list is there but bpftrace got nothing from it (root reads any mode, so the
        // unreadable case is the one the person sees only as a user).
        QFile file(missing);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        text = ProbeBrowser::missingProbesExplanation(*tracepointsOnly, { missing });
        QVERIFY2(text.contains(u"could not read"_s) || text.contains(u"not readable"_s), qPrintable(text));
        // A kernel that offers kprobes or fentry probes needs no word.
        QVERIFY(ProbeBrowser::missingProbesExplanation(*bigSnapshot(100), { missing }).isEmpty());
        QVERIFY(ProbeBrowser::missingProbesExplanation(*ProbeCatalog::parseListing("fentry:vmlinux:vfs_read\n"), {})
                .isEmpty());

        ProbeBrowser browser(nullptr);
        browser.setSnapshot(tracepointsOnly);
        QVERIFY(browser.missingProbesText().contains(u"No kprobes or kfuncs"_s));
        browser.setSnapshot(bigSnapshot(100));
        QVERIFY(browser.missingProbesText().isEmpty());
    }

    void destroyedWhileFiltering()
    {
        // The worker must not call into a dead browser.
        auto *browser = new ProbeBrowser(nullptr);
        browser->setSnapshot(bigSnapshot());
        browser->setFilterText(u"tcp"_s);
        delete browser;
        QTest::qWait(50);
    }

    // With targets configured, a chooser above the filter shows another machine's catalog,
    // listed over its connection on first use, with its loading and failure states.
    void targetChooserShowsThatTargetsProbes()
    {
        QTemporaryDir dir;
        Target broken = fakeSshTarget(u"db2=ssh://root@db2"_s);
        broken.bpftracePath = dir.path() + u"/no-such-bpftrace"_s;
        FakeEngine engine(300, [&dir, &broken](EngineConfig &config) {
            config.targetOptions = writeFakeSsh(dir.path());
            config.targets = { fakeSshTarget(u"db1=ssh://root@db1"_s), broken };
        });
        ProbeBrowser browser(engine->catalog());
        QVERIFY(!browser.targetChooser());
        browser.setTargets(engine->targets());
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        QVERIFY(browser.targetChooser()->isVisible());
        QCOMPARE(browser.currentTarget(), u"local"_s);
        engine->catalog()->load();
        QTRY_VERIFY_WITH_TIMEOUT(browser.model()->probeCount() > 0, 10000);

        // Chosen in the box: db1's own catalog, not this machine's.
        browser.targetChooser()->setCurrentIndex(browser.targetChooser()->findData(u"db1"_s, TargetSelector::NameRole));
        QCOMPARE(browser.currentTarget(), u"db1"_s);
        ProbeCatalog *remote = engine->targets()->catalog(u"db1"_s);
        QVERIFY(remote && remote != engine->catalog());
        QCOMPARE(browser.catalog(), remote);
        QVERIFY2(browser.statusText().contains(u"db1"_s) || remote->status() == ProbeCatalog::Status::Ready,
            qPrintable(browser.statusText()));
        QTRY_COMPARE_WITH_TIMEOUT(remote->status(), ProbeCatalog::Status::Ready, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(browser.model()->probeCount(), remote->count(), 10000);
        QVERIFY(browser.model()->probeCount() > 0);

        // A target whose bpftrace is missing: the failure, and no other machine's probes.
        QVERIFY(browser.showTarget(u"db2"_s));
        QCOMPARE(browser.targetChooser()->currentName(), u"db2"_s);
        QTRY_VERIFY_WITH_TIMEOUT(browser.statusText().startsWith(u"Could not list probes on db2: "_s), 10000);
        QCOMPARE(browser.model()->probeCount(), 0);
        QVERIFY(!browser.showTarget(u"db7"_s));
        QCOMPARE(browser.currentTarget(), u"db2"_s);

        // The shown target removed: this machine's probes again.
        QVERIFY(engine->targets()->removeTarget(u"db2"_s));
        QCOMPARE(browser.currentTarget(), u"local"_s);
        QCOMPARE(browser.catalog(), engine->catalog());
        QTRY_VERIFY_WITH_TIMEOUT(browser.model()->probeCount() > 0, 10000);
        QVERIFY(engine->targets()->removeTarget(u"db1"_s));
        QVERIFY(!browser.targetChooser()->isVisible()); // nothing left to choose
    }
};

QTEST_MAIN(TestProbeBrowser)
#include "tst_probebrowser.moc"
