// SPDX-License-Identifier: GPL-2.0-or-later
// DesktopInstance: the window's object graph is built once, activation reaches it, teardown is clean.
#include "app/desktopinstance.h"

#include "ui/mainwindow.h"

#include <QFileInfo>
#include <QPointer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestDesktopInstance : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    EngineConfig engineConfig() const
    {
        EngineConfig config;
        config.bpftracePath = QStringLiteral(TRACEDESK_SOURCE_DIR "/tests/ui/fakes/fake-bpftrace");
        config.privilege = PrivilegeMode::Direct;
        config.stateDirectory = m_dir.filePath(u"state"_s);
        config.cacheDirectory = m_dir.filePath(u"cache"_s);
        config.loadHistory = false;
        config.approvalPolicy = ApprovalPolicy::AllowAll; // the window must ask regardless
        return config;
    }
    McpServerConfig serverConfig() const
    {
        McpServerConfig config;
        config.socketPath = m_dir.filePath(u"mcp.sock"_s);
        config.httpEnabled = false;
        config.tokenPath = m_dir.filePath(u"token"_s);
        return config;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    void buildsTheGraphAndTearsItDown()
    {
        auto instance = std::make_unique<DesktopInstance>(CommandLineOptions {}, engineConfig(), serverConfig());
        QSignalSpy started(instance.get(), &DesktopInstance::started);
        QSignalSpy finished(instance.get(), &DesktopInstance::finished);
        QVERIFY(!instance->engine());
        instance->start();
        // With nothing on the socket the graph may be built before start() returns.
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 10000);
        QVERIFY(finished.isEmpty());
        QVERIFY(instance->engine());
        QVERIFY(instance->server());
        QVERIFY(instance->window());
        QVERIFY(instance->window()->isVisible());
        QCOMPARE(instance->engine()->approvals()->policy(), ApprovalPolicy::Ask);
        const QString socket = instance->server()->socketPath();
        QVERIFY(QFileInfo::exists(socket));

        // A second start on the same socket raises this window instead of building its own.
        DesktopInstance second(CommandLineOptions {}, engineConfig(), serverConfig());
        QSignalSpy secondFinished(&second, &DesktopInstance::finished);
        second.start();
        QTRY_COMPARE_WITH_TIMEOUT(secondFinished.size(), 1, 10000);
        QCOMPARE(secondFinished.first().first().toInt(), 0);
        QVERIFY(!second.engine());
        QVERIFY(!second.window());

        const QPointer<MainWindow> window = instance->window();
        instance.reset();
        QVERIFY(window.isNull());
        QVERIFY(!QFileInfo::exists(socket));
    }
};

QTEST_MAIN(TestDesktopInstance)
#include "tst_desktopinstance.moc"
