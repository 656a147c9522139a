// SPDX-License-Identifier: GPL-2.0-or-later
// Writes PNGs of the window into ${CMAKE_BINARY_DIR}/screenshots for the README and for review.
#include "uitestsupport.h"

#include "mcp/mcpserver.h"
#include "ui/approvalpanel.h"
#include "ui/endpointpanel.h"
#include "ui/mainwindow.h"
#include "ui/mapsview.h"
#include "ui/mcpclientmodel.h"
#include "ui/probebrowser.h"
#include "ui/probetreemodel.h"
#include "ui/runview.h"
#include "ui/scripteditor.h"
#include "ui/trafficlogmodel.h"

#include <QDir>
#include <QDockWidget>
#include <QFontDatabase>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>

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
};

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
