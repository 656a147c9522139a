// SPDX-License-Identifier: GPL-2.0-or-later
// The chooser beside Run (and above the probes): this machine, the targets, the groups; health
// as icon and tooltip; a removed choice falls back to this machine; compact whatever the names.
#include "uitestsupport.h"

#include "ui/mainwindow.h"
#include "ui/targetselector.h"

#include "engine/targets/targetregistry.h"

#include <QAbstractItemView>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QStringList itemTexts(const TargetSelector &selector)
{
    QStringList texts;
    for (int i = 0; i < selector.count(); ++i)
        texts.append(selector.itemText(i));
    return texts;
}

void addDatabases(TargetRegistry &registry)
{
    for (const QString &text :
        { u"db1=ssh://root@10.0.0.1"_s, u"db2=ssh://root@10.0.0.2"_s, u"db3=ssh://root@10.0.0.3"_s })
        QVERIFY(registry.addTarget(*Target::parseWithName(text)));
    QVERIFY(registry.setGroup(u"db"_s, { u"db1"_s, u"db2"_s, u"db3"_s }));
}
} // namespace

class TestTargetSelector : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        useTestPaths();
        MainWindow::applyDesktopLook(); // the state icons come from the theme, as in the window
        QVERIFY(m_dir.isValid());
    }

    void onlyThisMachine()
    {
        TargetSelector withoutEngine(nullptr, TargetSelector::Mode::TargetsAndGroups);
        QCOMPARE(itemTexts(withoutEngine), QStringList { u"This machine"_s });
        QCOMPARE(withoutEngine.chosenTargets(), QStringList { u"local"_s });
        TargetRegistry registry;
        TargetSelector selector(&registry, TargetSelector::Mode::TargetsAndGroups);
        QCOMPARE(itemTexts(selector), QStringList { u"This machine"_s });
        QCOMPARE(selector.currentName(), u"local"_s);
        QVERIFY(!selector.isGroupChosen());
    }

    void listsTargetsAndGroups()
    {
        TargetRegistry registry;
        addDatabases(registry);
        TargetSelector selector(&registry, TargetSelector::Mode::TargetsAndGroups);
        QCOMPARE(itemTexts(selector),
            QStringList({ u"This machine"_s, u"db1 (ssh://root@10.0.0.1)"_s, u"db2 (ssh://root@10.0.0.2)"_s,
                u"db3 (ssh://root@10.0.0.3)"_s, u"db (3 targets)"_s }));
        QSignalSpy chosen(&selector, &TargetSelector::chosenChanged);
        QVERIFY(selector.choose(u"db"_s));
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.constFirst().at(0).toString(), u"db"_s);
        QVERIFY(selector.isGroupChosen());
        QCOMPARE(selector.chosenTargets(), QStringList({ u"db1"_s, u"db2"_s, u"db3"_s }));
        QVERIFY2(selector.toolTip().contains(u"db2 (ssh://root@10.0.0.2)"_s), qPrintable(selector.toolTip()));
        QVERIFY(selector.choose(u"db2"_s));
        QCOMPARE(selector.chosenTargets(), QStringList { u"db2"_s });
        // Closed, the box shows the short name.
        QCOMPARE(selector.currentData(TargetSelector::ShortTextRole).toString(), u"db2"_s);
        QVERIFY(!selector.choose(u"db7"_s));
        QCOMPARE(selector.currentName(), u"db2"_s);

        // The probe browser's chooser has no groups: one catalog at a time.
        TargetSelector single(&registry, TargetSelector::Mode::TargetsOnly);
        QCOMPARE(single.count(), 4);
        QVERIFY(!single.choose(u"db"_s));
    }

    void followsTheRegistry()
    {
        TargetRegistry registry;
        addDatabases(registry);
        TargetSelector selector(&registry, TargetSelector::Mode::TargetsAndGroups);
        QVERIFY(selector.choose(u"db3"_s));
        QSignalSpy chosen(&selector, &TargetSelector::chosenChanged);
        // Another target coming or going keeps the choice.
        QVERIFY(registry.addTarget(*Target::parseWithName(u"web=ssh://10.0.1.1"_s)));
        QVERIFY(registry.removeTarget(u"db1"_s));
        QCOMPARE(selector.currentName(), u"db3"_s);
        QCOMPARE(chosen.size(), 0);
        QVERIFY(itemTexts(selector).contains(u"db (2 targets)"_s));
        // The chosen one going away: back to this machine, and said.
        QVERIFY(registry.removeTarget(u"db3"_s));
        QCOMPARE(selector.currentName(), u"local"_s);
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.constFirst().at(0).toString(), u"local"_s);
        QVERIFY(selector.choose(u"db"_s));
        QVERIFY(registry.removeTarget(u"db2"_s));
        QVERIFY(itemTexts(selector).contains(u"db (0 targets)"_s));
        QCOMPARE(selector.chosenTargets(), QStringList());
    }

    void healthAsIconAndTooltip()
    {
        TargetRegistry registry;
        registry.setOptions(writeFakeSsh(m_dir.path()));
        QVERIFY(registry.addTarget(fakeSshTarget(u"db1=ssh://root@db1"_s)));
        TargetSelector selector(&registry, TargetSelector::Mode::TargetsAndGroups);
        QVERIFY(selector.choose(u"db1"_s));
        QVERIFY2(selector.toolTip().contains(u"unknown"_s), qPrintable(selector.toolTip()));
        registry.checkHealth(u"db1"_s);
        QTRY_VERIFY_WITH_TIMEOUT(registry.health(u"db1"_s).state != TargetHealth::State::Checking, 10000);
        const QString summary = registry.health(u"db1"_s).summary();
        QVERIFY2(summary.contains(u"bpftrace 0.23.2"_s), qPrintable(summary));
        QVERIFY2(selector.toolTip().contains(summary), qPrintable(selector.toolTip()));
        QVERIFY(selector.itemData(1, Qt::ToolTipRole).toString().contains(summary));
        QVERIFY(!selector.itemIcon(1).isNull());
    }

    // However long the names, the closed box stays small enough for the toolbar at 1280x800;
    // the list is as wide as the longest display name.
    void staysCompact()
    {
        TargetRegistry registry;
        QVERIFY(registry.addTarget(
            *Target::parse(u"ssh://a-very-long-user-name@a-very-long-host-name.in.a.long.domain.example.com:2222"_s)));
        TargetSelector selector(&registry, TargetSelector::Mode::TargetsAndGroups);
        selector.show();
        QVERIFY(QTest::qWaitForWindowExposed(&selector));
        const int limit = selector.fontMetrics().averageCharWidth() * 24 + 80;
        QVERIFY2(selector.sizeHint().width() <= limit, qPrintable(QString::number(selector.sizeHint().width())));
        QVERIFY(selector.sizeHint().width() >= selector.fontMetrics().horizontalAdvance(u"This machine"_s));
        QVERIFY(selector.view()->minimumWidth() > selector.sizeHint().width());
    }
};

QTEST_MAIN(TestTargetSelector)
#include "tst_targetselector.moc"
