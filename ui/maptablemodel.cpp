// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/maptablemodel.h"

#include <QLocale>

using namespace Qt::StringLiterals;

MapTableModel::MapTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void MapTableModel::setMap(const MapResult &map)
{
    setMap(map, map.entries());
}

void MapTableModel::setMap(const MapResult &map, const QList<MapEntry> &entries)
{
    beginResetModel();
    m_name = map.name();
    m_stats = map.isStats();
    m_rows.clear();
    if (map.isKeyed()) {
        m_rows.reserve(entries.size());
        for (const MapEntry &entry : entries)
            m_rows.append({ entry.key.text(), entry.value });
    } else if (map.value().type() != MapValue::Type::Empty) {
        m_rows.append({ map.name(), map.value() });
    }
    endResetModel();
}

int MapTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int MapTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : (m_stats ? 4 : 2);
}

QVariant MapTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (index.column() == 0) {
        if (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole)
            return row.key;
        return {};
    }
    const MapValue value = cell(row, index.column());
    switch (role) {
    case Qt::DisplayRole:
        if (value.type() == MapValue::Type::Integer)
            return QLocale().toString(value.integer());
        return value.text();
    case SortRole:
        if (value.isNumber())
            return value.number();
        return value.text();
    case Qt::TextAlignmentRole:
        if (value.isNumber())
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

MapValue MapTableModel::cell(const Row &row, int column) const
{
    const StatsValue *stats = m_stats ? row.value.stats() : nullptr;
    if (!stats)
        return column == 1 ? row.value : MapValue();
    switch (column) {
    case 1:
        return MapValue::fromJson(QJsonValue(stats->count));
    case 2:
        return MapValue::fromJson(QJsonValue(stats->average));
    case 3:
        return MapValue::fromJson(QJsonValue(stats->total));
    }
    return {};
}

QVariant MapTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (section == 0)
        return tr("Key");
    if (!m_stats)
        return section == 1 ? QVariant(tr("Value")) : QVariant();
    switch (section) {
    case 1:
        return tr("Count");
    case 2:
        return tr("Average");
    case 3:
        return tr("Total");
    }
    return {};
}
