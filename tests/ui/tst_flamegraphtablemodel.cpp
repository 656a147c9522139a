// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/flamegraphtablemodel.h"
#include "ui/uihelpers.h"

#include "../engine/syntheticstacks.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SyntheticStacks;

namespace {
StackTree recursiveTree()
{
    // walk calls visit calls walk: walk counts once per sample however deep it recurses.
    return StackTree::fromMap(MapResult::fromEntries(u"@"_s, MapResult::Kind::Map,
        { entry({ text(u"app"_s), stack({ u"walk"_s, u"visit"_s, u"walk"_s, u"main"_s }, CallStack::Space::User) }, 30),
            entry({ text(u"app"_s), stack({ u"visit"_s, u"main"_s }, CallStack::Space::User) }, 8),
            entry({ text(u"app"_s), stack({ u"main"_s }, CallStack::Space::User) }, 2) }));
}

QModelIndex rowNamed(const QAbstractItemModel &model, const QString &name)
{
    const QModelIndexList found = model.match(model.index(0, 0), Qt::DisplayRole, name, 1, Qt::MatchExactly);
    return found.isEmpty() ? QModelIndex() : found.first();
}
} // namespace

class TestFlameGraphTableModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void selfInclusiveAndShare()
    {
        FlameGraphTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        const StackTree tree = recursiveTree();
        model.setTree(tree);
        QCOMPARE(model.rowCount(), 4); // app, main, visit, walk
        QCOMPARE(model.columnCount(), 4);
        QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), u"Symbol"_s);
        QCOMPARE(model.headerData(3, Qt::Horizontal).toString(), u"Share"_s);
        // Heaviest inclusive first.
        QCOMPARE(model.index(0, 0).data().toString(), u"app"_s);
        const QModelIndex walk = rowNamed(model, u"walk"_s);
        QVERIFY(walk.isValid());
        QCOMPARE(walk.siblingAtColumn(1).data().toString(), u"30"_s);
        QCOMPARE(walk.siblingAtColumn(2).data().toString(), u"30"_s);
        QCOMPARE(walk.siblingAtColumn(3).data().toString(), u"75.0%"_s);
        QCOMPARE(walk.siblingAtColumn(3).data(FlameGraphTableModel::SortRole).toDouble(), 0.75);
        const QModelIndex visit = rowNamed(model, u"visit"_s);
        QCOMPARE(visit.siblingAtColumn(1).data(FlameGraphTableModel::SortRole).toLongLong(), 8);
        QCOMPARE(visit.siblingAtColumn(2).data(FlameGraphTableModel::SortRole).toLongLong(), 38);
        // Tooltips are the plain text made safe as HTML: a symbol may look like markup.
        QCOMPARE(visit.data(Qt::ToolTipRole).toString(), UiHelpers::plainToolTip(u"visit (user space)"_s));
        QCOMPARE(rowNamed(model, u"app"_s).data(Qt::ToolTipRole).toString(), u"<p>app (key part)</p>"_s);
        const int frame = walk.data(FlameGraphTableModel::FrameRole).toInt();
        QCOMPARE(tree.frame(frame).name, u"walk"_s);
        QCOMPARE(model.rowOfFrame(frame), walk.row());
        QCOMPARE(model.rowOfFrame(999), -1);
        QCOMPARE(walk.siblingAtColumn(1).data(Qt::TextAlignmentRole).value<Qt::Alignment>(),
            Qt::AlignRight | Qt::AlignVCenter);
        model.setTree(StackTree());
        QCOMPARE(model.rowCount(), 0);
    }

    void sortsNumerically()
    {
        FlameGraphTableModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(FlameGraphTableModel::SortRole);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<MapEntry> entries;
        for (int i : { 9, 10, 100, 2 })
            entries.append(entry({ stack({ u"f%1"_s.arg(i) }) }, i));
        model.setTree(StackTree::fromMap(MapResult::fromEntries(u"@"_s, MapResult::Kind::Map, entries)));
        proxy.sort(FlameGraphTableModel::SelfColumn, Qt::AscendingOrder);
        QStringList order;
        for (int r = 0; r < proxy.rowCount(); ++r)
            order.append(proxy.index(r, 0).data().toString());
        QCOMPARE(order, (QStringList { u"f2"_s, u"f9"_s, u"f10"_s, u"f100"_s }));
        proxy.sort(FlameGraphTableModel::SymbolColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data().toString(), u"f9"_s);
    }
};

QTEST_GUILESS_MAIN(TestFlameGraphTableModel)
#include "tst_flamegraphtablemodel.moc"
