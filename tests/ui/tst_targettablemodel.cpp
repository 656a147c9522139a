// SPDX-License-Identifier: GPL-2.0-or-later
// The targets table: this machine first, then the configured targets, each row following the
// registry's additions, removals and health checks (through a fake ssh, or a refused port).
#include "../engine/runtestutil.h"
#include "uitestsupport.h"

#include "ui/targettablemodel.h"

#include "engine/targets/targetregistry.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
QString cell(const TargetTableModel &model, int row, int column, int role = Qt::DisplayRole)
{
    return model.data(model.index(row, column), role).toString();
}
} // namespace

class TestTargetTableModel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        useTestPaths();
        QVERIFY(m_dir.isValid());
    }

    void listsLocalFirstThenTheConfigured()
    {
        TargetRegistry registry;
        QVERIFY(registry.addTarget(*Target::parseWithName(u"db1=ssh://root@10.0.0.1"_s)));
        Target sudo = *Target::parse(u"ssh://admin@db2.example.com:2222"_s);
        sudo.privilege = RemotePrivilege::Sudo;
        QVERIFY(registry.addTarget(sudo));
        QVERIFY(registry.addTarget(*Target::parse(u"k8s://prod/node-7"_s)));
        TargetTableModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);

        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int(TargetTableModel::ColumnCount));
        QCOMPARE(model.nameAt(0), u"local"_s);
        QCOMPARE(cell(model, 0, TargetTableModel::NameColumn), u"This machine"_s);
        QCOMPARE(cell(model, 1, TargetTableModel::NameColumn), u"db1"_s);
        QCOMPARE(cell(model, 1, TargetTableModel::KindColumn), u"SSH"_s);
        QCOMPARE(cell(model, 1, TargetTableModel::UriColumn), u"ssh://root@10.0.0.1"_s);
        QCOMPARE(cell(model, 1, TargetTableModel::PrivilegeColumn), u"auto"_s);
        QCOMPARE(cell(model, 2, TargetTableModel::NameColumn), u"admin@db2.example.com:2222"_s);
        QCOMPARE(cell(model, 2, TargetTableModel::PrivilegeColumn), u"sudo -n"_s);
        QCOMPARE(cell(model, 3, TargetTableModel::KindColumn), u"Kubernetes"_s);
        QCOMPARE(cell(model, 3, TargetTableModel::UriColumn), u"k8s://prod/node-7"_s);
        QCOMPARE(cell(model, 3, TargetTableModel::PrivilegeColumn), u"debug pod"_s);
        // Nothing checked yet.
        for (int row = 1; row < 4; ++row) {
            QCOMPARE(cell(model, row, TargetTableModel::HealthColumn), u"not checked"_s);
            QCOMPARE(cell(model, row, TargetTableModel::CheckedColumn), u"never"_s);
            QCOMPARE(cell(model, row, TargetTableModel::BpftraceColumn), QString());
        }
        QCOMPARE(model.rowOf(u"prod/node-7"_s), 3);
        QCOMPARE(model.rowOf(u"nope"_s), -1);
        QCOMPARE(model.data(model.index(1, 0), TargetTableModel::NameRole).toString(), u"db1"_s);
        for (int column = 0; column < TargetTableModel::ColumnCount; ++column)
            QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
    }

    void followsAddedAndRemovedTargets()
    {
        TargetRegistry registry;
        TargetTableModel model(&registry);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(registry.addTarget(*Target::parseWithName(u"db1=ssh://root@10.0.0.1"_s)));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.nameAt(1), u"db1"_s);
        QVERIFY(registry.removeTarget(u"db1"_s));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.nameAt(1), QString());
    }

    void healthCheckFillsTheRow()
    {
        TargetRegistry registry;
        registry.setOptions(writeFakeSsh(m_dir.path()));
        QVERIFY(registry.addTarget(fakeSshTarget(u"db1=ssh://root@db1"_s)));
        TargetTableModel model(&registry);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        registry.checkHealth(u"db1"_s);
        QCOMPARE(cell(model, 1, TargetTableModel::HealthColumn), u"checking…"_s);
        QTRY_VERIFY_WITH_TIMEOUT(registry.health(u"db1"_s).state != TargetHealth::State::Checking, 10000);
        QVERIFY(changed.size() >= 2);
        QCOMPARE(changed.constLast().at(0).toModelIndex().row(), 1);
        const TargetHealth health = registry.health(u"db1"_s);
        QVERIFY2(health.reachable, qPrintable(health.summary()));
        QCOMPARE(cell(model, 1, TargetTableModel::BpftraceColumn), u"0.23.2"_s);
        QCOMPARE(cell(model, 1, TargetTableModel::HealthColumn), TargetTableModel::stateText(health.state));
        QVERIFY(cell(model, 1, TargetTableModel::CheckedColumn) != u"never"_s);
        QVERIFY(cell(model, 1, TargetTableModel::PrivilegeColumn).startsWith(u"root login: "_s));
        QVERIFY(cell(model, 1, TargetTableModel::NameColumn, Qt::ToolTipRole).contains(health.summary()));
        QVERIFY(!model.data(model.index(1, TargetTableModel::HealthColumn), Qt::DecorationRole).isNull());
    }

    // Reached, but its bpftrace never answers --version: the row says "no answer", not that
    // bpftrace is missing.
    void hungBpftraceIsNoAnswer()
    {
        TargetRegistry registry;
        registry.setOptions(writeFakeSsh(m_dir.path()));
        registry.setHealthTimeoutMs(1500);
        Target target = fakeSshTarget(u"db2=ssh://root@db2"_s);
        target.bpftracePath = fakePath(u"stubborn.sh"_s);
        QVERIFY(registry.addTarget(target));
        TargetTableModel model(&registry);
        registry.checkHealth(u"db2"_s);
        QTRY_VERIFY_WITH_TIMEOUT(registry.health(u"db2"_s).state != TargetHealth::State::Checking, 10000);
        const TargetHealth health = registry.health(u"db2"_s);
        QCOMPARE(health.state, TargetHealth::State::Degraded);
        QVERIFY2(health.error.contains(u"did not answer in time"_s), qPrintable(health.summary()));
        QCOMPARE(cell(model, 1, TargetTableModel::BpftraceColumn), u"no answer"_s);
    }

    // Nothing listens on port 1 of the loopback: ssh is refused at once, and the row says so.
    void refusedPortIsUnreachable()
    {
        TargetRegistry registry;
        QVERIFY(addUnreachableTarget(&registry, m_dir.path()));
        TargetTableModel model(&registry);
        registry.checkHealth(u"db9"_s);
        QTRY_COMPARE_WITH_TIMEOUT(registry.health(u"db9"_s).state, TargetHealth::State::Unreachable, 20000);
        QCOMPARE(cell(model, 1, TargetTableModel::HealthColumn), u"unreachable"_s);
        const QString tip = cell(model, 1, TargetTableModel::HealthColumn, Qt::ToolTipRole);
        QVERIFY2(tip.contains(u"unreachable: "_s) && tip.size() > 40, qPrintable(tip));
        QCOMPARE(cell(model, 1, TargetTableModel::BpftraceColumn), QString());
    }

    void privilegeText()
    {
        Target ssh = *Target::parse(u"ssh://admin@db1"_s);
        TargetHealth health;
        QCOMPARE(TargetTableModel::privilegeText(ssh, health), u"auto"_s);
        health.state = TargetHealth::State::Ready;
        health.privileged = true;
        health.uid = 1000;
        QCOMPARE(TargetTableModel::privilegeText(ssh, health), u"auto: root by sudo -n"_s);
        health.uid = 0;
        QCOMPARE(TargetTableModel::privilegeText(ssh, health), u"auto: root"_s);
        health.state = TargetHealth::State::Degraded;
        health.privileged = false;
        health.uid = 1000;
        QCOMPARE(TargetTableModel::privilegeText(ssh, health), u"auto: no root"_s);
        // An unreachable host says nothing about root.
        health.state = TargetHealth::State::Unreachable;
        QCOMPARE(TargetTableModel::privilegeText(ssh, health), u"auto"_s);
    }
};

QTEST_MAIN(TestTargetTableModel)
#include "tst_targettablemodel.moc"
