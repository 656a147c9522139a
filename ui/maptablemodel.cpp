// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/maptablemodel.h"

#include "ui/chartsupport.h"
#include "ui/uihelpers.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace {
QString stackFrames(const CallStack &stack)
{
    QStringList frames;
    for (const StackFrame &frame : stack.frames)
        frames.append(frame.text());
    return frames.join(u'\n');
}
} // namespace

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
    if (map.name() != m_name)
        m_keyNames.clear();
    m_name = map.name();
    m_stats = map.isStats();
    m_keyed = map.isKeyed();
    m_rows.clear();
    m_partTypes.clear();
    if (map.isKeyed()) {
        m_rows.reserve(entries.size());
        for (const MapEntry &entry : entries) {
            m_rows.append({ entry.key, entry.value });
            // Every key of a map has the same parts; the widest key decides (and the first
            // typed part of each position, should bpftrace ever print a part differently).
            for (qsizetype i = m_partTypes.size(); i < entry.key.parts.size(); ++i)
                m_partTypes.append(entry.key.parts.at(i).type);
        }
    } else if (map.value().type() != MapValue::Type::Empty) {
        MapKey key;
        key.parts.append({ MapKeyPart::Type::Text, map.name(), 0, {} });
        m_rows.append({ key, map.value() });
    }
    if (m_partTypes.isEmpty())
        m_partTypes.append(MapKeyPart::Type::Text);
    endResetModel();
}

void MapTableModel::setKeyNames(const QStringList &names)
{
    m_keyNames = names;
    if (!m_partTypes.isEmpty())
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, keyColumnCount() - 1);
}

int MapTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int MapTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : keyColumnCount() + (m_stats ? 3 : 1);
}

QVariant MapTableModel::keyData(const Row &row, int part, int role) const
{
    if (part >= row.key.parts.size())
        return role == SortRole ? QVariant(QString()) : QVariant();
    const MapKeyPart &key = row.key.parts.at(part);
    switch (key.type) {
    case MapKeyPart::Type::Integer:
        switch (role) {
        case Qt::DisplayRole:
        case ExportRole:
        case Qt::ToolTipRole:
            // Keys are pids, cpus, errnos: without digit grouping.
            return QString::number(key.integer);
        case SortRole:
            return key.integer;
        case Qt::TextAlignmentRole:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    case MapKeyPart::Type::Stack:
        switch (role) {
        case Qt::DisplayRole:
            // The innermost frame is where the time went; the whole stack is in the tooltip.
            if (key.stack.frames.isEmpty())
                return tr("(empty stack)");
            if (key.stack.frames.size() == 1)
                return key.stack.frames.constFirst().text();
            return tr("%1  (+%2 frames)").arg(key.stack.frames.constFirst().text()).arg(key.stack.frames.size() - 1);
        case Qt::ToolTipRole:
            return UiHelpers::plainToolTip(ChartSupport::stackText(key.stack));
        case SortRole:
        case ExportRole:
            return stackFrames(key.stack);
        }
        return {};
    case MapKeyPart::Type::Text:
        if (role == Qt::ToolTipRole)
            return UiHelpers::plainToolTip(key.text);
        if (role == Qt::DisplayRole || role == SortRole || role == ExportRole)
            return key.text;
        return {};
    }
    return {};
}

QVariant MapTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    if (index.column() < keyColumnCount())
        return keyData(row, index.column(), role);
    const MapValue value = cell(row, index.column());
    switch (role) {
    case Qt::DisplayRole:
        if (value.type() == MapValue::Type::Integer)
            return QLocale().toString(value.integer());
        return value.text();
    case ExportRole:
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
    const int valueIndex = column - keyColumnCount();
    const StatsValue *stats = m_stats ? row.value.stats() : nullptr;
    if (!stats)
        return valueIndex == 0 ? row.value : MapValue();
    switch (valueIndex) {
    case 0:
        return MapValue::fromJson(QJsonValue(stats->count));
    case 1:
        return MapValue::fromJson(QJsonValue(stats->average));
    case 2:
        return MapValue::fromJson(QJsonValue(stats->total));
    }
    return {};
}

QVariant MapTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    if (section < keyColumnCount()) {
        if (section < m_keyNames.size() && !m_keyNames.at(section).isEmpty())
            return m_keyNames.at(section);
        const MapKeyPart::Type type = m_partTypes.at(section);
        // A map without keys shows its name in the one key column; one text part is "Key".
        if (!m_keyed)
            return tr("Map");
        QString typeName;
        switch (type) {
        case MapKeyPart::Type::Text:
            typeName = tr("text");
            break;
        case MapKeyPart::Type::Integer:
            typeName = tr("integer");
            break;
        case MapKeyPart::Type::Stack:
            typeName = tr("stack");
            break;
        }
        if (keyColumnCount() == 1)
            return type == MapKeyPart::Type::Text ? tr("Key") : tr("Key (%1)").arg(typeName);
        return tr("Key %1 (%2)").arg(section + 1).arg(typeName);
    }
    const int valueIndex = section - keyColumnCount();
    if (!m_stats)
        return valueIndex == 0 ? QVariant(tr("Value")) : QVariant();
    switch (valueIndex) {
    case 0:
        return tr("Count");
    case 1:
        return tr("Average");
    case 2:
        return tr("Total");
    }
    return {};
}
