// SPDX-License-Identifier: GPL-2.0-or-later
// The paging cursors of list_probes and list_executions.
#include "mcp/mcpcursor.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

QString McpCursor::encode(const QString &kind, QJsonObject state)
{
    state.insert(u"k"_s, kind);
    return QString::fromLatin1(QJsonDocument(state)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<QJsonObject> McpCursor::decode(const QString &cursor, const QString &kind)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded);
    if (!doc.isObject() || doc.object().value(u"k"_s).toString() != kind)
        return std::nullopt;
    return doc.object();
}
