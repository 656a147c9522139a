// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/results/stacktree.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace {
QString frameName(const StackFrame &frame)
{
    if (!frame.symbol.isEmpty())
        return frame.symbol;
    return frame.address ? u"0x"_s + QString::number(frame.address, 16) : QString();
}

// Open addressing with linear probing in one flat array: a build does a lookup per frame of
// every stack (two million at 100k stacks of depth 20), and QHash's buckets cost several times
// as much. Values are ids plus one, so that 0 marks an empty slot.
class FlatTable
{
public:
    struct Slot
    {
        quint64 key = 0;
        int value = 0;
    };

    explicit FlatTable(qsizetype expected = 0) { rehash(expected); }

    /// The slot holding `key` for which `same(id)` holds, or the empty slot where it belongs.
    template<typename Same> Slot &find(quint64 key, Same same)
    {
        if ((m_used + 1) * 10 > qsizetype(m_slots.size()) * 7)
            rehash(m_used * 2);
        for (size_t i = index(key);; i = (i + 1) & m_mask) {
            Slot &slot = m_slots[i];
            if (slot.value == 0 || (slot.key == key && same(slot.value - 1)))
                return slot;
        }
    }

    void claim(Slot &slot, quint64 key, int id)
    {
        slot.key = key;
        slot.value = id + 1;
        ++m_used;
    }

private:
    size_t index(quint64 key) const { return size_t((key * 0x9e3779b97f4a7c15ULL) >> m_shift); }

    void rehash(qsizetype expected)
    {
        int bits = 6;
        while ((qsizetype(1) << bits) * 7 < expected * 10)
            ++bits;
        std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(size_t(1) << bits));
        m_mask = m_slots.size() - 1;
        m_shift = 64 - bits;
        for (const Slot &slot : old) {
            if (slot.value == 0)
                continue;
            size_t i = index(slot.key);
            while (m_slots[i].value != 0)
                i = (i + 1) & m_mask;
            m_slots[i] = slot;
        }
    }

    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    int m_shift = 64;
    qsizetype m_used = 0;
};
} // namespace

// Interns frames and collects the paths; build() then sorts the paths so that each shares its
// prefix with the one before, and makes nodes only where a path leaves the previous one. No
// lookup per frame and nodes made in depth-first order: at 100k stacks this is several times
// faster than finding each child in a hash of (parent, frame). Parents come before children.
class StackTreeBuilder
{
public:
    explicit StackTreeBuilder(StackTree &tree, qsizetype expectedPaths)
        : m_tree(tree)
        , m_frameIds(1024)
    {
        m_starts.reserve(size_t(expectedPaths) + 1);
        m_weights.reserve(size_t(expectedPaths));
    }

    int frame(const QString &name, const QString &module, StackTree::FrameKind kind)
    {
        const quint64 key = qHashMulti(0, name, module, quint8(kind));
        const QList<StackTree::Frame> &frames = m_tree.m_frames;
        FlatTable::Slot &slot = m_frameIds.find(key, [&](int id) {
            const StackTree::Frame &f = frames.at(id);
            return f.kind == kind && f.name == name && f.module == module;
        });
        if (slot.value == 0) {
            m_tree.m_frames.append({ name, module, kind });
            m_frameIds.claim(slot, key, int(frames.size()) - 1);
        }
        return slot.value - 1;
    }

    void add(const int *frames, qsizetype count, qint64 weight)
    {
        m_starts.push_back(m_paths.size());
        m_paths.insert(m_paths.end(), frames, frames + count);
        m_weights.push_back(weight);
    }

