// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/probetreemodel.h"

#include <QHash>
#include <QLocale>
#include <QMimeData>

using namespace Qt::StringLiterals;

void ProbeTree::split(const QString &probe, QString *provider, QString *category, QString *leaf)
{
    const qsizetype first = probe.indexOf(u':');
    if (first < 0) {
        *provider = probe;
        *category = QString();
        *leaf = probe;
        return;
    }
    *provider = probe.left(first);
    QString rest = probe.mid(first + 1);
    // "software:cpu-clock:" and friends end with an empty field.
    while (rest.endsWith(u':'))
        rest.chop(1);
    // uprobe paths hold no ':' but a usdt or uprobe target may; the last field is the leaf.
    const qsizetype last = rest.lastIndexOf(u':');
    if (last > 0) {
        *category = rest.left(last);
        *leaf = rest.mid(last + 1);
        return;
    }
    *leaf = rest;
    const qsizetype underscore = rest.indexOf(u'_', 1);
    *category = underscore > 0 ? rest.left(underscore) : QString();
}

std::shared_ptr<const ProbeTree> ProbeTree::build(const QStringList &probes)
{
    auto tree = std::make_shared<ProbeTree>();
    tree->m_nodes.emplace_back();
    Node *root = &tree->m_nodes.front();

    QHash<QString, Node *> providers;
    QHash<QString, Node *> categories; // key: provider + '\n' + category
    QString provider, category, leaf;
    for (const QString &probe : probes) {
        split(probe, &provider, &category, &leaf);
        Node *&providerNode = providers[provider];
        if (!providerNode) {
            Node &n = tree->m_nodes.emplace_back();
            n.label = provider;
            n.parent = root;
            n.row = int(root->children.size());
            root->children.push_back(&n);
            providerNode = &n;
        }
        Node *parent = providerNode;
        if (!category.isEmpty()) {
            Node *&categoryNode = categories[provider + u'\n' + category];
            if (!categoryNode) {
                Node &n = tree->m_nodes.emplace_back();
                n.label = category;
                n.parent = providerNode;
                n.row = int(providerNode->children.size());
                providerNode->children.push_back(&n);
                categoryNode = &n;
            }
            parent = categoryNode;
        }
        Node &n = tree->m_nodes.emplace_back();
        n.label = leaf;
        n.probe = probe;
        n.parent = parent;
        n.row = int(parent->children.size());
        n.leafCount = 1;
        parent->children.push_back(&n);
        for (Node *up = parent; up; up = const_cast<Node *>(up->parent))
            ++up->leafCount;
    }
    return tree;
}

ProbeTreeModel::ProbeTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

void ProbeTreeModel::setTree(std::shared_ptr<const ProbeTree> tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    endResetModel();
}

QString ProbeTreeModel::skeleton(const QString &probe)
{
    return probe + u"\n{\n    \n}"_s;
}

const ProbeTree::Node *ProbeTreeModel::node(const QModelIndex &index) const
{
    if (!m_tree)
        return nullptr;
    if (!index.isValid())
        return m_tree->root();
    return static_cast<const ProbeTree::Node *>(index.internalPointer());
}

QModelIndex ProbeTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const ProbeTree::Node *p = node(parent);
    return createIndex(row, column, const_cast<ProbeTree::Node *>(p->children[size_t(row)]));
}

QModelIndex ProbeTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !m_tree)
        return {};
    const ProbeTree::Node *n = node(child);
    const ProbeTree::Node *p = n->parent;
    if (!p || p == m_tree->root())
        return {};
    return createIndex(p->row, 0, const_cast<ProbeTree::Node *>(p));
}

int ProbeTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    const ProbeTree::Node *n = node(parent);
    return n ? int(n->children.size()) : 0;
}

int ProbeTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant ProbeTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const ProbeTree::Node *n = node(index);
    switch (role) {
    case Qt::DisplayRole:
        if (n->probe.isEmpty())
            return u"%1 (%2)"_s.arg(n->label, QLocale().toString(n->leafCount));
        return n->label;
    case Qt::ToolTipRole:
        return n->probe.isEmpty() ? tr("%n probes", "", n->leafCount) : n->probe;
    case ProbeRole:
        return n->probe;
    case LeafCountRole:
        return n->leafCount;
    default:
        return {};
    }
}

Qt::ItemFlags ProbeTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (!node(index)->probe.isEmpty())
        f |= Qt::ItemIsDragEnabled | Qt::ItemNeverHasChildren;
    return f;
}

QStringList ProbeTreeModel::mimeTypes() const
{
    return { u"text/plain"_s };
}

QMimeData *ProbeTreeModel::mimeData(const QModelIndexList &indexes) const
{
    QStringList skeletons;
    for (const QModelIndex &index : indexes) {
        const QString probe = index.data(ProbeRole).toString();
        if (!probe.isEmpty())
            skeletons.append(skeleton(probe));
    }
    if (skeletons.isEmpty())
        return nullptr;
    auto *mime = new QMimeData;
    mime->setText(skeletons.join(u"\n\n"_s) + u'\n');
    return mime;
}

Qt::DropActions ProbeTreeModel::supportedDragActions() const
{
    return Qt::CopyAction;
}
