// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/flamegraphview.h"

#include "../engine/syntheticstacks.h"
#include "ui/flamegraphtablemodel.h"
#include "ui/flamegraphwidget.h"
#include "uitestsupport.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;
using namespace SyntheticStacks;

namespace {
const QStringList readStack { u"vfs_read"_s, u"ksys_read"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s };
const QStringList writeStack { u"vfs_write"_s, u"ksys_write"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s };

MapResult byProcess()
{
    return MapResult::fromEntries(u"@samples"_s, MapResult::Kind::Map,
        { entry({ text(u"bash"_s), stack(readStack) }, 6), entry({ text(u"sshd"_s), stack(writeStack) }, 2) });
}
} // namespace

class TestFlameGraphView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { useTestPaths(); }

    void showsStackMapsAndClearsOthers()
    {
        FlameGraphView view;
        QAbstractItemModelTester tester(view.tableProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!view.hasStacks());
        QVERIFY(!view.searchField()->isEnabled());
        view.setMap(byProcess());
        QVERIFY(view.hasStacks());
        QCOMPARE(view.mapName(), u"@samples"_s);
        QCOMPARE(view.graph()->tree().total(), 8);
        // Grouped by process first.
        QCOMPARE(view.graph()->tree().frameOf(view.graph()->tree().child(0, 0)).name, u"bash"_s);
        QCOMPARE(view.tableModel()->rowCount(), 8);
        QVERIFY(view.searchField()->isEnabled());
        QVERIFY(view.exportButton()->isEnabled());
        view.setMap(MapResult::fromEntries(u"@counts"_s, MapResult::Kind::Map, { entry({ text(u"bash"_s) }, 3) }));
        QVERIFY(!view.hasStacks());
        QVERIFY(view.graph()->tree().isEmpty());
        QCOMPARE(view.tableModel()->rowCount(), 0);
        QVERIFY(!view.exportButton()->isEnabled());
    }

    void searchFieldReportsTheShare()
    {
        FlameGraphView view;
        view.setMap(byProcess());
        view.searchField()->setText(u"READ"_s);
        QCOMPARE(view.graph()->search(), u"READ"_s);
        QCOMPARE(view.shareLabel()->text(), u"75.0% of all samples match"_s);
        // The next print of the map keeps the search.
        view.setMap(MapResult::fromEntries(u"@samples"_s, MapResult::Kind::Map,
            { entry({ text(u"bash"_s), stack(readStack) }, 1), entry({ text(u"sshd"_s), stack(writeStack) }, 3) }));
        QCOMPARE(view.shareLabel()->text(), u"25.0% of all samples match"_s);
        view.searchField()->clear();
        QCOMPARE(view.shareLabel()->text(), QString());
    }

    void selectingARowHighlightsTheFrame()
    {
        FlameGraphView view;
        view.setMap(byProcess());
        const QModelIndexList found = view.tableProxy()->match(
            view.tableProxy()->index(0, 0), Qt::DisplayRole, u"ksys_write"_s, 1, Qt::MatchExactly);
        QCOMPARE(found.size(), 1);
        view.table()->setCurrentIndex(found.first());
        const int frame = view.graph()->highlightedFrame();
        QVERIFY(frame > 0);
        QCOMPARE(view.tree().frame(frame).name, u"ksys_write"_s);
        // The highlight follows into the bottom-up graph: the frames are the same.
        view.directionBox()->setCurrentIndex(1);
        QCOMPARE(view.direction(), FlameGraphView::Direction::BottomUp);
        QCOMPARE(view.graph()->highlightedFrame(), frame);
        view.table()->setCurrentIndex({});
        QCOMPARE(view.graph()->highlightedFrame(), -1);
    }

    void bottomUpPutsInnermostFramesAtTheRoot()
    {
        FlameGraphView view;
        view.setMap(byProcess());
        view.setDirection(FlameGraphView::Direction::BottomUp);
        QCOMPARE(view.directionBox()->currentIndex(), 1);
        const StackTree &shown = view.graph()->tree();
        QCOMPARE(shown.frameOf(shown.child(0, 0)).name, u"vfs_read"_s);
        QCOMPARE(shown.node(shown.child(0, 0)).total, 6);
        // The table counts the same either way.
        QCOMPARE(view.tableModel()->rowCount(), 8);
        view.setDirection(FlameGraphView::Direction::TopDown);
        QCOMPARE(view.graph()->tree().frameOf(view.graph()->tree().child(0, 0)).name, u"bash"_s);
    }

    void resetButtonZoomsOut()
    {
        FlameGraphView view;
        view.resize(1000, 500);
        view.setMap(byProcess());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(!view.resetButton()->isEnabled());
        FlameGraphWidget *graph = view.graph();
        const int bash = graph->tree().find({ u"bash"_s });
        QTest::mouseClick(graph, Qt::LeftButton, {}, graph->nodeRect(bash).center().toPoint());
        QCOMPARE(graph->zoomNode(), bash);
        QVERIFY(view.resetButton()->isEnabled());
        view.resetButton()->click();
        QCOMPARE(graph->zoomNode(), 0);
        QVERIFY(!view.resetButton()->isEnabled());
    }

    void exportsFoldedStacksSvgAndPng()
    {
        FlameGraphView view;
        view.resize(1000, 400);
        view.setMap(byProcess());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTemporaryDir dir;
        QString error;
        const QString folded = dir.filePath(u"stacks.folded"_s);
        QVERIFY2(view.exportTo(FlameGraphView::ExportFormat::Folded, folded, &error), qPrintable(error));
        QFile file(folded);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()),
            u"bash;entry_SYSCALL_64;do_syscall_64;ksys_read;vfs_read 6\n"
            "sshd;entry_SYSCALL_64;do_syscall_64;ksys_write;vfs_write 2\n"_s);
        QVERIFY(view.exportTo(FlameGraphView::ExportFormat::Svg, dir.filePath(u"g.svg"_s), &error));
        QVERIFY(view.exportTo(FlameGraphView::ExportFormat::Png, dir.filePath(u"g.png"_s), &error));
        QVERIFY(!QImage(dir.filePath(u"g.png"_s)).isNull());
        QVERIFY(!view.exportTo(FlameGraphView::ExportFormat::Folded, dir.filePath(u"missing/dir/x"_s), &error));
        QVERIFY(!error.isEmpty());
    }

    void saveDialogStartsInDocuments()
    {
        FlameGraphView view;
        view.setMap(byProcess());
        const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        QCOMPARE(view.suggestedExportPath(FlameGraphView::ExportFormat::Folded), documents + u"/samples.folded"_s);
        QCOMPARE(view.suggestedExportPath(FlameGraphView::ExportFormat::Svg), documents + u"/samples.svg"_s);
        QCOMPARE(view.exportMenu()->actions().size(), 3);
        QDir().mkpath(documents);
        view.exportMenu()->actions().at(2)->trigger();
        auto *dialog = view.findChild<QFileDialog *>();
        QVERIFY(dialog);
        QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
        QCOMPARE(QDir(dialog->directory()).canonicalPath(), QDir(documents).canonicalPath());
        dialog->reject();
    }
};

QTEST_MAIN(TestFlameGraphView)
#include "tst_flamegraphview.moc"
