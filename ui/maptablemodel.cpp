// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/maptablemodel.h"

#include "ui/chartsupport.h"
#include "ui/uihelpers.h"

#include <QLocale>
#include <QPalette>

#include <limits>

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
    m_hostNames.clear();
    m_rowHosts.clear();
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

void MapTableModel::setFleetMap(const MergedMap &map, const QStringList &hostNames)
{
    setMap(map.merged());
    beginResetModel();
    m_hostNames = hostNames;
    if (map.isKeyed()) {
        m_rowHosts.reserve(m_rows.size());
        for (const Row &row : std::as_const(m_rows)) {
            const qsizetype index = map.indexOf(row.key.text());
            m_rowHosts.append(index >= 0 ? map.entries().at(index).hosts : QList<MapValue>());
        }
    } else if (!map.hasConflict()) {
        // Each host's value is worth a row even when the merged one is empty (hosts that differ).
        if (m_rows.isEmpty()) {
            MapKey key;
            key.parts.append({ MapKeyPart::Type::Text, map.name(), 0, {} });
            m_rows.append({ key, MapValue() });
        }
        m_rowHosts.append(map.value().hosts);
    }
    endResetModel();
}

QVariant MapTableModel::hostData(int row, int host, int role) const
{
    const QList<MapValue> hosts = m_rowHosts.value(row);
    const MapValue value = host < hosts.size() ? hosts.at(host) : MapValue();
    const bool missing = value.type() == MapValue::Type::Empty;
    // A host's stats compare by their average; the count and total are in the tooltip.
    const MapValue shown = value.stats() ? MapValue::fromInteger(value.stats()->average) : value;
    switch (role) {
    case Qt::DisplayRole:
        if (missing)
            return u"\u2014"_s; // an em dash: the host has no such key
        if (shown.type() == MapValue::Type::Integer)
            return QLocale().toString(shown.integer());
        return shown.text();
    case Qt::ToolTipRole:
        if (missing)
            return tr("%1 has no such key").arg(m_hostNames.value(host));
        return UiHelpers::plainToolTip(m_hostNames.value(host) + u": "_s + value.text());
    case ExportRole:
        return value.text();
    case SortRole:
        // Hosts without the key sort below every value.
        if (missing)
            return -std::numeric_limits<double>::infinity();
        return shown.isNumber() ? QVariant(shown.number()) : QVariant(shown.text());
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (missing)
            return QPalette().brush(QPalette::PlaceholderText);
        return {};
    default:
        return {};
    }
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
    return parent.isValid() ? 0 : keyColumnCount() + (m_stats ? 3 : 1) + hostColumnCount();
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
    if (index.column() >= firstHostColumn())
        return hostData(index.row(), index.column() - firstHostColumn(), role);
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
    if (section >= firstHostColumn() && section - firstHostColumn() < hostColumnCount()) {
        const QString host = m_hostNames.at(section - firstHostColumn());
        return role == Qt::ToolTipRole && m_stats ? QVariant(tr("%1: average").arg(host)) : QVariant(host);
    }
    const int valueIndex = section - keyColumnCount();
    // Beside host columns the merged value says it is the sum over them.
    if (!m_stats)
        return valueIndex == 0 ? QVariant(hostColumnCount() > 0 ? tr("All hosts") : tr("Value")) : QVariant();
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
