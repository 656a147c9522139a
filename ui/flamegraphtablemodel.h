// SPDX-License-Identifier: GPL-2.0-or-later
// The flame graph's frames as a table, as Hotspot's caller/callee view lists them: per symbol
// the samples where it was innermost (self) and where it was on the stack at all (inclusive).
#pragma once

#include "engine/results/stacktree.h"

#include <QAbstractTableModel>

class FlameGraphTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SymbolColumn,
        SelfColumn,
        InclusiveColumn,
        ShareColumn,
        ColumnCount,
    };
    enum Roles
    {
        SortRole = Qt::UserRole + 1, ///< numbers as numbers, so sorting is numeric
        FrameRole, ///< the frame's index in the tree (StackTree::frame())
    };

    explicit FlameGraphTableModel(QObject *parent = nullptr);

    /// A row per frame of `tree` (its key parts such as comm included), heaviest inclusive first.
    void setTree(const StackTree &tree);
    /// The row of `frame`; -1 when the tree has no such frame.
    int rowOfFrame(int frame) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        StackTree::Frame frame;
        StackTree::SymbolCost cost;
    };
    QList<Row> m_rows;
    qint64 m_total = 0;
};
