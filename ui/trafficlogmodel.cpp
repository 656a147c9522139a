// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/trafficlogmodel.h"

#include "ui/statuscolors.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

using namespace Qt::StringLiterals;

TrafficLogModel::TrafficLogModel(McpServer *server, QObject *parent)
    : QAbstractTableModel(parent)
{
    if (server)
        connect(server, &McpServer::trafficLogged, this, &TrafficLogModel::addEntry);
}

void TrafficLogModel::setMaxEntries(int maxEntries)
{
    m_maxEntries = qMax(1, maxEntries);
    if (int(m_entries.size()) > m_maxEntries) {
        const int excess = int(m_entries.size()) - m_maxEntries;
        beginRemoveRows({}, 0, excess - 1);
        for (int i = 0; i < excess; ++i) {
            m_errors -= m_entries.front().isError ? 1 : 0;
            m_entries.pop_front();
        }
        endRemoveRows();
    }
}

void TrafficLogModel::addEntry(const McpTrafficEntry &entry)
{
    if (int(m_entries.size()) >= m_maxEntries) {
        beginRemoveRows({}, 0, 0);
        m_errors -= m_entries.front().isError ? 1 : 0;
        m_entries.pop_front();
        endRemoveRows();
    }
    const int row = int(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.push_back(entry);
    m_errors += entry.isError ? 1 : 0;
    endInsertRows();
}

void TrafficLogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_errors = 0;
    endResetModel();
}

int TrafficLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int TrafficLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrafficLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const McpTrafficEntry &entry = m_entries[size_t(index.row())];
    if (role == Qt::ForegroundRole && entry.isError)
        return QBrush(StatusColors::text(StatusColors::Role::Negative));
    if (role == Qt::ToolTipRole)
        return entry.isError ? entry.error : tr("Session %1").arg(entry.sessionId);
    if (role == Qt::TextAlignmentRole && index.column() == DurationColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn:
        return QLocale().toString(entry.time.toLocalTime().time(), u"HH:mm:ss.zzz"_s);
    case ClientColumn:
        return entry.clientName.isEmpty() ? entry.sessionId.left(8) : entry.clientName;
    case MethodColumn:
        return entry.method;
    case DurationColumn:
        return tr("%1 ms").arg(entry.durationMs, 0, 'f', entry.durationMs < 10 ? 2 : 0);
    case ResultColumn:
        return entry.isError ? tr("error: %1").arg(entry.error) : tr("ok");
    }
    return {};
}

QVariant TrafficLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case ClientColumn:
        return tr("Client");
    case MethodColumn:
        return tr("Method");
    case DurationColumn:
        return tr("Duration");
    case ResultColumn:
        return tr("Result");
    }
    return {};
}