    void build()
    {
        const size_t count = m_weights.size();
        m_starts.push_back(m_paths.size());
        const int *paths = m_paths.data();
        const size_t *starts = m_starts.data();
        std::vector<int> order(count);
        for (size_t i = 0; i < count; ++i)
            order[i] = int(i);
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return std::lexicographical_compare(
                paths + starts[a], paths + starts[a + 1], paths + starts[b], paths + starts[b + 1]);
        });
        // Each path shares `common` frames with the one before it; the rest are new nodes.
        std::vector<int> shared(count, 0);
        qsizetype newNodes = 0;
        for (size_t k = 1; k <= count; ++k) {
            const int i = order[k - 1];
            size_t common = 0;
            if (k > 1) {
                const int p = order[k - 2];
                const size_t length = std::min(starts[i + 1] - starts[i], starts[p + 1] - starts[p]);
                while (common < length && paths[starts[p] + common] == paths[starts[i] + common])
                    ++common;
            }
            shared[k - 1] = int(common);
            newNodes += qsizetype(starts[i + 1] - starts[i] - common);
        }
        QList<StackTree::Node> &nodes = m_tree.m_nodes;
        nodes.reserve(nodes.size() + newNodes);
        std::vector<int> current { 0 }; // the node at each depth of the previous path
        for (size_t k = 0; k < count; ++k) {
            const int i = order[k];
            const int *path = paths + starts[i];
            const size_t length = starts[i + 1] - starts[i];
            const size_t common = size_t(shared[k]);
            current.resize(common + 1);
            for (size_t d = common; d < length; ++d) {
                StackTree::Node node;
                node.frame = path[d];
                node.parent = current.back();
                node.depth = int(d) + 1;
                nodes.append(node);
                current.push_back(int(nodes.size()) - 1);
            }
            StackTree::Node *data = nodes.data();
            const qint64 weight = m_weights[size_t(i)];
            for (const int at : current)
                data[at].total += weight;
            data[current.back()].self += weight;
        }
    }

private:
    StackTree &m_tree;
    FlatTable m_frameIds;
    std::vector<int> m_paths;
    std::vector<size_t> m_starts;
    std::vector<qint64> m_weights;
};

StackTree::StackTree()
    : m_frames { Frame {} }
    , m_nodes { Node {} }
{ }

bool StackTree::hasStack(const MapResult &map)
{
    if (!map.isKeyed())
        return false;
    return std::any_of(map.entries().cbegin(), map.entries().cend(), [](const MapEntry &entry) {
        return std::any_of(entry.key.parts.cbegin(), entry.key.parts.cend(),
            [](const MapKeyPart &part) { return part.type == MapKeyPart::Type::Stack; });
    });
}

StackTree StackTree::fromMap(const MapResult &map)
{
    StackTree tree;
    if (!map.isKeyed())
        return tree;
    StackTreeBuilder builder(tree, map.entries().size());
    QList<int> path;
    path.reserve(128);
    for (const MapEntry &entry : map.entries()) {
        const qint64 weight = std::llround(entry.value.weight());
        if (weight <= 0)
            continue;
        path.clear();
        for (const MapKeyPart &part : entry.key.parts) {
            if (part.type == MapKeyPart::Type::Stack)
                continue;
            const QString name = part.type == MapKeyPart::Type::Integer && part.text.isEmpty()
                ? QString::number(part.integer)
                : part.text;
            path.append(builder.frame(name, {}, FrameKind::Group));
        }
        // User code calls into the kernel: its frames are the outer ones.
        for (const CallStack::Space space : { CallStack::Space::User, CallStack::Space::Kernel }) {
            const FrameKind kind = space == CallStack::Space::User ? FrameKind::User : FrameKind::Kernel;
            for (const MapKeyPart &part : entry.key.parts) {
                if (part.type != MapKeyPart::Type::Stack || part.stack.space != space)
                    continue;
                const QList<StackFrame> &frames = part.stack.frames;
                for (auto it = frames.crbegin(); it != frames.crend(); ++it)
                    path.append(builder.frame(frameName(*it), it->module, kind));
            }
        }
        builder.add(path.constData(), path.size(), weight);
    }
    builder.build();
    tree.finish();
    return tree;
}

