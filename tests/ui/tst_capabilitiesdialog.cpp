// SPDX-License-Identifier: GPL-2.0-or-later
#include "uitestsupport.h"

#include "ui/capabilitiesdialog.h"

#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;

class TestCapabilitiesDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void asksBpftrace()
    {
        FakeEngine engine;
        CapabilitiesDialog dialog(engine->capabilities());
        QTRY_VERIFY_WITH_TIMEOUT(dialog.summaryText().contains(u"bpftrace 0.23.2"_s), 10000);
        QTreeWidget *tree = dialog.tree();
        QStringList groups;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            groups.append(tree->topLevelItem(i)->text(0));
        QCOMPARE(groups.size(), 6);
        QVERIFY(groups.at(2).startsWith(u"Kernel helpers (3 of 4 available)"_s));
        QVERIFY(groups.at(5).startsWith(u"Probe types (2 of 4 available)"_s));
        bool sawNo = false;
        QTreeWidgetItem *helpers = tree->topLevelItem(2);
        for (int i = 0; i < helpers->childCount(); ++i) {
            if (helpers->child(i)->text(0) == u"override_return"_s)
                sawNo = helpers->child(i)->text(1) == u"no"_s;
        }
        QVERIFY(sawNo);
    }

    void showsGivenInfo()
    {
        CapabilitiesDialog dialog(nullptr);
        BpfInfo info;
        info.version = u"0.21.0"_s;
        info.kernelRelease = u"6.1.0"_s;
        info.mapTypes.insert(u"hash"_s, true);
        dialog.setInfo(info);
        QVERIFY(dialog.summaryText().contains(u"0.21.0"_s));
        QVERIFY(dialog.summaryText().contains(u"6.1.0"_s));
        QCOMPARE(dialog.tree()->topLevelItem(4)->childCount(), 1);
    }
};

QTEST_MAIN(TestCapabilitiesDialog)
#include "tst_capabilitiesdialog.moc"
