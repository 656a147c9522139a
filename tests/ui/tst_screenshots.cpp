// SPDX-License-Identifier: GPL-2.0-or-later
// Writes PNGs of the window into ${CMAKE_BINARY_DIR}/screenshots for the README and for review.
#include "chartdata.h"
#include "fleetdata.h"
#include "uitestsupport.h"

#include "../engine/syntheticstacks.h"

#include "engine/targets/targetregistry.h"
#include "mcp/mcpserver.h"
#include "ui/approvalpanel.h"
#include "ui/endpointpanel.h"
#include "ui/flamegraphview.h"
#include "ui/flamegraphwidget.h"
#include "ui/fleetmapsview.h"
#include "ui/heatmapwidget.h"
#include "ui/mainwindow.h"
#include "ui/mapsview.h"
#include "ui/mcpclientmodel.h"
#include "ui/probebrowser.h"
#include "ui/probetreemodel.h"
#include "ui/runview.h"
#include "ui/scriptcompleter.h"
#include "ui/scripteditor.h"
#include "ui/targetselector.h"
#include "ui/targetspanel.h"
#include "ui/timeserieschart.h"
#include "ui/trafficlogmodel.h"

#include <QDir>
#include <QDockWidget>
#include <QFontDatabase>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <cmath>
#include <tuple>

using namespace Qt::StringLiterals;

namespace {
const QString dir = QStringLiteral(TRACEDESK_SCREENSHOT_DIR);

bool save(QWidget *widget, const QString &name)
{
    QDir().mkpath(dir);
    const QImage image = widget->grab().toImage();
    return !image.isNull() && image.save(dir + u'/' + name);
}

const QString script = uR"(// Who opens which files, and how big are their reads?
tracepoint:syscalls:sys_enter_openat
{
    @opens[comm] = count();
    printf("openat by %s: %s\n", comm, str(args.filename));
}

tracepoint:syscalls:sys_exit_read /args.ret > 0/
{
    @bytes = hist(args.ret);
}
)"_s;
// What `interval:s:1 { print(@syscalls); clear(@syscalls); print(@read_us); }` prints over half a
// minute: syscalls per second by process (a build starts at 12 s) and a read latency histogram
// that shifts when it does.
RunResults printedEverySecond()
{
    const QList<std::pair<QString, double>> processes { { u"firefox"_s, 5200 }, { u"Xorg"_s, 2100 },
        { u"pipewire"_s, 1800 }, { u"gnome-shell"_s, 1500 }, { u"systemd-journal"_s, 420 }, { u"sshd"_s, 260 },
        { u"NetworkManager"_s, 140 }, { u"containerd"_s, 120 }, { u"cron"_s, 40 }, { u"dbus-daemon"_s, 90 },
        { u"chronyd"_s, 30 }, { u"udisksd"_s, 25 } };
    RunResults results;
    for (int second = 1; second <= 30; ++second) {
        QJsonObject counts;
        for (int i = 0; i < processes.size(); ++i) {
            const double wobble = 1 + 0.18 * std::sin(second * 0.7 + i * 1.3);
            counts.insert(processes.at(i).first, qint64(processes.at(i).second * wobble));
        }
        if (second >= 12)
            counts.insert(
                u"cc1plus"_s, qint64(9000 * std::min(1.0, (second - 11) / 4.0) * (1 + 0.1 * std::sin(second))));
        const MapResult syscalls = ChartData::counts(u"@syscalls"_s, counts);
        results.appendSnapshot(1000 * second, syscalls);
        results.insert(syscalls);

        QList<std::array<qint64, 3>> buckets;
        const double peak = second < 12 ? 5.0 : 5.0 + std::min(3.0, (second - 11) * 0.35);
        for (int bucket = 2; bucket <= 12; ++bucket) {
            const double spread = (bucket - peak) / 1.4;
            const auto count = qint64(4200 * std::exp(-spread * spread) * (1 + 0.1 * std::sin(second + bucket)));
            if (count > 20)
                buckets.append({ qint64(1) << bucket, (qint64(1) << (bucket + 1)) - 1, count });
        }
        const MapResult latency = ChartData::histogram(u"@read_us"_s, buckets);
        results.appendSnapshot(1000 * second, latency);
        results.insert(latency);
    }
    // Printed once at the end: per-process read sizes, the keys on one shared scale.
    QJsonObject perProcess;
    perProcess.insert(u"firefox"_s,
        QJsonArray {
            ChartData::bucket(512, 1023, 40), ChartData::bucket(1024, 2047, 310), ChartData::bucket(2048, 4095, 120) });
    perProcess.insert(u"sshd"_s,
        QJsonArray { ChartData::bucket(32, 63, 12), ChartData::bucket(64, 127, 30), ChartData::bucket(128, 255, 4) });
    results.insert(MapResult::fromBpftraceJson(u"@read_bytes"_s, u"hist"_s, perProcess));
    return results;
}
} // namespace

