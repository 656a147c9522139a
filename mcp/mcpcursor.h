// SPDX-License-Identifier: GPL-2.0-or-later
// The paging cursors of list_probes and list_executions.
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

/// Cursors are opaque to clients and bound to the kind of query they continue, so a cursor
/// from one query cannot silently page through another.
namespace McpCursor {
/// The cursor for `state` (short keys; "k" is reserved for the kind).
QString encode(const QString &kind, QJsonObject state);
/// The state of a cursor this server gave out for `kind`; nullopt for anything else.
std::optional<QJsonObject> decode(const QString &cursor, const QString &kind);
} // namespace McpCursor
