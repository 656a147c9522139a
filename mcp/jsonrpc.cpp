// SPDX-License-Identifier: GPL-2.0-or-later
// JSON-RPC 2.0 message validation, error codes and newline-delimited framing.
#include "mcp/jsonrpc.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

using namespace Qt::StringLiterals;

namespace JsonRpc {

QJsonObject errorResponse(const QJsonValue &id, int code, const QString &message, const QJsonValue &data)
{
    QJsonObject error { { u"code"_s, code }, { u"message"_s, message } };
    if (!data.isUndefined() && !data.isNull())
        error.insert(u"data"_s, data);
    return QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, isValidId(id) ? id : QJsonValue(QJsonValue::Null) },
        { u"error"_s, error } };
}

QJsonObject resultResponse(const QJsonValue &id, const QJsonValue &result)
{
    return QJsonObject { { u"jsonrpc"_s, u"2.0"_s }, { u"id"_s, id }, { u"result"_s, result } };
}

QJsonObject notification(const QString &method, const QJsonObject &params)
{
    QJsonObject message { { u"jsonrpc"_s, u"2.0"_s }, { u"method"_s, method } };
    if (!params.isEmpty())
        message.insert(u"params"_s, params);
    return message;
}

QByteArray serialize(const QJsonValue &message)
{
    if (message.isArray())
        return QJsonDocument(message.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(message.toObject()).toJson(QJsonDocument::Compact);
}

bool isValidId(const QJsonValue &id)
{
    if (id.isString())
        return true;
    if (!id.isDouble())
        return false;
    const double number = id.toDouble();
    // JSON-RPC says ids SHOULD NOT have fractions; MCP's schema makes them integers or strings.
    // Above 2^53 a double no longer names one integer, so two clients' ids could collide.
    return std::isfinite(number) && std::floor(number) == number && std::fabs(number) <= 9007199254740992.0;
}

QString idKey(const QJsonValue &id)
{
    if (id.isString())
        return u"s:"_s + id.toString();
    if (isValidId(id))
        return u"n:"_s + QString::number(static_cast<qint64>(id.toDouble()));
    return {};
}

ParseResult parse(QByteArrayView bytes)
{
    ParseResult result;
    result.errorCode = ParseError;
    if (!bytes.isValidUtf8()) {
        result.errorMessage = u"Parse error: the message is not valid UTF-8"_s;
        return result;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError) {
        result.errorMessage = u"Parse error: %1 at offset %2"_s.arg(error.errorString()).arg(error.offset);
        return result;
    }
    if (document.isObject()) {
        result.value = document.object();
    } else if (document.isArray()) {
        result.value = document.array();
    } else {
        result.errorMessage = u"Parse error: a message must be a JSON object"_s;
        return result;
    }
    result.ok = true;
    result.errorCode = 0;
    return result;
}

} // namespace JsonRpc

JsonRpcMessage JsonRpcMessage::fromJson(const QJsonValue &value)
{
    JsonRpcMessage message;
    message.errorCode = JsonRpc::InvalidRequest;
    if (!value.isObject()) {
        message.errorMessage = u"Invalid Request: a message must be a JSON object"_s;
        return message;
    }
    const QJsonObject object = value.toObject();
    message.object = object;

    const bool hasId = object.contains(u"id"_s);
    const QJsonValue id = object.value(u"id"_s);
    const bool idValid = hasId && JsonRpc::isValidId(id);
    if (idValid)
        message.id = id;

    if (object.value(u"jsonrpc"_s) != QJsonValue(u"2.0"_s)) {
        message.errorMessage = u"Invalid Request: \"jsonrpc\" must be \"2.0\""_s;
        return message;
    }
    const QString badId = id.isNull() ? u"Invalid Request: \"id\" must not be null"_s
                                      : u"Invalid Request: \"id\" must be a string or an integer"_s;

    const bool hasMethod = object.contains(u"method"_s);
    const bool hasResult = object.contains(u"result"_s);
    const bool hasError = object.contains(u"error"_s);

    if (hasMethod) {
        if (hasId && !idValid) {
            message.errorMessage = badId;
            return message;
        }
        if (hasResult || hasError) {
            message.errorMessage = u"Invalid Request: a request cannot carry \"result\" or \"error\""_s;
            return message;
        }
        const QJsonValue method = object.value(u"method"_s);
        if (!method.isString() || method.toString().isEmpty()) {
            message.errorMessage = u"Invalid Request: \"method\" must be a non-empty string"_s;
            return message;
        }
        message.method = method.toString();
        if (object.contains(u"params"_s)) {
            const QJsonValue params = object.value(u"params"_s);
            if (params.isArray()) {
                // Valid JSON-RPC, but every MCP method takes named parameters.
                message.errorCode = JsonRpc::InvalidParams;
                message.errorMessage = u"Invalid params: MCP methods take \"params\" as an object"_s;
                return message;
            }
            if (!params.isObject()) {
                message.errorMessage = u"Invalid Request: \"params\" must be an object"_s;
                return message;
            }
            message.params = params;
        }
        message.kind = hasId ? Kind::Request : Kind::Notification;
        message.errorCode = 0;
        return message;
    }

    if (hasResult || hasError) {
        if (!hasId) {
            message.errorMessage = u"Invalid Request: a response needs an \"id\""_s;
            return message;
        }
        // An error response may carry a null id (the peer could not read our request's id).
        if (!idValid && !(hasError && id.isNull())) {
            message.errorMessage = badId;
            return message;
        }
        if (hasResult == hasError) {
            message.errorMessage = u"Invalid Request: a response carries exactly one of \"result\" and \"error\""_s;
            return message;
        }
        if (hasError && !object.value(u"error"_s).isObject()) {
            message.errorMessage = u"Invalid Request: \"error\" must be an object"_s;
            return message;
        }
        message.kind = Kind::Response;
        message.errorCode = 0;
        return message;
    }

    message.errorMessage = u"Invalid Request: the message has neither \"method\" nor \"result\"/\"error\""_s;
    return message;
}

JsonRpcLineReader::JsonRpcLineReader(qint64 maxLineBytes)
    : m_maxLineBytes(qMax<qint64>(maxLineBytes, 16))
{ }

QList<JsonRpcLineReader::Item> JsonRpcLineReader::feed(QByteArrayView data)
{
    QList<Item> items;
    qsizetype pos = 0;
    while (pos < data.size()) {
        const qsizetype newline = data.indexOf('\n', pos);
        const qsizetype end = newline < 0 ? data.size() : newline;
        const QByteArrayView piece = data.sliced(pos, end - pos);
        pos = newline < 0 ? data.size() : newline + 1;

        if (m_discarding) {
            // Skipping the rest of an oversized line: only its newline ends the skip.
            if (newline >= 0)
                m_discarding = false;
            continue;
        }
        if (m_buffer.size() + piece.size() > m_maxLineBytes) {
            m_buffer.clear();
            m_buffer.squeeze();
            items.append(Item { Item::Kind::Oversize, {} });
            m_discarding = newline < 0;
            continue;
        }
        m_buffer.append(piece);
        if (newline < 0)
            break;

        QByteArray line = std::move(m_buffer);
        m_buffer = QByteArray();
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        items.append(Item { Item::Kind::Line, std::move(line) });
    }
    return items;
}
