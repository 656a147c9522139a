// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/probetreemodel.h"

#include <QAbstractItemModelTester>
#include <QMimeData>
#include <QTest>

using namespace Qt::StringLiterals;

class TestProbeTreeModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void split_data()
    {
        QTest::addColumn<QString>("probe");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("category");
        QTest::addColumn<QString>("leaf");
        QTest::newRow("tracepoint") << u"tracepoint:syscalls:sys_enter_openat"_s << u"tracepoint"_s << u"syscalls"_s
                                    << u"sys_enter_openat"_s;
        QTest::newRow("kprobe by prefix") << u"kprobe:tcp_sendmsg"_s << u"kprobe"_s << u"tcp"_s << u"tcp_sendmsg"_s;
        QTest::newRow("kprobe without underscore") << u"kprobe:schedule"_s << u"kprobe"_s << QString() << u"schedule"_s;
        QTest::newRow("software trailing colon")
            << u"software:cpu-clock:"_s << u"software"_s << QString() << u"cpu-clock"_s;
        QTest::newRow("uprobe path") << u"uprobe:/usr/lib/libc.so.6:malloc"_s << u"uprobe"_s << u"/usr/lib/libc.so.6"_s
                                     << u"malloc"_s;
        QTest::newRow("kfunc module") << u"kfunc:vmlinux:vfs_read"_s << u"kfunc"_s << u"vmlinux"_s << u"vfs_read"_s;
        QTest::newRow("no colon") << u"BEGIN"_s << u"BEGIN"_s << QString() << u"BEGIN"_s;
    }

    void split()
    {
        QFETCH(QString, probe);
        QFETCH(QString, provider);
        QFETCH(QString, category);
        QFETCH(QString, leaf);
        QString p, c, l;
        ProbeTree::split(probe, &p, &c, &l);
        QCOMPARE(p, provider);
        QCOMPARE(c, category);
        QCOMPARE(l, leaf);
    }

    void structure()
    {
        ProbeTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setTree(ProbeTree::build({ u"kprobe:schedule"_s, u"kprobe:tcp_sendmsg"_s, u"kprobe:tcp_recvmsg"_s,
            u"tracepoint:sched:sched_switch"_s, u"tracepoint:syscalls:sys_enter_openat"_s,
            u"tracepoint:syscalls:sys_exit_openat"_s }));
        QCOMPARE(model.probeCount(), 6);
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex kprobe = model.index(0, 0);
        QCOMPARE(kprobe.data().toString(), u"kprobe (3)"_s);
        QVERIFY(kprobe.data(ProbeTreeModel::ProbeRole).toString().isEmpty());
        QCOMPARE(model.rowCount(kprobe), 2); // schedule (no category), tcp (2)
        QCOMPARE(model.index(0, 0, kprobe).data(ProbeTreeModel::ProbeRole).toString(), u"kprobe:schedule"_s);
        const QModelIndex tcp = model.index(1, 0, kprobe);
        QCOMPARE(tcp.data().toString(), u"tcp (2)"_s);
        QCOMPARE(tcp.parent(), kprobe);
        const QModelIndex tracepoint = model.index(1, 0);
        const QModelIndex syscalls = model.index(1, 0, tracepoint);
        QCOMPARE(syscalls.data(ProbeTreeModel::LeafCountRole).toInt(), 2);
        const QModelIndex openat = model.index(0, 0, syscalls);
        QCOMPARE(openat.data().toString(), u"sys_enter_openat"_s);
        QCOMPARE(openat.data(ProbeTreeModel::ProbeRole).toString(), u"tracepoint:syscalls:sys_enter_openat"_s);
        QVERIFY(model.flags(openat) & Qt::ItemIsDragEnabled);
        QVERIFY(!(model.flags(syscalls) & Qt::ItemIsDragEnabled));
        QCOMPARE(openat.parent().parent(), tracepoint);

        // Swapping trees resets cleanly (the tester checks the signals).
        model.setTree(ProbeTree::build({ u"kprobe:vfs_read"_s }));
        QCOMPARE(model.rowCount(), 1);
        model.setTree(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void dragCarriesSkeleton()
    {
        ProbeTreeModel model;
        model.setTree(ProbeTree::build({ u"tracepoint:syscalls:sys_enter_openat"_s }));
        const QModelIndex leaf = model.index(0, 0, model.index(0, 0, model.index(0, 0)));
        std::unique_ptr<QMimeData> mime(model.mimeData({ leaf }));
        QVERIFY(mime);
        QCOMPARE(mime->text(), u"tracepoint:syscalls:sys_enter_openat\n{\n    \n}\n"_s);
        QVERIFY(model.mimeTypes().contains(u"text/plain"_s));
        // Groups carry nothing.
        QVERIFY(!model.mimeData({ model.index(0, 0) }));
    }

    void skeleton()
    {
        QCOMPARE(ProbeTreeModel::skeleton(u"tracepoint:syscalls:sys_enter_openat"_s),
            u"tracepoint:syscalls:sys_enter_openat\n{\n    \n}"_s);
    }
};

QTEST_MAIN(TestProbeTreeModel)
#include "tst_probetreemodel.moc"
