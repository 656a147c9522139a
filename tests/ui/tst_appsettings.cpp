// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include <appsettings.h>

#include <QSettings>
#include <QTest>

using namespace Qt::StringLiterals;

class TestAppSettings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void roundTrip()
    {
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/t.conf"_s, QSettings::IniFormat);
        AppSettings s;
        s.limits.maxConcurrentRuns = 2;
        s.limits.maxLinesKept = 5000;
        s.limits.maxLinesPerSecond = 0;
        s.limits.defaultClientTimeoutSeconds = 20;
        s.limits.maxTimeoutSeconds = 600;
        s.privilege = PrivilegeMode::Sudo;
        s.approvalTimeoutSeconds = 90;
        s.httpEnabled = false;
        s.httpPort = 0;
        s.save(settings);
        QCOMPARE(settings.value(u"engine/privilege"_s).toString(), u"sudo"_s);
        QCOMPARE(settings.value(u"mcp/httpPort"_s).toInt(), 0);
        QCOMPARE(AppSettings::load(settings), s);
    }

    void garbageFallsBackToDefaults()
    {
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/t.conf"_s, QSettings::IniFormat);
        settings.setValue(u"engine/privilege"_s, u"root-please"_s);
        settings.setValue(u"engine/maxConcurrentRuns"_s, -3);
        settings.setValue(u"mcp/httpPort"_s, 70000);
        settings.setValue(u"engine/approvalTimeoutSeconds"_s, u"soon"_s);
        QCOMPARE(AppSettings::load(settings), AppSettings());
    }

    void appliesToTheEngine()
    {
        FakeEngine engine;
        AppSettings s = AppSettings::load(QSettings(), engine.get());
        QCOMPARE(s.limits.maxConcurrentRuns, engine->runs()->limits().maxConcurrentRuns);
        s.limits.maxConcurrentRuns = 7;
        s.approvalTimeoutSeconds = 42;
        s.applyTo(engine.get());
        QCOMPARE(engine->runs()->limits().maxConcurrentRuns, 7);
        QCOMPARE(engine->approvals()->expirySeconds(), 42);
        AppSettings restart = s;
        restart.httpPort = 1234;
        QVERIFY(restart.needsRestartComparedTo(s));
        QVERIFY(!s.needsRestartComparedTo(s));
    }
};

QTEST_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
