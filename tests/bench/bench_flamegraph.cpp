// SPDX-License-Identifier: GPL-2.0-or-later
// How long a flame graph of 100,000 distinct stacks takes to build and lay out for a 1600 px wide
// widget, against building the folded text of the same stacks (one string pass over the entries).
#include "../engine/syntheticstacks.h"
#include "engine/results/stacktree.h"
#include "ui/flamegraphwidget.h"

#include <QElapsedTimer>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
int scale()
{
    const int s = qEnvironmentVariableIntValue("TRACEDESK_BENCH_SCALE");
    return s > 0 ? s : 1;
}

/// The baseline: what any exporter does at least, every frame of every entry appended once.
QString foldedFromEntries(const MapResult &map)
{
    QString text;
    for (const MapEntry &entry : map.entries()) {
        for (const MapKeyPart &part : entry.key.parts) {
            const QList<StackFrame> &frames = part.stack.frames;
            for (auto it = frames.crbegin(); it != frames.crend(); ++it) {
                text += it->symbol;
                text += u';';
            }
        }
        text.chop(1);
        text += u' ';
        text += QString::number(qint64(entry.value.weight()));
        text += u'\n';
    }
    return text;
}
} // namespace

class BenchFlameGraph : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void layout()
    {
        const int stacks = 100000 * scale();
        const int depth = 20;
        const MapResult map = SyntheticStacks::many(stacks, depth);

        QElapsedTimer timer;
        timer.start();
        const QString baseline = foldedFromEntries(map);
        const qint64 baselineNs = timer.nsecsElapsed();
        QVERIFY(baseline.count(u'\n') == stacks);

        timer.start();
        const StackTree tree = StackTree::fromMap(map);
        const qint64 buildNs = timer.nsecsElapsed();
        timer.start();
        const QList<StackTree::Span> spans = tree.layout(0, 1600);
        const qint64 layoutNs = timer.nsecsElapsed();
        QVERIFY(!spans.isEmpty());

        // What a repaint costs once laid out, and the exporters' own pass for comparison.
        FlameGraphWidget widget;
        widget.setTree(tree);
        widget.resize(1600, (tree.maxDepth() + 1) * widget.rowHeight());
        timer.start();
        const QImage image = widget.toImage();
        const qint64 paintNs = timer.nsecsElapsed();
        QVERIFY(!image.isNull());
        timer.start();
        const QString folded = tree.folded();
        const qint64 foldedNs = timer.nsecsElapsed();
        timer.start();
        const qint64 matching = tree.samplesMatching(tree.matchingFrames(u"function_1"_s));
        const qint64 searchNs = timer.nsecsElapsed();
        QVERIFY(matching > 0);

        const double ms = 1e6;
        const double ratio = double(buildNs + layoutNs) / double(baselineNs);
        const QString report
            = u"flamegraph: %1 distinct stacks of depth %2, %3 tree nodes\n"
              "  baseline (folded text from the entries): %4 ms\n"
              "  tree build:                              %5 ms\n"
              "  layout at 1600 px:                       %6 ms (%7 rectangles drawn)\n"
              "  ratio (build + layout)/baseline: %8\n"
              "  paint of the laid-out graph: %9 ms; folded text from the tree: %10 ms; search: %11 ms"_s.arg(stacks)
                  .arg(depth)
                  .arg(tree.nodeCount())
                  .arg(double(baselineNs) / ms, 0, 'f', 1)
                  .arg(double(buildNs) / ms, 0, 'f', 1)
                  .arg(double(layoutNs) / ms, 0, 'f', 2)
                  .arg(spans.size())
                  .arg(ratio, 0, 'f', 2)
                  .arg(double(paintNs) / ms, 0, 'f', 1)
                  .arg(double(foldedNs) / ms, 0, 'f', 1)
                  .arg(double(searchNs) / ms, 0, 'f', 1);
        std::printf("%s\n", qPrintable(report));
        QVERIFY(folded.size() > 0);
        // Not a performance gate, a guard against pathologies (a quadratic child search, a
        // rectangle per sub-pixel frame). Against the baseline of the same run, so a loaded
        // machine slows both.
        QVERIFY2(ratio < 50, qPrintable(report));
        QVERIFY2(spans.size() < 1600 * (tree.maxDepth() + 1), qPrintable(report));
    }
};

QTEST_MAIN(BenchFlameGraph)
#include "bench_flamegraph.moc"
