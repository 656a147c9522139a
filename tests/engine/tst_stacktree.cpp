// SPDX-License-Identifier: GPL-2.0-or-later
// StackTree: stack maps as calling-context trees, per-symbol costs and folded stacks.
#include "engine/results/stacktree.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {
/// A stack as bpftrace prints it: innermost frame first.
MapKeyPart stack(const QStringList &innermostFirst, CallStack::Space space = CallStack::Space::Kernel)
{
    MapKeyPart part;
    part.type = MapKeyPart::Type::Stack;
    part.stack.space = space;
    for (const QString &symbol : innermostFirst)
        part.stack.frames.append({ symbol, 17, {}, 0 });
    part.text = part.stack.text();
    return part;
}

MapKeyPart text(const QString &value)
{
    MapKeyPart part;
    part.text = value;
    return part;
}

MapEntry entry(const QList<MapKeyPart> &parts, qint64 count)
{
    return { MapKey { parts }, MapValue::fromJson(QJsonValue(count)) };
}

MapResult map(const QList<MapEntry> &entries)
{
    return MapResult::fromEntries(u"@"_s, MapResult::Kind::Map, entries);
}

const QStringList readStack { u"vfs_read"_s, u"ksys_read"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s };
const QStringList writeStack { u"vfs_write"_s, u"ksys_write"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s };
} // namespace