class TestScreenshots : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        useTestPaths();
        QCoreApplication::setOrganizationName(u"tracedesk-test"_s);
        QCoreApplication::setApplicationName(u"tst_screenshots"_s);
        QSettings().clear();
        MainWindow::applyDesktopLook(); // icons as the real window shows them
        if (QFontDatabase::families().isEmpty())
            QSKIP("no fonts installed (fonts-dejavu-core): the screenshots would be blank");
    }

    void mainWindow()
    {
        FakeEngine engine;
        engine->start();
        MainWindow window(engine.get(), nullptr);
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.editor()->setPlainText(script);
        window.editor()->analyzeNow();
        Run *run = window.runScript();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.probeBrowser()->model()->rowCount() > 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusSummary().contains(u"bpftrace 0.23.2"_s), 10000);
        window.probeBrowser()->setFilterText(u"syscalls"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!window.probeBrowser()->isFiltering(), 10000);
        window.probeBrowser()->selectProbe(u"tracepoint:syscalls:sys_enter_openat"_s);
        window.runView()->tabs()->setCurrentIndex(1);
        // The run's maps all at once: the histogram and the count table together.
        QVERIFY(window.runView()->mapsView()->isShowingOverview());
        QTest::qWait(300);
        QVERIFY(save(&window, u"mainwindow.png"_s));
        QVERIFY(window.runView()->mapsView()->selectMap(u"@opens"_s));
        QTest::qWait(100);
        QVERIFY(save(&window, u"mainwindow-maptable.png"_s));
        QVERIFY(window.runView()->mapsView()->selectMap(u"@bytes"_s));
        QTest::qWait(100);
        QVERIFY(save(&window, u"mainwindow-histogram.png"_s));
        window.runView()->tabs()->setCurrentIndex(0);
        QTest::qWait(100);
        QVERIFY(save(&window, u"mainwindow-output.png"_s));
    }

    // The maps of a run that printed every second, at the size the run view gives them in the
    // window: lines per process, a latency heatmap, and both in the overview.
    void mapsOverTime()
    {
        MapsView view;
        view.resize(1180, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setMaps(printedEverySecond());
        QVERIFY(view.selectMap(u"@syscalls"_s));
        QVERIFY(view.isShowingChart());
        QTest::qWait(100);
        QVERIFY(save(&view, u"maps-timeseries.png"_s));
        view.showSnapshot();
        view.setSnapshotIndex(14);
        QTest::qWait(100);
        QVERIFY(save(&view, u"maps-snapshot.png"_s));
        QVERIFY(view.selectMap(u"@read_us"_s));
        QVERIFY(view.isShowingChart());
        QTest::qWait(100);
        QVERIFY(save(&view, u"maps-heatmap.png"_s));
        view.showOverview();
        QTest::qWait(100);
        QVERIFY(save(&view, u"maps-overview-series.png"_s));

        // As big as the Maps tab is in the 1440x900 window beside the docks.
        view.resize(480, 520);
        QVERIFY(view.selectMap(u"@syscalls"_s));
        view.showChart();
        QTest::qWait(100);
        QVERIFY(save(&view, u"maps-timeseries-window.png"_s));
        QVERIFY(view.selectMap(u"@read_us"_s));
        QTest::qWait(100);
        QVERIFY(save(&view, u"maps-heatmap-window.png"_s));
        // The SVG export of each, for a look beside the PNGs.
        QString error;
        QVERIFY2(view.exportChart(dir + u"/maps-heatmap.svg"_s, &error), qPrintable(error));
        QVERIFY(view.selectMap(u"@syscalls"_s));
        QVERIFY2(view.exportChart(dir + u"/maps-timeseries.svg"_s, &error), qPrintable(error));
    }

    // A CPU profile by process (@samples[comm, kstack]) with a search for the network stack.
    void flameGraph()
    {
        FlameGraphView view;
        view.resize(1440, 600);
        view.setMap(SyntheticStacks::profile());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.searchField()->setText(u"tcp_"_s);
        QTest::qWait(200);
        QVERIFY(save(&view, u"flamegraph.png"_s));
        view.searchField()->clear();
        const StackTree &tree = view.graph()->tree();
        view.graph()->zoomTo(tree.find({ u"postgres"_s, u"entry_SYSCALL_64_after_hwframe"_s, u"do_syscall_64"_s }));
        QTest::qWait(100);
        QVERIFY(save(&view, u"flamegraph-zoomed.png"_s));
    }

    // A run on four database hosts (one unreachable): the merged latency histogram beside the
    // same histogram host by host on one scale, the counts with a column per host, and the CPU
    // profile's flame graph with the host as its first level.
    void fleetMaps()
    {
        FleetMapsView view;
        view.resize(1440, 720);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setFleetResults(FleetData::databases());
        QVERIFY(view.mapsView()->selectMap(u"@usecs"_s));
        QVERIFY(view.isComparingHistograms());
        QTest::qWait(100);
        QVERIFY(save(&view, u"fleet-histogram.png"_s));
        QVERIFY(view.mapsView()->selectMap(u"@ios"_s));
        QTest::qWait(100);
        QVERIFY(save(&view, u"fleet-table.png"_s));
        view.showByHost();
        QVERIFY(view.mapsView()->selectMap(u"@samples"_s));
        QVERIFY(view.mapsView()->isShowingFlameGraph());
        QTest::qWait(200);
        QVERIFY(save(&view, u"fleet-flamegraph.png"_s));
    }

    // The shipped default layout at the two common screen sizes (View ▸ Reset Layout).
    void mainWindowDefaultLayout_data()
    {
        QTest::addColumn<QRect>("screen");
        QTest::newRow("1280x800") << QRect(0, 0, 1280, 800);
        QTest::newRow("1920x1080") << QRect(0, 0, 1920, 1080);
    }

    void mainWindowDefaultLayout()
    {
        QFETCH(QRect, screen);
        QSettings().clear();
        FakeEngine engine;
        engine->start();
        MainWindow window(engine.get(), nullptr);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resetLayout(screen);
        QTRY_VERIFY(!window.isApplyingDefaultLayout());
        window.editor()->setPlainText(script);
        window.editor()->analyzeNow();
        Run *run = window.runScript();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), RunState::Finished, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.probeBrowser()->model()->rowCount() > 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusSummary().contains(u"bpftrace 0.23.2"_s), 10000);
        QTest::qWait(300);
        QVERIFY(save(&window, u"mainwindow-%1x%2.png"_s.arg(screen.width()).arg(screen.height())));
    }

    void approval()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.resize(760, 720);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        RunRequest request;
        request.script = uR"(tracepoint:syscalls:sys_enter_open* /comm != "sshd"/
{
    @opens[comm, str(args.filename)] = count();
}

