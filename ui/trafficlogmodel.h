// SPDX-License-Identifier: GPL-2.0-or-later
// The live MCP traffic log: method, client, duration and errors; capped, newest last.
#pragma once

#include "mcp/mcpserver.h"

#include <QAbstractTableModel>

#include <deque>

class TrafficLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        TimeColumn,
        ClientColumn,
        MethodColumn,
        DurationColumn,
        ResultColumn,
        ColumnCount
    };

    explicit TrafficLogModel(McpServer *server, QObject *parent = nullptr);

    void setMaxEntries(int maxEntries);
    int maxEntries() const { return m_maxEntries; }
    void addEntry(const McpTrafficEntry &entry);
    void clear();
    int errorCount() const { return m_errors; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::deque<McpTrafficEntry> m_entries;
    int m_maxEntries = 1000;
    int m_errors = 0;
};
