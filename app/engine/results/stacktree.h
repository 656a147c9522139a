// SPDX-License-Identifier: GPL-2.0-or-later
// The calling-context tree of a map keyed by a stack (@[kstack], @[comm, ustack]): what the flame
// graph draws, the per-symbol table counts and the folded-stacks export writes. Pure data.
#pragma once

#include "engine/results/mapresult.h"

#include <QHash>
#include <QList>
#include <QString>

class StackTree
{
public:
    enum class FrameKind : quint8
    {
        Root, ///< all samples
        Group, ///< a key part that is not a stack (comm, pid, a string): a level above the frames
        Kernel,
        User,
    };

    /// One distinct frame: the same symbol in the same module merges wherever it occurs.
    struct Frame
    {
        QString name; ///< the symbol without its offset, or the key part's text for a Group
        QString module;
        FrameKind kind = FrameKind::Root;
    };

    struct Node
    {
        int frame = 0; ///< into frames(); frame 0 is the root's
        int parent = -1; ///< -1 for the root (node 0)
        int depth = 0; ///< 0 for the root
        int firstChild = 0; ///< into the child list: use child()
        int childCount = 0;
        qint64 total = 0; ///< inclusive samples: this frame and everything it called
        qint64 self = 0; ///< samples whose innermost frame this node is
    };

    /// One row of the per-symbol table: samples where the frame was innermost, and samples in
    /// which it was anywhere on the stack (each sample once, however often it recurses).
    struct SymbolCost
    {
        int frame = 0;
        qint64 self = 0;
        qint64 inclusive = 0;
    };

    /// One laid-out rectangle: `node` spans [x, x + width) on row `depth` (-1 for the merged
    /// rest of a node's children that are each narrower than the minimum width; `parent` says
    /// whose).
    struct Span
    {
        int node = -1;
        int parent = -1;
        int depth = 0;
        double x = 0;
        double width = 0;
    };

    StackTree();

    /// Whether some key of `map` holds a kstack or ustack.
    static bool hasStack(const MapResult &map);
    /// Root = all samples; below it the key's other parts in key order, then the frames, the
    /// outermost caller first (user frames above kernel frames when the key has both). Each
    /// entry weighs its value's weight (the count; the sum of off-CPU time); entries of weight
    /// 0 or less are left out.
    static StackTree fromMap(const MapResult &map);
    /// The inverted tree (Hotspot's bottom-up): innermost frames first, then their callers, the
    /// key's other parts last. Each node's total is the samples of stacks ending in that path.
    StackTree bottomUp() const;

    bool isEmpty() const { return total() <= 0; }
    qint64 total() const { return m_nodes.first().total; }
    int nodeCount() const { return int(m_nodes.size()); }
    const Node &node(int index) const { return m_nodes.at(index); }
    int child(int node, int i) const { return m_children.at(m_nodes.at(node).firstChild + i); }
    const Frame &frame(int index) const { return m_frames.at(index); }
    int frameCount() const { return int(m_frames.size()); }
    const Frame &frameOf(int node) const { return m_frames.at(m_nodes.at(node).frame); }
    int maxDepth() const { return m_maxDepth; }
    /// The nodes from the root down to `node`, both included.
    QList<int> path(int node) const;
    /// The node reached from the root through frames named `names`; -1 when there is none.
    int find(const QStringList &names) const;

    /// Children are ordered heaviest first (ties by name), so a layout can stop at the first
    /// child too narrow to draw.
    QList<Span> layout(int zoomNode, double width, double minWidth = 1.0) const;

    /// Per frame (the root left out), in frame order.
    QList<SymbolCost> symbols() const;
    /// Frames whose name contains `needle`, case-insensitively: a flag per frame.
    QList<bool> matchingFrames(const QString &needle) const;
    /// Samples with at least one frame flagged in `frames` on their stack, each counted once.
    qint64 samplesMatching(const QList<bool> &frames) const;

    /// The folded-stacks text flamegraph.pl and speedscope read: a line per distinct stack,
    /// `part;caller;callee count`, outermost first, the key's other parts as leading frames.
    QString folded() const;
    /// A name as it can stand in a folded line: ';' (the separator) becomes ',' and line breaks
    /// and tabs become spaces; an empty name is "[unknown]", as stackcollapse writes it.
    static QString foldedName(const QString &name);

private:
    friend class StackTreeBuilder;
    void finish();

    QList<Frame> m_frames;
    QList<Node> m_nodes;
    QList<int> m_children;
    int m_maxDepth = 0;
};
