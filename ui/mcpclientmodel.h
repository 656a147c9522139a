// SPDX-License-Identifier: GPL-2.0-or-later
// The MCP clients connected right now.
#pragma once

#include "mcp/mcpserver.h"

#include <QAbstractTableModel>
#include <QPointer>

class McpClientModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        TransportColumn,
        RequestsColumn,
        ConnectedColumn,
        ProtocolColumn,
        ColumnCount
    };

    explicit McpClientModel(McpServer *server, QObject *parent = nullptr);

    /// Replaces the list (the server's clientsChanged() calls this with clients()).
    void setClients(const QList<McpClientInfo> &clients);
    QList<McpClientInfo> clients() const { return m_clients; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<McpClientInfo> m_clients;
};