interval:s:10 { system("logger tracing done"); exit(); }
)"_s;
        request.reason = u"Find which processes open files under /etc during the slow start-up you described."_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        request.timeoutSeconds = 30;
        QVERIFY(engine->runs()->submitClientRun(request));
        RunRequest second = request;
        second.script = u"kprobe:vfs_read { @reads[comm] = count(); }"_s;
        second.reason = u"Count reads per process"_s;
        second.client = { u"Cursor"_s, u"1.7"_s, u"http"_s, u"s2"_s };
        QVERIFY(engine->runs()->submitClientRun(second));
        QTRY_VERIFY_WITH_TIMEOUT(panel.analysisText().contains(u"Attaches to 3 probe"_s), 10000);
        panel.attachToggle()->click();
        QTRY_VERIFY_WITH_TIMEOUT(panel.approveButton()->isEnabled(), 5000); // re-armed
        QTest::qWait(200);
        QVERIFY(save(&panel, u"approval.png"_s));
    }

    // The high-risk second step at the window's usual size: red banner, the marked line, and the
    // request id to type.
    // The window side of targets: the selector beside Run on a group, the Targets pane, a fleet
    // run's merged maps, and the approval of a fleet request (each target on its own row).
    void targets()
    {
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        FakeEngine engine(300, [&scratch](EngineConfig &config) {
            config.targetOptions = writeFakeSsh(scratch.path());
            config.targets = { fakeSshTarget(u"db1=ssh://root@db1.example.org"_s),
                fakeSshTarget(u"db2=ssh://root@db2.example.org"_s),
                fakeSshTarget(u"db3=ssh://root@db3.example.org:2222"_s) };
            config.targetGroups = { { u"db"_s, { u"db1"_s, u"db2"_s, u"db3"_s } } };
        });
        engine->start();
        MainWindow window(engine.get(), nullptr);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_VERIFY_WITH_TIMEOUT(engine->targets()->health(u"db3"_s).state == TargetHealth::State::Ready, 10000);
        window.targetsDock()->raise();
        QVERIFY(window.targetSelector()->choose(u"db"_s));
        window.editor()->setPlainText(script);
        Run *fleet = window.runScript();
        QVERIFY(fleet && fleet->isFleet());
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(fleet->state()), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            window.runView()->fleetMapsView()->fleetResults().coverage(), u"3 of 3 hosts"_s, 5000);
        window.runView()->tabs()->setCurrentIndex(1);
        QTest::qWait(200);
        QVERIFY(save(&window, u"targets-window.png"_s));
        QVERIFY(save(window.targetsPanel(), u"targets-pane.png"_s));

        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.resize(760, 760);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        RunRequest request;
        request.script = u"tracepoint:syscalls:sys_enter_openat { @opens[comm] = count(); }"_s;
        request.reason = u"Which processes open files on the three database hosts?"_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"http"_s, u"s3"_s };
        request.timeoutSeconds = 30;
        request.targets = { u"db"_s };
        QString error;
        Run *asked = engine->runs()->submitClientRun(request, &error);
        QVERIFY2(asked && asked->isFleet(), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(asked->analysis().complete, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.approveButton()->isEnabled(), 5000);
        QVERIFY(panel.targetsText().contains(u"db3: Attaches to"_s));
        QTest::qWait(200);
        QVERIFY(save(&panel, u"approval-fleet.png"_s));
    }

    void approvalHighRisk()
    {
        FakeEngine engine;
        ApprovalPanel panel(engine->approvals(), engine->analyzer());
        panel.setArmDelayMs(0);
        panel.resize(1280, 800);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        RunRequest request;
        request.script = uR"(tracepoint:syscalls:sys_enter_execve
{
    @execs[comm] = count();
}

tracepoint:syscalls:sys_exit_execve /retval != 0/
{
    system("logger exec failed");
}
)"_s;
        request.reason = u"See which programs start, and log the failed starts <b>(harmless)</b>."_s;
        request.client = { u"Claude Code"_s, u"2.1.3"_s, u"socket"_s, u"s1"_s };
        request.timeoutSeconds = 60;
        Run *run = engine->runs()->submitClientRun(request);
        QVERIFY(run);
        QTRY_VERIFY_WITH_TIMEOUT(run->analysis().complete, 10000);
        panel.approveButton()->click();
        QVERIFY(!panel.confirmRow()->isHidden());
        QTest::keyClicks(panel.confirmEdit(), run->id().left(3));
        QTest::qWait(200);
        QVERIFY(save(&panel, u"approval-high.png"_s));
    }

    void probeBrowser()
    {
        FakeEngine engine;
        ProbeBrowser browser(engine->catalog());
        browser.resize(420, 640);
        browser.show();
        engine->catalog()->load();
        QTRY_VERIFY_WITH_TIMEOUT(browser.model()->rowCount() > 0 && !browser.isFiltering(), 10000);
        browser.setFilterText(u"*sys_enter*"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!browser.isFiltering(), 10000);
        QVERIFY(browser.selectProbe(u"tracepoint:syscalls:sys_enter_openat"_s));
        QTRY_VERIFY_WITH_TIMEOUT(browser.detailsText().contains(u"filename"_s), 10000);
        QVERIFY(save(&browser, u"probebrowser.png"_s));
    }

    void endpoint()
    {
        FakeEngine engine;
        QTemporaryDir tmp;
        McpServerConfig config;
        config.socketPath = tmp.path() + u"/mcp.sock"_s;
        config.tokenPath = tmp.path() + u"/token"_s;
        config.httpPort = 0;
        McpServer server(engine.get(), config);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        EndpointPanel panel(&server);
        panel.resize(640, 820);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        panel.clientModel()->setClients(
            { { u"a"_s, u"Claude Code"_s, u"2.1.3"_s, u"stdio"_s, u"2025-06-18"_s, now.addSecs(-300), 14 },
                { u"b"_s, u"Cursor"_s, u"1.7"_s, u"http"_s, u"2025-06-18"_s, now.addSecs(-60), 3 } });
        const QList<std::tuple<QString, QString, double, bool>> calls {
            { u"Claude Code"_s, u"initialize"_s, 0.8, false },
            { u"Claude Code"_s, u"tools/list"_s, 0.4, false },
            { u"Claude Code"_s, u"tools/call list_probes"_s, 6.2, false },
            { u"Claude Code"_s, u"tools/call exec_program"_s, 1.9, false },
            { u"Cursor"_s, u"initialize"_s, 0.7, false },
            { u"Cursor"_s, u"tools/call get_result"_s, 2.4, true },
        };
        int i = 0;
        for (const auto &[client, method, ms, error] : calls) {
            McpTrafficEntry entry;
            entry.time = now.addSecs(-50 + 8 * i++);
            entry.clientName = client;
            entry.method = method;
            entry.durationMs = ms;
            entry.isError = error;
            entry.error = error ? u"unknown execution id"_s : QString();
            panel.trafficModel()->addEntry(entry);
        }
        QTest::qWait(100);
        QVERIFY(save(&panel, u"endpoint.png"_s));
    }

    // The editor with completion open: the catalog's syscalls after "tracepoint:sysc", then the
    // args fields of the probe being written. The popup is a child of the editor, so grabbing the
    // editor's area takes it in.
    void editorCompletion()
    {
        FakeEngine engine;
        engine->start();
        MainWindow window(engine.get(), nullptr);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_VERIFY_WITH_TIMEOUT(engine->catalog()->status() == ProbeCatalog::Status::Ready, 10000);
        ScriptEditor *editor = window.editor();
        QWidget *area = editor->parentWidget();
        editor->setPlainText(u"// Who opens which files?\n"_s);
        editor->moveCursor(QTextCursor::End);
        editor->setFocus();
        QTest::keyClicks(editor, u"tracepoint:sysc"_s);
        QTest::keyClick(editor, Qt::Key_Space, Qt::ControlModifier);
        QTRY_VERIFY(editor->completer()->isPopupVisible());
        QTest::qWait(100);
        QVERIFY(save(area, u"editor-completion-probes.png"_s));

        editor->completer()->hidePopup();
        editor->setPlainText(u"// Who opens which files?\ntracepoint:syscalls:sys_enter_openat\n{\n"
                             "    @opens[comm] = count();\n    printf(\"%s %s\\n\", comm, str(args"_s);
        editor->moveCursor(QTextCursor::End);
        QTest::keyClick(editor, Qt::Key_Period);
        QTRY_VERIFY_WITH_TIMEOUT(editor->completer()->isPopupVisible(), 10000);
        QTest::qWait(100);
        QVERIFY(save(area, u"editor-completion.png"_s));
    }
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
