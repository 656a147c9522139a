// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/flamegraphwidget.h"
#include "ui/uihelpers.h"

#include "../engine/syntheticstacks.h"

#include <QApplication>
#include <QHelpEvent>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;
using namespace SyntheticStacks;

namespace {
const QStringList readStack { u"vfs_read"_s, u"ksys_read"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s };
const QStringList writeStack { u"vfs_write"_s, u"ksys_write"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s };

/// 10 samples: 5 reads, 3 writes, 2 in do_syscall_64 itself.
StackTree smallTree()
{
    return StackTree::fromMap(MapResult::fromEntries(u"@"_s, MapResult::Kind::Map,
        { entry({ stack(readStack) }, 5), entry({ stack(writeStack) }, 3),
            entry({ stack({ u"do_syscall_64"_s, u"entry_SYSCALL_64"_s }) }, 2) }));
}

int readNode(const StackTree &tree)
{
    return tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s, u"vfs_read"_s });
}

struct Shown
{
    FlameGraphWidget widget;
    explicit Shown(const StackTree &tree, QSize size = { 800, 300 })
    {
        widget.setTree(tree);
        widget.resize(size);
        widget.show();
    }
};
} // namespace

class TestFlameGraphWidget : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void framesAreLaidOutByWeight()
    {
        Shown shown(smallTree());
        QVERIFY(QTest::qWaitForWindowExposed(&shown.widget));
        FlameGraphWidget &w = shown.widget;
        const StackTree &tree = w.tree();
        // The root is the bottom row and spans the width; vfs_read has half the samples.
        const QRectF root = w.nodeRect(0);
        QCOMPARE(root.bottom(), double(w.height() - 1));
        QCOMPARE(root.width(), 799.0);
        const QRectF read = w.nodeRect(readNode(tree));
        QCOMPARE(read.x(), 0.0);
        QCOMPARE(read.width(), 399.0);
        QCOMPARE(read.top(), double(w.height() - 5 * w.rowHeight()));
        QCOMPARE(w.nodeAt(read.center()), readNode(tree));
        QCOMPARE(w.nodeAt(QPointF(10, 2)), -1); // above the deepest row
        w.setIcicle(true);
        QCOMPARE(w.nodeRect(0).top(), 0.0);
        QCOMPARE(w.nodeAt(w.nodeRect(readNode(tree)).center()), readNode(tree));
    }

    void clickZoomsAndEscapeResets()
    {
        Shown shown(smallTree());
        QVERIFY(QTest::qWaitForWindowExposed(&shown.widget));
        FlameGraphWidget &w = shown.widget;
        const StackTree &tree = w.tree();
        QSignalSpy zoomed(&w, &FlameGraphWidget::zoomChanged);
        const int ksysRead = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s });
        const int ksysWrite = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_write"_s });
        QTest::mouseClick(&w, Qt::LeftButton, {}, w.nodeRect(ksysRead).center().toPoint());
        QCOMPARE(w.zoomNode(), ksysRead);
        QCOMPARE(zoomed.size(), 1);
        QCOMPARE(zoomed.first().first().toInt(), ksysRead);
        // The zoomed frame and its callee fill the width; its callers stay, full width; the
        // sibling is gone.
        QCOMPARE(w.nodeRect(ksysRead).width(), 799.0);
        QCOMPARE(w.nodeRect(readNode(tree)).width(), 799.0);
        QCOMPARE(w.nodeRect(0).width(), 799.0);
        QCOMPARE(w.nodeRect(tree.find({ u"entry_SYSCALL_64"_s })).width(), 799.0);
        QVERIFY(w.nodeRect(ksysWrite).isNull());
        // A caller zooms back out to it.
        const int syscall = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s });
        QTest::mouseClick(&w, Qt::LeftButton, {}, w.nodeRect(syscall).center().toPoint());
        QCOMPARE(w.zoomNode(), syscall);
        QVERIFY(!w.nodeRect(ksysWrite).isNull());
        QTest::keyClick(&w, Qt::Key_Escape);
        QCOMPARE(w.zoomNode(), 0);
        QCOMPARE(w.nodeRect(readNode(tree)).width(), 399.0);
        QCOMPARE(zoomed.size(), 3);
    }

    void keyboardMovesAndZooms()
    {
        Shown shown(smallTree());
        QVERIFY(QTest::qWaitForWindowExposed(&shown.widget));
        FlameGraphWidget &w = shown.widget;
        const StackTree &tree = w.tree();
        w.setFocus();
        QTest::keyClick(&w, Qt::Key_Up);
        QCOMPARE(w.currentNode(), 0);
        for (int i = 0; i < 3; ++i)
            QTest::keyClick(&w, Qt::Key_Up); // heaviest callee each time
        const int ksysRead = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s });
        QCOMPARE(w.currentNode(), ksysRead);
        QVERIFY(w.accessibleDescription().startsWith(u"ksys_read\n"_s));
        QTest::keyClick(&w, Qt::Key_Right);
        const int ksysWrite = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_write"_s });
        QCOMPARE(w.currentNode(), ksysWrite);
        QTest::keyClick(&w, Qt::Key_Left);
        QCOMPARE(w.currentNode(), ksysRead);
        QTest::keyClick(&w, Qt::Key_Return);
        QCOMPARE(w.zoomNode(), ksysRead);
        QTest::keyClick(&w, Qt::Key_Down);
        QCOMPARE(w.currentNode(), tree.node(ksysRead).parent);
        QTest::keyClick(&w, Qt::Key_Backspace);
        QCOMPARE(w.zoomNode(), tree.node(ksysRead).parent);
        QTest::keyClick(&w, Qt::Key_Escape);
        QCOMPARE(w.zoomNode(), 0);
    }

    void searchHighlightsAndSaysItsShare()
    {
        Shown shown(smallTree());
        QVERIFY(QTest::qWaitForWindowExposed(&shown.widget));
        FlameGraphWidget &w = shown.widget;
        QSignalSpy changed(&w, &FlameGraphWidget::searchChanged);
        QCOMPARE(w.searchShareText(), QString());
        w.setSearch(u"VFS_"_s);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(w.searchSamples(), 8);
        QCOMPARE(w.searchShareText(), u"80.0% of all samples match"_s);
        const QRectF read = w.nodeRect(readNode(w.tree()));
        const QImage image = w.grab().toImage();
        QCOMPARE(QColor(image.pixel(QPoint(int(read.x()) + 1, int(read.y()) + 1))), FlameGraphWidget::searchColor());
        const QRectF syscall = w.nodeRect(w.tree().find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s }));
        QVERIFY(
            QColor(image.pixel(QPoint(int(syscall.x()) + 1, int(syscall.y()) + 1))) != FlameGraphWidget::searchColor());
        // Each sample once: do_syscall_64 and entry_SYSCALL_64 are on every stack.
        w.setSearch(u"sys"_s);
        QCOMPARE(w.searchSamples(), 10);
        QCOMPARE(w.searchShareText(), u"100.0% of all samples match"_s);
        w.setSearch(u"nothing"_s);
        QCOMPARE(w.searchShareText(), u"No frame matches"_s);
        w.setSearch(QString());
        QCOMPARE(w.searchShareText(), QString());
        QCOMPARE(w.searchSamples(), 0);
        // The table's selection highlights one frame wherever it occurs.
        w.setHighlightedFrame(w.tree().node(readNode(w.tree())).frame);
        const QImage highlighted = w.grab().toImage();
        QCOMPARE(
            QColor(highlighted.pixel(QPoint(int(read.x()) + 1, int(read.y()) + 1))), FlameGraphWidget::searchColor());
    }

    void toolTips()
    {
        const QList<MapEntry> entries { entry({ stack(readStack) }, 5), entry({ stack(writeStack) }, 3),
            entry({ stack({ u"do_syscall_64"_s, u"entry_SYSCALL_64"_s }) }, 2) };
        MapKeyPart user = stack({ u"main"_s }, CallStack::Space::User);
        user.stack.frames[0].module = u"/usr/bin/bash"_s;
        Shown shown(StackTree::fromMap(MapResult::fromEntries(
            u"@"_s, MapResult::Kind::Map, entries + QList<MapEntry> { entry({ text(u"bash"_s), user }, 10) })));
        QVERIFY(QTest::qWaitForWindowExposed(&shown.widget));
        FlameGraphWidget &w = shown.widget;
        const StackTree &tree = w.tree();
        QCOMPARE(w.toolTipText(0), u"All samples\nSamples: 20 (100.0% of all)"_s);
        QCOMPARE(w.toolTipText(readNode(tree)), u"vfs_read\nKernel\nSamples: 5 (25.0% of all)"_s);
        QCOMPARE(w.toolTipText(tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s })),
            u"do_syscall_64\nKernel\nSamples: 10 (50.0% of all)\nSelf: 2 (10.0% of all)"_s);
        QCOMPARE(w.toolTipText(tree.find({ u"bash"_s })), u"bash\nKey part\nSamples: 10 (50.0% of all)"_s);
        QCOMPARE(w.toolTipText(tree.find({ u"bash"_s, u"main"_s })),
            u"main\nUser space, /usr/bin/bash\nSamples: 10 (50.0% of all)"_s);
        // The hover shows the same text.
        const QPoint at = w.nodeRect(readNode(tree)).center().toPoint();
        QHelpEvent help(QEvent::ToolTip, at, w.mapToGlobal(at));
        QApplication::sendEvent(&w, &help);
        QTRY_COMPARE(QToolTip::text(), UiHelpers::plainToolTip(w.toolTipText(readNode(tree))));
        QToolTip::hideText();
    }

    void coloursAreStableAndWarm()
    {
        const StackTree::Frame kernel { u"vfs_read"_s, {}, StackTree::FrameKind::Kernel };
        const StackTree::Frame user { u"vfs_read"_s, {}, StackTree::FrameKind::User };
        QCOMPARE(FlameGraphWidget::frameColor(kernel), FlameGraphWidget::frameColor(kernel));
        QVERIFY(FlameGraphWidget::frameColor(kernel) != FlameGraphWidget::frameColor(user));
        QSet<QRgb> colours;
        for (int i = 0; i < 50; ++i) {
            const QColor c
                = FlameGraphWidget::frameColor({ u"function_%1"_s.arg(i), {}, StackTree::FrameKind::Kernel });
            QVERIFY(c.red() > c.green() && c.green() > c.blue()); // red to orange
            colours.insert(c.rgb());
            const QColor u = FlameGraphWidget::frameColor({ u"function_%1"_s.arg(i), {}, StackTree::FrameKind::User });
            QVERIFY(u.green() >= 190 && u.red() >= 225); // yellow, lighter than any kernel frame's green
        }
        QVERIFY(colours.size() > 30);
    }

    void keepsZoomAcrossPrintsOfTheSameMap()
    {
        Shown shown(smallTree());
        FlameGraphWidget &w = shown.widget;
        const int ksysRead = w.tree().find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s });
        w.zoomTo(ksysRead);
        w.setSearch(u"vfs"_s);
        // The next print: more samples, one new stack first.
        const StackTree next = StackTree::fromMap(MapResult::fromEntries(u"@"_s, MapResult::Kind::Map,
            { entry({ stack({ u"x"_s }) }, 1), entry({ stack(readStack) }, 9), entry({ stack(writeStack) }, 3) }));
        w.setTree(next);
        QCOMPARE(w.zoomNode(), next.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s }));
        QCOMPARE(w.searchSamples(), 12);
        w.setTree(StackTree::fromMap(
            MapResult::fromEntries(u"@"_s, MapResult::Kind::Map, { entry({ stack(writeStack) }, 3) })));
        QCOMPARE(w.zoomNode(), 0);
        w.clear();
        QVERIFY(w.tree().isEmpty());
        QVERIFY(w.nodeRect(0).isNull());
        QCOMPARE(w.searchShareText(), u"No frame matches"_s);
    }

    void exportsPngAndSvg()
    {
        MapKeyPart odd = stack({ u"operator<<(a&b)"_s, u"do_syscall_64"_s });
        const StackTree tree = StackTree::fromMap(MapResult::fromEntries(u"@"_s, MapResult::Kind::Map,
            { entry({ text(u"my\x01\"comm\""_s), odd }, 4), entry({ stack(readStack) }, 4) }));
        Shown shown(tree, { 900, 240 });
        QVERIFY(QTest::qWaitForWindowExposed(&shown.widget));
        FlameGraphWidget &w = shown.widget;
        QTemporaryDir dir;
        QString error;
        QVERIFY2(w.exportPng(dir.filePath(u"graph.png"_s), &error), qPrintable(error));
        const QImage png(dir.filePath(u"graph.png"_s));
        QVERIFY(!png.isNull());
        QCOMPARE(png.size(), w.size());
        // The root's grey at its bottom-left, as on screen.
        QCOMPARE(QColor(png.pixel(1, png.height() - 2)), FlameGraphWidget::frameColor({}));

        QVERIFY2(w.exportSvg(dir.filePath(u"graph.svg"_s), &error), qPrintable(error));
        QFile file(dir.filePath(u"graph.svg"_s));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        int rects = 0;
        QStringList texts;
        QStringList titles;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == "rect"_L1)
                ++rects;
            else if (xml.name() == "text"_L1)
                texts.append(xml.readElementText());
            else if (xml.name() == "title"_L1)
                titles.append(xml.readElementText());
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(rects, 1 + tree.nodeCount()); // the background and every frame
        QVERIFY(texts.contains(u"operator<<(a&b)"_s));
        QVERIFY(texts.contains(u"vfs_read"_s));
        QVERIFY(titles.contains(u"my\ufffd\"comm\"\nKey part\nSamples: 4 (50.0% of all)"_s));
    }

    void narrowFramesAreNotDrawn()
    {
        const StackTree tree = StackTree::fromMap(SyntheticStacks::many(100000, 20));
        Shown shown(tree, { 1600, 600 });
        FlameGraphWidget &w = shown.widget;
        const QImage image = w.toImage();
        QVERIFY(!image.isNull());
        const QList<StackTree::Span> spans = tree.layout(0, 1600);
        // At most a pixel each per row, whatever the number of stacks.
        QVERIFY2(spans.size() < 1600 * (tree.maxDepth() + 1), qPrintable(QString::number(spans.size())));
        QVERIFY(spans.size() < tree.nodeCount() / 10);
        for (const StackTree::Span &s : spans)
            QVERIFY(s.width >= 1.0);
    }
};

QTEST_MAIN(TestFlameGraphWidget)
#include "tst_flamegraphwidget.moc"