StackTree StackTree::bottomUp() const
{
    StackTree inverted;
    inverted.m_frames = m_frames;
    StackTreeBuilder builder(inverted, m_nodes.size());
    QList<int> path;
    path.reserve(m_maxDepth + 1);
    for (int i = 0; i < m_nodes.size(); ++i) {
        const Node &leaf = m_nodes.at(i);
        if (leaf.self <= 0)
            continue;
        path.clear();
        for (int at = i; at > 0; at = m_nodes.at(at).parent)
            path.append(m_nodes.at(at).frame);
        builder.add(path.constData(), path.size(), leaf.self);
    }
    builder.build();
    inverted.finish();
    return inverted;
}

void StackTree::finish()
{
    const qsizetype count = m_nodes.size();
    QList<int> cursor(count + 1, 0);
    m_maxDepth = 0;
    for (qsizetype i = 1; i < count; ++i) {
        ++m_nodes[m_nodes.at(i).parent].childCount;
        m_maxDepth = std::max(m_maxDepth, m_nodes.at(i).depth);
    }
    int next = 0;
    for (qsizetype i = 0; i < count; ++i) {
        m_nodes[i].firstChild = next;
        cursor[i] = next;
        next += m_nodes.at(i).childCount;
    }
    m_children = QList<int>(next, 0);
    for (int i = 1; i < count; ++i)
        m_children[cursor[m_nodes.at(i).parent]++] = i;
    for (qsizetype i = 0; i < count; ++i) {
        const Node &n = m_nodes.at(i);
        if (n.childCount < 2)
            continue;
        auto begin = m_children.begin() + n.firstChild;
        std::sort(begin, begin + n.childCount, [this](int a, int b) {
            const Node &na = m_nodes.at(a);
            const Node &nb = m_nodes.at(b);
            if (na.total != nb.total)
                return na.total > nb.total;
            const int byName = QString::compare(m_frames.at(na.frame).name, m_frames.at(nb.frame).name);
            return byName != 0 ? byName < 0 : a < b;
        });
    }
}

QList<int> StackTree::path(int node) const
{
    QList<int> nodes;
    for (int at = node; at >= 0; at = m_nodes.at(at).parent)
        nodes.prepend(at);
    return nodes;
}

int StackTree::find(const QStringList &names) const
{
    int at = 0;
    for (const QString &name : names) {
        const Node &n = m_nodes.at(at);
        int found = -1;
        for (int i = 0; i < n.childCount && found < 0; ++i) {
            if (frameOf(child(at, i)).name == name)
                found = child(at, i);
        }
        if (found < 0)
            return -1;
        at = found;
    }
    return at;
}

QList<StackTree::Span> StackTree::layout(int zoomNode, double width, double minWidth) const
{
    QList<Span> spans;
    if (isEmpty() || width <= 0)
        return spans;
    if (zoomNode < 0 || zoomNode >= m_nodes.size() || m_nodes.at(zoomNode).total <= 0)
        zoomNode = 0;
    // The zoomed frame's callers stay in view, full width, as Hotspot shows them.
    for (int at = m_nodes.at(zoomNode).parent; at >= 0; at = m_nodes.at(at).parent)
        spans.append({ at, m_nodes.at(at).parent, m_nodes.at(at).depth, 0, width });
    const double scale = width / double(m_nodes.at(zoomNode).total);
    struct Pending
    {
        int node;
        double x;
    };
    QList<Pending> stack { { zoomNode, 0.0 } };
    while (!stack.isEmpty()) {
        const Pending p = stack.takeLast();
        const Node &n = m_nodes.at(p.node);
        spans.append({ p.node, n.parent, n.depth, p.x, double(n.total) * scale });
        double x = p.x;
        qint64 laid = 0;
        for (int i = 0; i < n.childCount; ++i) {
            const int c = child(p.node, i);
            const double w = double(m_nodes.at(c).total) * scale;
            if (w < minWidth) {
                // Heaviest first: every later sibling is narrower still. Together they may
                // still cover a pixel or more, drawn as one.
                const double rest = double(n.total - n.self - laid) * scale;
                if (rest >= minWidth)
                    spans.append({ -1, p.node, n.depth + 1, x, rest });
                break;
            }
            stack.append({ c, x });
            x += w;
            laid += m_nodes.at(c).total;
        }
    }
    return spans;
}

