// SPDX-License-Identifier: GPL-2.0-or-later
// DesktopInstance: the window's object graph is built once, activation reaches it, teardown is clean.
#include "app/desktopinstance.h"

#include "../testpaths.h"
#include "ui/mainwindow.h"
#include "ui/scripteditor.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>

#include <QFileInfo>
#include <QPointer>
#include <QSignalSpy>
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
        useTestPaths();
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

    // SIGTERM (a logout, `systemctl stop`) with unsaved text: no question blocks, the text is
    // in the recovery file at once, and the next window offers it back.
    void sigtermKeepsUnsavedText()
    {
        auto instance = std::make_unique<DesktopInstance>(CommandLineOptions {}, engineConfig(), serverConfig());
        QSignalSpy started(instance.get(), &DesktopInstance::started);
        QSignalSpy finished(instance.get(), &DesktopInstance::finished);
        instance->start();
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 10000);
        MainWindow *window = instance->window();
        const QString recoveryPath = window->recoveryPath();
        QFile::remove(recoveryPath);
        window->editor()->setPlainText(QString());
        window->editor()->insertPlainText(u"tracepoint:sched:sched_switch { @[comm] = count(); }\n"_s);
        QVERIFY(window->editor()->document()->isModified());
        QElapsedTimer clock;
        clock.start();
        ::raise(SIGTERM);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 2000);
        QVERIFY(clock.elapsed() < 2000);
        QCOMPARE(finished.first().first().toInt(), 0);
        QVERIFY(!window->pendingQuestion());
        // Written when the signal came, not only after the typing pause.
        QFile file(recoveryPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(file.readAll()).object().value(u"text"_s).toString(),
            u"tracepoint:sched:sched_switch { @[comm] = count(); }\n"_s);
        instance.reset();
        QVERIFY(QFile::exists(recoveryPath));

        DesktopInstance next(CommandLineOptions {}, engineConfig(), serverConfig());
        QSignalSpy nextStarted(&next, &DesktopInstance::started);
        next.start();
        QTRY_COMPARE_WITH_TIMEOUT(nextStarted.size(), 1, 10000);
        QVERIFY(next.window()->hasRecoveryOffer());
        next.window()->restoreRecovery();
        QCOMPARE(next.window()->editor()->toPlainText(), u"tracepoint:sched:sched_switch { @[comm] = count(); }\n"_s);
        next.window()->discardRecovery();
    }
};

QTEST_MAIN(TestDesktopInstance)
#include "tst_desktopinstance.moc"
