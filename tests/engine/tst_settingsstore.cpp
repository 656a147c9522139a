// SPDX-License-Identifier: GPL-2.0-or-later
// SettingsStore: the one reader and writer of tracedesk.conf, its round trip and its bounds.
#include "engine/engine.h"
#include "engine/settingsstore.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSettingsStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/t.conf"_s, QSettings::IniFormat);
        EngineConfig s;
        s.limits.maxConcurrentRuns = 2;
        s.limits.maxLinesKept = 5000;
        s.limits.maxLinesPerSecond = 0;
        s.limits.defaultClientTimeoutSeconds = 20;
        s.limits.maxTimeoutSeconds = 600;
        s.privilege = PrivilegeMode::Sudo;
        s.approvalTimeoutSeconds = 90;
        s.endpoint.httpEnabled = false;
        s.endpoint.httpPort = 0;
        s.clientsReadPersonRuns = true;
        SettingsStore::write(settings, s);
        QCOMPARE(settings.value(u"engine/privilege"_s).toString(), u"sudo"_s);
        QCOMPARE(settings.value(u"mcp/httpPort"_s).toInt(), 0);
        QCOMPARE(SettingsStore::read(settings), s);
    }

    void garbageFallsBackToDefaults()
    {
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/t.conf"_s, QSettings::IniFormat);
        settings.setValue(u"engine/privilege"_s, u"root-please"_s);
        settings.setValue(u"engine/maxConcurrentRuns"_s, -3);
        settings.setValue(u"mcp/httpPort"_s, 70000);
        settings.setValue(u"engine/approvalTimeoutSeconds"_s, u"soon"_s);
        QCOMPARE(SettingsStore::read(settings), EngineConfig());
    }

    // Each bound, at its edges: the values just inside are read, the ones just outside are not.
    void bounds_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<qint64>("value");
        QTest::addColumn<bool>("accepted");
        for (const IntSetting &s : { Setting::approvalTimeoutSeconds, Setting::maxConcurrentRuns, Setting::maxLinesKept,
                 Setting::maxLinesPerSecond, Setting::defaultClientTimeoutSeconds, Setting::maxTimeoutSeconds,
                 Setting::httpPort }) {
            const QByteArray name(s.key.data(), s.key.size());
            QTest::addRow("%s below", name.constData()) << QString(s.key) << s.minimum - 1 << false;
            QTest::addRow("%s minimum", name.constData()) << QString(s.key) << s.minimum << true;
            QTest::addRow("%s maximum", name.constData()) << QString(s.key) << s.maximum << true;
            QTest::addRow("%s above", name.constData()) << QString(s.key) << s.maximum + 1 << false;
        }
    }

    void bounds()
    {
        QFETCH(QString, key);
        QFETCH(qint64, value);
        QFETCH(bool, accepted);
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/t.conf"_s, QSettings::IniFormat);
        settings.setValue(key, value);
        const EngineConfig read = SettingsStore::read(settings);
        QCOMPARE(read != EngineConfig(), accepted); // no bound's edge is its default
        if (accepted) {
            // What is read is written back the same.
            QSettings again(dir.path() + u"/u.conf"_s, QSettings::IniFormat);
            SettingsStore::write(again, read);
            QCOMPARE(again.value(key).toLongLong(), value);
        }
    }

    void defaultsComeFromTheTable()
    {
        const EngineConfig config;
        QCOMPARE(config.approvalTimeoutSeconds, 300);
        QCOMPARE(config.limits.maxConcurrentRuns, 4);
        QCOMPARE(config.limits.maxLinesKept, 100000);
        QCOMPARE(config.endpoint.httpPort, quint16(8765));
        QVERIFY(config.endpoint.httpEnabled);
        QVERIFY(config.endpoint.socketPath.endsWith(u"/mcp.sock"_s));
        QCOMPARE(config.endpoint.socketPath, defaultSocketPath());
    }

    void handEditedValuesAreRead()
    {
        QTemporaryDir dir;
        QSettings settings(dir.path() + u"/t.conf"_s, QSettings::IniFormat);
        settings.setValue(Setting::bpftracePath, u"/opt/bt/bpftrace"_s);
        settings.setValue(Setting::httpAddress, u"::1"_s);
        settings.setValue(Setting::historyMaxBytes.key, 2 * 1024 * 1024);
        const EngineConfig read = SettingsStore::read(settings);
        QCOMPARE(read.bpftracePath, u"/opt/bt/bpftrace"_s);
        QCOMPARE(read.endpoint.httpAddress, u"::1"_s);
        QCOMPARE(read.historyMaxBytes, qint64(2 * 1024 * 1024));
        // The dialog's save leaves them to the person who wrote them.
        SettingsStore::write(settings, EngineConfig());
        QCOMPARE(settings.value(Setting::bpftracePath).toString(), u"/opt/bt/bpftrace"_s);
    }

    void appliesToTheEngine()
    {
        QTemporaryDir dir;
        EngineConfig config;
        config.privilege = PrivilegeMode::Direct;
        config.stateDirectory = dir.path() + u"/state"_s;
        config.cacheDirectory = dir.path() + u"/cache"_s;
        config.loadHistory = false;
        Engine engine(config);
        QSettings settings(dir.path() + u"/t.conf"_s, QSettings::IniFormat);
        EngineConfig s = SettingsStore::readForEditing(settings, engine.config());
        QCOMPARE(s.limits.maxConcurrentRuns, engine.runs()->limits().maxConcurrentRuns);
        s.limits.maxConcurrentRuns = 7;
        s.approvalTimeoutSeconds = 42;
        engine.applySettings(s);
        QCOMPARE(engine.runs()->limits().maxConcurrentRuns, 7);
        QCOMPARE(engine.approvals()->expirySeconds(), 42);
        // Sharing the person's runs with clients: off by default, on at once, no restart.
        QVERIFY(!engine.runs()->personRunsReadableByClients());
        EngineConfig shared = s;
        shared.clientsReadPersonRuns = true;
        QVERIFY(!SettingsStore::needsRestart(s, shared));
        engine.applySettings(shared);
        QVERIFY(engine.runs()->personRunsReadableByClients());
        QVERIFY(engine.config().clientsReadPersonRuns);
        EngineConfig restart = s;
        restart.endpoint.httpPort = 1234;
        QVERIFY(SettingsStore::needsRestart(s, restart));
        QVERIFY(!SettingsStore::needsRestart(s, s));
    }
};

QTEST_GUILESS_MAIN(TestSettingsStore)
#include "tst_settingsstore.moc"
