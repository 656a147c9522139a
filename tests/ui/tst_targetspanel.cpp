// SPDX-License-Identifier: GPL-2.0-or-later
// The Targets pane: lists the registry's targets, checks them, adds through the dialog and
// removes, keeping the settings file's [targets] and [targetGroups] in step without losing
// what it cannot read.
#include "uitestsupport.h"

#include "ui/addtargetdialog.h"
#include "ui/targetspanel.h"
#include "ui/targettablemodel.h"

#include "engine/targets/targetregistry.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QString cell(const TargetsPanel &panel, int row, int column, int role = Qt::DisplayRole)
{
    return panel.model()->data(panel.model()->index(row, column), role).toString();
}

QStringList savedNames()
{
    QStringList names;
    for (const Target &target : TargetRegistry::readTargets(QSettings()))
        names.append(target.name);
    return names;
}
} // namespace

class TestTargetsPanel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        useTestPaths();
        QCoreApplication::setOrganizationName(u"tracedesk-test"_s);
        QCoreApplication::setApplicationName(u"tst_targetspanel"_s);
        QVERIFY(m_dir.isValid());
    }

    void init() { QSettings().clear(); }

    void listsTheRegistrysTargets()
    {
        TargetRegistry registry;
        QVERIFY(registry.addTarget(*Target::parseWithName(u"db1=ssh://root@10.0.0.1"_s)));
        QVERIFY(registry.addTarget(*Target::parseWithName(u"db2=ssh://root@10.0.0.2"_s)));
        QVERIFY(registry.setGroup(u"db"_s, { u"db1"_s, u"db2"_s }));
        TargetsPanel panel(&registry);
        panel.show();
        QCOMPARE(panel.view()->model()->rowCount(), 3);
        QCOMPARE(cell(panel, 1, TargetTableModel::UriColumn), u"ssh://root@10.0.0.1"_s);
        QCOMPARE(cell(panel, 2, TargetTableModel::NameColumn), u"db2"_s);
        QVERIFY(panel.groupsLabel()->isVisible());
        QCOMPARE(panel.groupsLabel()->text(), u"Groups: db = db1, db2"_s);
        // This machine stays: nothing selected, or only it, and Remove is off.
        QVERIFY(!panel.removeButton()->isEnabled());
        QVERIFY(panel.selectTarget(u"local"_s));
        QVERIFY(!panel.removeButton()->isEnabled());
        QVERIFY(panel.selectTarget(u"db2"_s));
        QVERIFY(panel.removeButton()->isEnabled());
        QCOMPARE(panel.selectedTargets(), QStringList { u"db2"_s });

        TargetsPanel withoutEngine(nullptr);
        QCOMPARE(withoutEngine.model()->rowCount(), 1);
        QVERIFY(!withoutEngine.addButton()->isEnabled());
    }

    void checkShowsUnreachable()
    {
        TargetRegistry registry;
        QVERIFY(addUnreachableTarget(&registry, m_dir.path()));
        TargetsPanel panel(&registry);
        QCOMPARE(panel.checkButton()->text(), u"&Check All"_s);
        QVERIFY(panel.selectTarget(u"db9"_s));
        QCOMPARE(panel.checkButton()->text(), u"&Check"_s);
        panel.checkButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(cell(panel, 1, TargetTableModel::HealthColumn), u"unreachable"_s, 20000);
        const QString tip = cell(panel, 1, TargetTableModel::HealthColumn, Qt::ToolTipRole);
        QVERIFY2(tip.contains(registry.health(u"db9"_s).error) && !registry.health(u"db9"_s).error.isEmpty(),
            qPrintable(tip));
    }

    void addSavesTheTarget()
    {
        QSettings().setValue(u"targets/1/uri"_s, u"ssh://root@10.0.0.1"_s);
        QSettings().setValue(u"targets/1/name"_s, u"db1"_s);
        QSettings().setValue(u"targets/size"_s, 1);
        TargetRegistry registry;
        registry.setOptions(writeFakeSsh(m_dir.path()));
        // A --target of this session: in the registry, not in the file, and it stays out.
        QVERIFY(registry.addTarget(*Target::parseWithName(u"tmp=ssh://root@10.0.0.8"_s)));
        TargetsPanel panel(&registry);
        panel.show();
        QSignalSpy added(&panel, &TargetsPanel::targetAdded);
        panel.addButton()->click();
        AddTargetDialog *dialog = panel.addDialog();
        QVERIFY(dialog);
        QTest::keyClicks(dialog->uriEdit(), u"ssh://root@db5"_s);
        QTest::keyClicks(dialog->nameEdit(), u"db5"_s);
        dialog->bpftraceEdit()->setText(fakeBpftracePath());
        dialog->addButton()->click();
        QTRY_VERIFY(!panel.addDialog());
        QCOMPARE(added.size(), 1);
        QCOMPARE(registry.names(), QStringList({ u"local"_s, u"tmp"_s, u"db5"_s }));
        QCOMPARE(savedNames(), QStringList({ u"db1"_s, u"db5"_s }));
        QCOMPARE(QSettings().value(u"targets/2/bpftrace"_s).toString(), fakeBpftracePath());
        QCOMPARE(panel.selectedTargets(), QStringList { u"db5"_s });
        QVERIFY2(panel.messageText().contains(u"Added db5"_s), qPrintable(panel.messageText()));
        // And it is checked at once.
        QTRY_VERIFY_WITH_TIMEOUT(registry.health(u"db5"_s).state != TargetHealth::State::Unknown
                && registry.health(u"db5"_s).state != TargetHealth::State::Checking,
            10000);
        QCOMPARE(registry.health(u"db5"_s).bpftraceVersion, u"0.23.2"_s);
    }

    // Rewriting [targets] drops what does not parse: the pane refuses instead, and says where.
    void addRefusedWhenTheSavedListIsBroken()
    {
        QSettings().setValue(u"targets/1/uri"_s, u"ssh://-oProxyCommand=x"_s);
        QSettings().setValue(u"targets/size"_s, 1);
        TargetRegistry registry;
        TargetsPanel panel(&registry);
        panel.show();
        panel.addTarget();
        AddTargetDialog *dialog = panel.addDialog();
        QVERIFY(dialog);
        QTest::keyClicks(dialog->uriEdit(), u"ssh://db5"_s);
        dialog->addButton()->click();
        QVERIFY(panel.addDialog());
        QVERIFY(dialog->isVisible());
        QVERIFY2(dialog->errorText().contains(QSettings().fileName()), qPrintable(dialog->errorText()));
        QVERIFY2(dialog->errorText().contains(u"do not parse"_s), qPrintable(dialog->errorText()));
        QCOMPARE(registry.names(), QStringList { u"local"_s });
        QCOMPARE(QSettings().value(u"targets/1/uri"_s).toString(), u"ssh://-oProxyCommand=x"_s);
        dialog->reject();
    }

    void removeForgetsTheTarget()
    {
        TargetRegistry registry;
        const QList<Target> targets { *Target::parseWithName(u"db1=ssh://root@10.0.0.1"_s),
            *Target::parseWithName(u"db2=ssh://root@10.0.0.2"_s) };
        for (const Target &target : targets)
            QVERIFY(registry.addTarget(target));
        QVERIFY(registry.setGroup(u"db"_s, { u"db1"_s, u"db2"_s }));
        {
            QSettings settings;
            TargetRegistry::writeTargets(settings, targets);
            settings.setValue(u"targetGroups/db"_s, QStringList { u"db1"_s, u"db2"_s });
        }
        TargetsPanel panel(&registry);
        QVERIFY(panel.selectTarget(u"db1"_s));
        panel.removeButton()->click();
        QCOMPARE(registry.names(), QStringList({ u"local"_s, u"db2"_s }));
        QCOMPARE(savedNames(), QStringList { u"db2"_s });
        QCOMPARE(TargetRegistry::readGroups(QSettings()).value(u"db"_s), QStringList { u"db2"_s });
        QCOMPARE(panel.groupsLabel()->text(), u"Groups: db = db2"_s);
        QVERIFY2(panel.messageText().contains(u"Removed db1"_s), qPrintable(panel.messageText()));
        // A target only given on the command line is not in the file: removed all the same.
        QVERIFY(registry.addTarget(*Target::parseWithName(u"tmp=ssh://root@10.0.0.8"_s)));
        QVERIFY(panel.selectTarget(u"tmp"_s));
        panel.removeButton()->click();
        QVERIFY(!registry.find(u"tmp"_s));
        QCOMPARE(savedNames(), QStringList { u"db2"_s });
    }

    void saveKeepsTheOthers()
    {
        QSettings settings;
        QString error;
        QVERIFY(TargetsPanel::saveTarget(settings, *Target::parseWithName(u"a=ssh://10.0.0.1"_s), &error));
        Target b = *Target::parseWithName(u"b=k8s://ctx/n1"_s);
        b.image = u"example.com/bpftrace:1"_s;
        QVERIFY(TargetsPanel::saveTarget(settings, b, &error));
        QVERIFY(TargetsPanel::saveTarget(settings, *Target::parseWithName(u"a=ssh://10.0.0.9"_s), &error));
        const QList<Target> saved = TargetRegistry::readTargets(settings);
        QCOMPARE(saved.size(), 2);
        QCOMPARE(saved.at(0), b);
        QCOMPARE(saved.at(1).uri(), u"ssh://10.0.0.9"_s);
        QVERIFY(TargetsPanel::forgetTarget(settings, u"nothing-saved"_s, &error));
        QCOMPARE(TargetRegistry::readTargets(settings).size(), 2);
    }
};

QTEST_MAIN(TestTargetsPanel)
#include "tst_targetspanel.moc"
