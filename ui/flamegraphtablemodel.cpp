// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/flamegraphtablemodel.h"

#include "ui/uihelpers.h"

#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

FlameGraphTableModel::FlameGraphTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void FlameGraphTableModel::setTree(const StackTree &tree)
{
    beginResetModel();
    m_rows.clear();
    m_total = tree.total();
    const QList<StackTree::SymbolCost> costs = tree.symbols();
    m_rows.reserve(costs.size());
    for (const StackTree::SymbolCost &cost : costs)
        m_rows.append({ tree.frame(cost.frame), cost });
    std::stable_sort(
        m_rows.begin(), m_rows.end(), [](const Row &a, const Row &b) { return a.cost.inclusive > b.cost.inclusive; });
    endResetModel();
}

int FlameGraphTableModel::rowOfFrame(int frame) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).cost.frame == frame)
            return i;
    }
    return -1;
}

int FlameGraphTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FlameGraphTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FlameGraphTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (role == FrameRole)
        return row.cost.frame;
    const double share = m_total > 0 ? double(row.cost.inclusive) / double(m_total) : 0.0;
    switch (index.column()) {
    case SymbolColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return row.frame.name;
        if (role == Qt::ToolTipRole) {
            switch (row.frame.kind) {
            case StackTree::FrameKind::Kernel:
                return UiHelpers::plainToolTip(tr("%1 (kernel)").arg(row.frame.name));
            case StackTree::FrameKind::User:
                return UiHelpers::plainToolTip(row.frame.module.isEmpty()
                        ? tr("%1 (user space)").arg(row.frame.name)
                        : tr("%1 (%2)").arg(row.frame.name, row.frame.module));
            case StackTree::FrameKind::Group:
                return UiHelpers::plainToolTip(tr("%1 (key part)").arg(row.frame.name));
            case StackTree::FrameKind::Root:
                break;
            }
            return UiHelpers::plainToolTip(row.frame.name);
        }
        return {};
    case SelfColumn:
    case InclusiveColumn: {
        const qint64 value = index.column() == SelfColumn ? row.cost.self : row.cost.inclusive;
        if (role == Qt::DisplayRole)
            return QLocale().toString(value);
        if (role == SortRole)
            return value;
        break;
    }
    case ShareColumn:
        if (role == Qt::DisplayRole)
            return QString(QLocale().toString(share * 100.0, 'f', 1) + u'%');
        if (role == SortRole)
            return share;
        break;
    default:
        return {};
    }
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant FlameGraphTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SymbolColumn:
        return tr("Symbol");
    case SelfColumn:
        return tr("Self");
    case InclusiveColumn:
        return tr("Inclusive");
    case ShareColumn:
        return tr("Share");
    default:
        return {};
    }
}
