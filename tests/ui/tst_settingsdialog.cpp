// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/settingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSpinBox>
#include <QTest>

using namespace Qt::StringLiterals;

class TestSettingsDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void commandLineValuesAreShownAsOverridden()
    {
        // `tracedesk --http-port 9100 --max-concurrent-runs 2` over saved 8765 and 4.
        EngineConfig saved;
        saved.endpoint.httpPort = 8765;
        saved.limits.maxConcurrentRuns = 4;
        EngineConfig inForce = saved;
        inForce.endpoint.httpPort = 9100;
        inForce.limits.maxConcurrentRuns = 2;
        SettingsDialog dialog(inForce);
        dialog.setSaved(saved);
        QCOMPARE(dialog.httpPortSpin()->value(), 9100); // what is in force
        QCOMPARE(dialog.maxConcurrentRunsSpin()->value(), 2);
        QVERIFY(dialog.overriddenFields().contains(dialog.httpPortSpin()));
        QVERIFY(dialog.overriddenFields().contains(dialog.maxConcurrentRunsSpin()));
        QVERIFY(!dialog.overriddenFields().contains(dialog.approvalTimeoutSpin()));
        QVERIFY(dialog.httpPortSpin()->font().italic());
        QVERIFY(dialog.httpPortSpin()->toolTip().contains(u"8765"_s));
        QVERIFY2(dialog.overrideNote().contains(u"HTTP port 9100 (saved: 8765)"_s), qPrintable(dialog.overrideNote()));
        // Left alone, the command line's values are not made permanent; changed, they are saved.
        QCOMPARE(dialog.settingsToSave().endpoint.httpPort, quint16(8765));
        dialog.maxConcurrentRunsSpin()->setValue(6);
        QCOMPARE(dialog.settingsToSave().limits.maxConcurrentRuns, 6);
        QCOMPARE(dialog.settings().endpoint.httpPort, quint16(9100));

        SettingsDialog plain(saved);
        plain.setSaved(saved);
        QVERIFY(plain.overriddenFields().isEmpty());
        QVERIFY(plain.overrideNote().isEmpty());
    }

    void editsValues()
    {
        EngineConfig current;
        current.limits.maxConcurrentRuns = 3;
        current.approvalTimeoutSeconds = 120;
        current.endpoint.httpPort = 9000;
        SettingsDialog dialog(current);
        QCOMPARE(dialog.maxConcurrentRunsSpin()->value(), 3);
        QCOMPARE(dialog.approvalTimeoutSpin()->value(), 120);
        QCOMPARE(dialog.httpPortSpin()->value(), 9000);
        QCOMPARE(dialog.settings(), current);
        QVERIFY(dialog.restartNote().isEmpty());

        dialog.approvalTimeoutSpin()->setValue(600);
        dialog.maxConcurrentRunsSpin()->setValue(8);
        QCOMPARE(dialog.settings().approvalTimeoutSeconds, 600);
        QCOMPARE(dialog.settings().limits.maxConcurrentRuns, 8);
        QVERIFY(dialog.restartNote().isEmpty()); // these apply at once

        // Off unless the person turns it on; it applies at once, no restart.
        QVERIFY(!dialog.clientsReadPersonRunsCheck()->isChecked());
        dialog.clientsReadPersonRunsCheck()->setChecked(true);
        QVERIFY(dialog.settings().clientsReadPersonRuns);
        QVERIFY(dialog.restartNote().isEmpty());

        dialog.privilegeCombo()->setCurrentIndex(dialog.privilegeCombo()->findData(int(PrivilegeMode::Pkexec)));
        QCOMPARE(dialog.settings().privilege, PrivilegeMode::Pkexec);
        QVERIFY(dialog.restartNote().contains(u"restart"_s));
        dialog.privilegeCombo()->setCurrentIndex(dialog.privilegeCombo()->findData(int(current.privilege)));
        QVERIFY(dialog.restartNote().isEmpty());
        dialog.httpPortSpin()->setValue(9001);
        QVERIFY(!dialog.restartNote().isEmpty());
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