QList<StackTree::SymbolCost> StackTree::symbols() const
{
    QList<SymbolCost> costs(m_frames.size());
    for (int i = 0; i < costs.size(); ++i)
        costs[i].frame = i;
    for (const Node &n : m_nodes)
        costs[n.frame].self += n.self;
    // Depth first with a count of each frame on the current path: a recursive frame adds its
    // samples once, at its outermost occurrence.
    QList<int> onPath(m_frames.size(), 0);
    struct Visit
    {
        int node;
        int next;
    };
    QList<Visit> stack;
    stack.reserve(m_maxDepth + 1);
    auto enter = [&](int node) {
        const Node &n = m_nodes.at(node);
        if (onPath[n.frame]++ == 0)
            costs[n.frame].inclusive += n.total;
        stack.append({ node, 0 });
    };
    enter(0);
    while (!stack.isEmpty()) {
        Visit &top = stack.last();
        if (top.next < m_nodes.at(top.node).childCount) {
            enter(child(top.node, top.next++));
        } else {
            --onPath[m_nodes.at(top.node).frame];
            stack.removeLast();
        }
    }
    costs.removeFirst();
    return costs;
}

QList<bool> StackTree::matchingFrames(const QString &needle) const
{
    QList<bool> flags(m_frames.size(), false);
    if (needle.isEmpty())
        return flags;
    for (qsizetype i = 1; i < m_frames.size(); ++i)
        flags[i] = m_frames.at(i).name.contains(needle, Qt::CaseInsensitive);
    return flags;
}

qint64 StackTree::samplesMatching(const QList<bool> &frames) const
{
    // Parents come before their children in index order: a node's samples count when it matches
    // and no caller above it did.
    QList<bool> inside(m_nodes.size(), false);
    qint64 samples = 0;
    for (qsizetype i = 1; i < m_nodes.size(); ++i) {
        const Node &n = m_nodes.at(i);
        const bool match = n.frame < frames.size() && frames.at(n.frame);
        if (match && !inside.at(n.parent))
            samples += n.total;
        inside[i] = match || inside.at(n.parent);
    }
    return samples;
}

QString StackTree::foldedName(const QString &name)
{
    if (name.isEmpty())
        return u"[unknown]"_s;
    QString folded = name;
    for (QChar &c : folded) {
        if (c == u';')
            c = u',';
        else if (c == u'\n' || c == u'\r' || c == u'\t')
            c = u' ';
    }
    return folded;
}

QString StackTree::folded() const
{
    QStringList names;
    names.reserve(m_frames.size());
    for (const Frame &f : m_frames)
        names.append(foldedName(f.name));
    QString text;
    if (m_nodes.first().self > 0)
        text += u"[unknown] "_s + QString::number(m_nodes.first().self) + u'\n';
    // Depth first, the current path kept as one string cut back on the way up.
    QString line;
    struct Visit
    {
        int node;
        int next;
        qsizetype length;
    };
    QList<Visit> stack { { 0, 0, 0 } };
    while (!stack.isEmpty()) {
        Visit &top = stack.last();
        const Node &n = m_nodes.at(top.node);
        if (top.next >= n.childCount) {
            stack.removeLast();
            continue;
        }
        const int c = child(top.node, top.next++);
        line.truncate(top.length);
        if (top.node != 0)
            line += u';';
        line += names.at(m_nodes.at(c).frame);
        if (m_nodes.at(c).self > 0) {
            text += line;
            text += u' ';
            text += QString::number(m_nodes.at(c).self);
            text += u'\n';
        }
        stack.append({ c, 0, line.size() });
    }
    return text;
}
