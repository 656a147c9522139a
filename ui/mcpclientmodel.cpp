// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/mcpclientmodel.h"

#include "engine/inerttext.h"

#include <QLocale>

using namespace Qt::StringLiterals;

McpClientModel::McpClientModel(McpServer *server, QObject *parent)
    : QAbstractTableModel(parent)
{
    if (server) {
        connect(server, &McpServer::clientsChanged, this, [this, server] { setClients(server->clients()); });
        setClients(server->clients());
    }
}

void McpClientModel::setClients(const QList<McpClientInfo> &clients)
{
    // Same sessions in the same order (the common case: a request count went up): update in place
    // so selection and scrolling survive.
    bool sameSessions = clients.size() == m_clients.size();
    for (int i = 0; sameSessions && i < clients.size(); ++i)
        sameSessions = clients.at(i).sessionId == m_clients.at(i).sessionId;
    if (sameSessions) {
        m_clients = clients;
        if (!m_clients.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_clients.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_clients = clients;
    endResetModel();
}

int McpClientModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_clients.size());
}

int McpClientModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant McpClientModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const McpClientInfo &client = m_clients.at(index.row());
    if (role == Qt::ToolTipRole)
        return tr("Session %1").arg(client.sessionId);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn: {
        if (client.name.isEmpty())
            return tr("(not initialized yet)");
        // Plain in the view already; inert so a bidi override cannot reverse the row's text.
        return InertText::line(client.version.isEmpty() ? client.name : client.name + u' ' + client.version);
    }
    case TransportColumn:
        return client.transport;
    case RequestsColumn:
        return client.requestCount;
    case ConnectedColumn:
        return client.connectedAt.isValid() ? QLocale().toString(client.connectedAt.toLocalTime().time(), u"HH:mm:ss"_s)
                                            : QString();
    case ProtocolColumn:
        return client.protocolVersion;
    }
    return {};
}

QVariant McpClientModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Client");
    case TransportColumn:
        return tr("Transport");
    case RequestsColumn:
        return tr("Requests");
    case ConnectedColumn:
        return tr("Connected");
    case ProtocolColumn:
        return tr("Protocol");
    }
    return {};
}
