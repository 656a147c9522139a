// SPDX-License-Identifier: GPL-2.0-or-later
// Probes as a tree (provider > category > probe), built off the GUI thread and swapped in whole.
#pragma once

#include <QAbstractItemModel>
#include <QStringList>

#include <deque>
#include <memory>
#include <vector>

/// An immutable tree; building one for 150,000 probes takes tens of milliseconds, so the probe
/// browser builds it on a worker thread and hands the finished tree to the model.
struct ProbeTree
{
    struct Node
    {
        QString label; ///< "tracepoint", "syscalls", "sys_enter_openat"
        QString probe; ///< the full probe for leaves, empty for groups
        const Node *parent = nullptr;
        int row = 0;
        int leafCount = 0; ///< probes under this node (1 for a leaf)
        std::vector<const Node *> children;
    };

    const Node *root() const { return &m_nodes.front(); }
    int probeCount() const { return root()->leafCount; }

    /// Provider = text before the first ':'; category = the next field when the probe has more,
    /// else the function's prefix up to its first '_' (kprobes have no category of their own).
    static std::shared_ptr<const ProbeTree> build(const QStringList &probes);
    static void split(const QString &probe, QString *provider, QString *category, QString *leaf);

private:
    std::deque<Node> m_nodes; ///< a deque keeps node addresses stable while we add
};

class ProbeTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Roles
    {
        ProbeRole = Qt::UserRole + 1, ///< the full probe of a leaf, empty for groups
        LeafCountRole,
    };

    explicit ProbeTreeModel(QObject *parent = nullptr);

    void setTree(std::shared_ptr<const ProbeTree> tree);
    std::shared_ptr<const ProbeTree> tree() const { return m_tree; }
    int probeCount() const { return m_tree ? m_tree->probeCount() : 0; }

    /// What dragging or double-clicking a probe puts into the editor.
    static QString skeleton(const QString &probe);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;

private:
    const ProbeTree::Node *node(const QModelIndex &index) const;

    std::shared_ptr<const ProbeTree> m_tree;
};