class TestStackTree : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void callersFirstWithWeights()
    {
        const StackTree tree = StackTree::fromMap(map({ entry({ stack(writeStack) }, 3), entry({ stack(readStack) }, 5),
            entry({ stack({ u"do_syscall_64"_s, u"entry_SYSCALL_64"_s }) }, 2) }));
        QCOMPARE(tree.total(), 10);
        QCOMPARE(tree.maxDepth(), 4);
        const int entryNode = tree.find({ u"entry_SYSCALL_64"_s });
        QVERIFY(entryNode > 0);
        QCOMPARE(tree.node(entryNode).total, 10);
        QCOMPARE(tree.node(entryNode).self, 0);
        QCOMPARE(tree.frameOf(entryNode).kind, StackTree::FrameKind::Kernel);
        const int syscall = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s });
        QCOMPARE(tree.node(syscall).total, 10);
        QCOMPARE(tree.node(syscall).self, 2);
        // Heaviest child first.
        QCOMPARE(tree.node(syscall).childCount, 2);
        QCOMPARE(tree.frameOf(tree.child(syscall, 0)).name, u"ksys_read"_s);
        QCOMPARE(tree.frameOf(tree.child(syscall, 1)).name, u"ksys_write"_s);
        const int read = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s, u"vfs_read"_s });
        QCOMPARE(tree.node(read).total, 5);
        QCOMPARE(tree.node(read).self, 5);
        QCOMPARE(tree.node(read).depth, 4);
        QCOMPARE(tree.path(read).size(), 5);
        QCOMPARE(tree.path(read).first(), 0);
        QCOMPARE(tree.find({ u"vfs_read"_s }), -1);
    }

    void otherKeyPartsComeFirst()
    {
        MapKeyPart pid;
        pid.type = MapKeyPart::Type::Integer;
        pid.integer = 42;
        const StackTree tree = StackTree::fromMap(map({ entry({ text(u"bash"_s), stack(readStack) }, 4),
            entry({ text(u"sshd"_s), stack(readStack) }, 1), entry({ text(u"bash"_s), stack(writeStack) }, 2),
            entry({ pid, text(u"cron"_s), stack(writeStack) }, 7) }));
        QCOMPARE(tree.total(), 14);
        QCOMPARE(tree.node(0).childCount, 3);
        QCOMPARE(tree.frameOf(tree.child(0, 0)).name, u"42"_s);
        QCOMPARE(tree.frameOf(tree.child(0, 0)).kind, StackTree::FrameKind::Group);
        QCOMPARE(tree.frameOf(tree.child(0, 1)).name, u"bash"_s);
        QCOMPARE(tree.node(tree.child(0, 1)).total, 6);
        QCOMPARE(tree.frameOf(tree.child(0, 2)).name, u"sshd"_s);
        QCOMPARE(tree.node(tree.find({ u"bash"_s, u"entry_SYSCALL_64"_s, u"do_syscall_64"_s })).total, 6);
        QCOMPARE(tree.node(tree.find({ u"42"_s, u"cron"_s, u"entry_SYSCALL_64"_s })).total, 7);
    }

    void userFramesAboveKernelFrames()
    {
        const StackTree tree = StackTree::fromMap(
            map({ entry({ stack(readStack), stack({ u"__libc_read"_s, u"main"_s }, CallStack::Space::User) }, 3) }));
        const int read = tree.find(
            { u"main"_s, u"__libc_read"_s, u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s, u"vfs_read"_s });
        QVERIFY(read > 0);
        QCOMPARE(tree.node(read).self, 3);
        QCOMPARE(tree.frameOf(tree.find({ u"main"_s })).kind, StackTree::FrameKind::User);
    }

    void unusableEntriesAndMaps()
    {
        QVERIFY(!StackTree::hasStack(map({ entry({ text(u"bash"_s) }, 3) })));
        QVERIFY(!StackTree::hasStack(MapResult()));
        QVERIFY(StackTree::hasStack(map({ entry({ text(u"bash"_s) }, 3), entry({ stack(readStack) }, 1) })));
        const StackTree tree
            = StackTree::fromMap(map({ entry({ stack(readStack) }, 0), entry({ stack(writeStack) }, -4) }));
        QVERIFY(tree.isEmpty());
        QCOMPARE(tree.nodeCount(), 1);
        QVERIFY(tree.layout(0, 1600).isEmpty());
        QCOMPARE(tree.folded(), QString());
        QVERIFY(StackTree().isEmpty());
    }

    void foldedText()
    {
        const StackTree tree = StackTree::fromMap(map({ entry({ text(u"bash"_s), stack(readStack) }, 4),
            entry({ text(u"bash"_s), stack(writeStack) }, 2), entry({ text(u"sshd"_s), stack(readStack) }, 1),
            entry({ text(u"bash"_s), stack({ u"do_syscall_64"_s, u"entry_SYSCALL_64"_s }) }, 1) }));
        QCOMPARE(tree.folded(),
            u"bash;entry_SYSCALL_64;do_syscall_64 1\n"
            "bash;entry_SYSCALL_64;do_syscall_64;ksys_read;vfs_read 4\n"
            "bash;entry_SYSCALL_64;do_syscall_64;ksys_write;vfs_write 2\n"
            "sshd;entry_SYSCALL_64;do_syscall_64;ksys_read;vfs_read 1\n"_s);
    }

    void foldedNamesWithSeparators()
    {
        QCOMPARE(StackTree::foldedName(u"a;b"_s), u"a,b"_s);
        QCOMPARE(StackTree::foldedName(u"line\nbreak\tand\rreturn"_s), u"line break and return"_s);
        QCOMPARE(StackTree::foldedName(QString()), u"[unknown]"_s);
        const StackTree tree
            = StackTree::fromMap(map({ entry({ text(u"my;comm\n"_s), stack({ u"operator;"_s, u""_s }) }, 9) }));
        QCOMPARE(tree.folded(), u"my,comm ;[unknown];operator, 9\n"_s);
        // Each line is "frames count": exactly one space-separated count at the end.
        for (const QString &line : tree.folded().split(u'\n', Qt::SkipEmptyParts))
            QCOMPARE(line.section(u' ', -1).toLongLong(), 9);
    }

    void unresolvedFramesShowTheirAddress()
    {
        MapKeyPart part;
        part.type = MapKeyPart::Type::Stack;
        part.stack.frames.append({ {}, -1, {}, 0xffffffff81000000ULL });
        const StackTree tree = StackTree::fromMap(map({ entry({ part }, 1) }));
        QCOMPARE(tree.frameOf(tree.child(0, 0)).name, u"0xffffffff81000000"_s);
    }

    void bottomUpNumbers()
    {
        const StackTree tree = StackTree::fromMap(map({ entry({ stack(readStack) }, 5), entry({ stack(writeStack) }, 3),
            entry({ stack({ u"vfs_read"_s, u"kernel_read"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s }) }, 2),
            entry({ stack({ u"do_syscall_64"_s, u"entry_SYSCALL_64"_s }) }, 1) }));
        const StackTree up = tree.bottomUp();
        QCOMPARE(up.total(), 11);
        QCOMPARE(up.node(0).childCount, 3);
        // Innermost frames are the roots' children, heaviest first.
        const int vfsRead = up.child(0, 0);
        QCOMPARE(up.frameOf(vfsRead).name, u"vfs_read"_s);
        QCOMPARE(up.node(vfsRead).total, 7);
        QCOMPARE(up.node(vfsRead).self, 0);
        QCOMPARE(up.node(up.find({ u"vfs_read"_s, u"ksys_read"_s })).total, 5);
        QCOMPARE(up.node(up.find({ u"vfs_read"_s, u"kernel_read"_s })).total, 2);
        const int outermost = up.find({ u"vfs_read"_s, u"ksys_read"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s });
        QCOMPARE(up.node(outermost).self, 5);
        QCOMPARE(up.frameOf(up.child(0, 1)).name, u"vfs_write"_s);
        QCOMPARE(up.node(up.child(0, 1)).total, 3);
        QCOMPARE(up.node(up.find({ u"do_syscall_64"_s })).total, 1);
        QCOMPARE(up.node(up.find({ u"do_syscall_64"_s, u"entry_SYSCALL_64"_s })).self, 1);
        // Inverting twice gives back the same stacks.
        QCOMPARE(up.bottomUp().folded(), tree.folded());
    }

    void bottomUpKeepsGroupsOutermost()
    {
        const StackTree up = StackTree::fromMap(map({ entry({ text(u"bash"_s), stack(readStack) }, 4) })).bottomUp();
        const int bash
            = up.find({ u"vfs_read"_s, u"ksys_read"_s, u"do_syscall_64"_s, u"entry_SYSCALL_64"_s, u"bash"_s });
        QVERIFY(bash > 0);
        QCOMPARE(up.node(bash).self, 4);
    }

    void symbolsCountRecursionOnce()
    {
        // f calls g calls f: f is on the stack twice but each sample counts once for it.
        const StackTree tree = StackTree::fromMap(map({ entry({ stack({ u"f"_s, u"g"_s, u"f"_s, u"main"_s }) }, 3),
            entry({ stack({ u"g"_s, u"main"_s }) }, 2), entry({ stack({ u"main"_s }) }, 1) }));
        QHash<QString, StackTree::SymbolCost> byName;
        for (const StackTree::SymbolCost &cost : tree.symbols())
            byName.insert(tree.frame(cost.frame).name, cost);
        QCOMPARE(byName.size(), 3);
        QCOMPARE(byName.value(u"main"_s).self, 1);
        QCOMPARE(byName.value(u"main"_s).inclusive, 6);
        QCOMPARE(byName.value(u"g"_s).self, 2);
        QCOMPARE(byName.value(u"g"_s).inclusive, 5);
        QCOMPARE(byName.value(u"f"_s).self, 3);
        QCOMPARE(byName.value(u"f"_s).inclusive, 3);
    }

    void searchCountsEachSampleOnce()
    {
        const StackTree tree
            = StackTree::fromMap(map({ entry({ stack({ u"walk"_s, u"visit"_s, u"walk"_s, u"main"_s }) }, 3),
                entry({ stack(readStack) }, 5), entry({ stack(writeStack) }, 2) }));
        QCOMPARE(tree.samplesMatching(tree.matchingFrames(u"WALK"_s)), 3);
        QCOMPARE(tree.samplesMatching(tree.matchingFrames(u"VFS_"_s)), 7);
        QCOMPARE(tree.samplesMatching(tree.matchingFrames(u"sys"_s)), 7);
        QCOMPARE(tree.samplesMatching(tree.matchingFrames(u"_"_s)), 7);
        QCOMPARE(tree.samplesMatching(tree.matchingFrames(u"nothing"_s)), 0);
        QCOMPARE(tree.samplesMatching(tree.matchingFrames(QString())), 0);
        const QList<bool> read = tree.matchingFrames(u"ksys_read"_s);
        QCOMPARE(read.count(true), 1);
    }

    void layoutSpansTheWidth()
    {
        const StackTree tree = StackTree::fromMap(
            map({ entry({ stack(readStack) }, 3), entry({ stack(writeStack) }, 1), entry({ stack({ u"x"_s }) }, 4) }));
        const QList<StackTree::Span> spans = tree.layout(0, 800);
        QCOMPARE(spans.size(), tree.nodeCount());
        for (const StackTree::Span &s : spans) {
            QCOMPARE(s.depth, tree.node(s.node).depth);
            QCOMPARE(s.width, 800.0 * double(tree.node(s.node).total) / 8.0);
        }
        const int read = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_read"_s });
        const int write = tree.find({ u"entry_SYSCALL_64"_s, u"do_syscall_64"_s, u"ksys_write"_s });
        auto spanOf = [](const QList<StackTree::Span> &list, int node) {
            for (const StackTree::Span &s : list) {
                if (s.node == node)
                    return s;
            }
            return StackTree::Span {};
        };
        // Heaviest first, equal weights by name: entry_SYSCALL_64 (4) before x (4); ksys_read
        // (3) starts where its caller does, ksys_write (1) after it.
        QCOMPARE(spanOf(spans, tree.find({ u"x"_s })).x, 400.0);
        QCOMPARE(spanOf(spans, read).x, 0.0);
        QCOMPARE(spanOf(spans, write).x, 300.0);

        // Zoomed: the frame spans the width, its callers stay above at full width, others go.
        const QList<StackTree::Span> zoomed = tree.layout(read, 800);
        QCOMPARE(zoomed.size(), 5);
        QCOMPARE(spanOf(zoomed, read).width, 800.0);
        QCOMPARE(spanOf(zoomed, 0).width, 800.0);
        QCOMPARE(spanOf(zoomed, tree.find({ u"entry_SYSCALL_64"_s })).width, 800.0);
        QCOMPARE(spanOf(zoomed, write).node, -1);
    }

    void layoutMergesNarrowFrames()
    {
        QList<MapEntry> entries { entry({ stack({ u"big"_s, u"main"_s }) }, 1000) };
        for (int i = 0; i < 50; ++i)
            entries.append(entry({ stack({ u"tiny%1"_s.arg(i), u"main"_s }) }, 1));
        const StackTree tree = StackTree::fromMap(map(entries));
        // 1050 samples over 105 px: each tiny frame is 0.1 px, all 50 together 5 px.
        const QList<StackTree::Span> spans = tree.layout(0, 105);
        QCOMPARE(spans.size(), 4);
        const auto merged = std::find_if(spans.cbegin(), spans.cend(), [](const auto &s) { return s.node < 0; });
        QVERIFY(merged != spans.cend());
        QCOMPARE(merged->parent, tree.find({ u"main"_s }));
        QCOMPARE(merged->depth, 2);
        QCOMPARE(merged->x, 100.0);
        QCOMPARE(merged->width, 5.0);
        // At 10 px the rest (0.5 px) is not drawn at all.
        QCOMPARE(tree.layout(0, 10).size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestStackTree)
#include "tst_stacktree.moc"
