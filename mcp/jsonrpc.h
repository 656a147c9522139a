// SPDX-License-Identifier: GPL-2.0-or-later
// JSON-RPC 2.0 as MCP uses it: strict message validation, error codes and the
// newline-delimited framing of byte-stream transports (local socket, stdio).
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace JsonRpc {

/// The error codes MCP uses: JSON-RPC 2.0's, resource-not-found of the handshake era (2025-11-25
/// and earlier; 2026-07-28 answers a missing resource with InvalidParams) and the codes
/// 2026-07-28 defines in its reserved range.
enum ErrorCode : int
{
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
    ResourceNotFound = -32002,
    HeaderMismatch = -32020,
    MissingRequiredClientCapability = -32021,
    UnsupportedProtocolVersion = -32022,
};

QJsonObject errorResponse(const QJsonValue &id, int code, const QString &message, const QJsonValue &data = {});
QJsonObject resultResponse(const QJsonValue &id, const QJsonValue &result);
QJsonObject notification(const QString &method, const QJsonObject &params = {});
/// Compact UTF-8 JSON without a trailing newline (embedded newlines are impossible in compact JSON).
QByteArray serialize(const QJsonValue &message);
/// A stable map key for a request id ("s:abc" or "n:12"); empty for an id that is not valid.
QString idKey(const QJsonValue &id);
/// Whether `id` is a valid request id for MCP: a string or an integral number (never null).
bool isValidId(const QJsonValue &id);

/// Result of turning bytes into JSON: an object or array, or the JSON-RPC error to answer.
struct ParseResult
{
    bool ok = false;
    QJsonValue value; ///< a JSON object (one message) or array (a batch)
    int errorCode = 0;
    QString errorMessage;
};

/// Parses one message's bytes: rejects invalid UTF-8, JSON syntax errors, too deep nesting and
/// top-level values that are neither objects nor arrays, all as ParseError.
ParseResult parse(QByteArrayView bytes);

} // namespace JsonRpc

/// One validated JSON-RPC message.
struct JsonRpcMessage
{
    enum class Kind
    {
        Invalid,
        Request,
        Notification,
        Response
    };
    Kind kind = Kind::Invalid;
    QJsonValue id; ///< the request's id; for an invalid message the id to answer with (null if unusable)
    QString method;
    QJsonValue params; ///< undefined when absent; an object otherwise (arrays are flagged invalid)
    QJsonObject object;
    int errorCode = 0; ///< for Kind::Invalid: InvalidRequest or InvalidParams
    QString errorMessage;

    bool isValid() const { return kind != Kind::Invalid; }
    QJsonObject paramsObject() const { return params.toObject(); }

    /// Validates a single message against JSON-RPC 2.0 and MCP's stricter rules (ids never null,
    /// params named).
    static JsonRpcMessage fromJson(const QJsonValue &value);
};

/// Splits a byte stream into newline-delimited messages. Never holds more than maxLineBytes of
/// an unfinished line: a longer line is reported once as Oversize and skipped up to its newline,
/// after which reading resumes with the next message.
class JsonRpcLineReader
{
public:
    struct Item
    {
        enum class Kind
        {
            Line,
            Oversize
        };
        Kind kind = Kind::Line;
        QByteArray line; ///< without the newline (and a trailing CR); for Line
    };

    explicit JsonRpcLineReader(qint64 maxLineBytes = 4 * 1024 * 1024);

    /// Appends received bytes and returns the complete items they finish (blank lines skipped).
    QList<Item> feed(QByteArrayView data);
    /// Bytes of an unfinished line held back.
    qint64 pendingBytes() const { return m_buffer.size(); }
    bool isDiscarding() const { return m_discarding; }
    qint64 maxLineBytes() const { return m_maxLineBytes; }

private:
    QByteArray m_buffer;
    qint64 m_maxLineBytes;
    bool m_discarding = false;
};
