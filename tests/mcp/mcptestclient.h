// SPDX-License-Identifier: GPL-2.0-or-later
// Test clients: a newline-JSON client over QLocalSocket and a raw HTTP/1.1 client over
// QTcpSocket whose answers are read with llhttp (so chunked SSE streams can be inspected as
// they arrive). Test code only: they wait with QTest::qWaitFor.
#pragma once

#include "mcp/jsonrpc.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QTcpSocket>
#include <QTest>

#include <llhttp.h>

inline QJsonObject rpcRequest(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject message { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") }, { QStringLiteral("id"), id },
        { QStringLiteral("method"), method } };
    if (!params.isEmpty())
        message.insert(QStringLiteral("params"), params);
    return message;
}

inline QJsonObject initializeParams(
    const QString &version = QStringLiteral("2025-11-25"), const QString &client = QStringLiteral("test-client"))
{
    return QJsonObject {
        { QStringLiteral("protocolVersion"), version }, { QStringLiteral("capabilities"), QJsonObject {} },
        { QStringLiteral("clientInfo"),
            QJsonObject { { QStringLiteral("name"), client }, { QStringLiteral("version"), QStringLiteral("1.0") } } }
    };
}

class LineClient : public QObject
{
public:
    LineClient()
        : m_reader(64ll * 1024 * 1024)
    {
        QObject::connect(&socket, &QLocalSocket::readyRead, this, [this] {
            const auto items = m_reader.feed(socket.readAll());
            for (const auto &item : items)
                received.append(QJsonDocument::fromJson(item.line).object());
        });
    }

    bool connectTo(const QString &path)
    {
        socket.connectToServer(path);
        return socket.waitForConnected(3000);
    }
    void sendRaw(const QByteArray &bytes)
    {
        socket.write(bytes);
        socket.flush();
    }
    void send(const QJsonObject &message) { sendRaw(JsonRpc::serialize(message) + '\n'); }

    /// Waits for the response with `id` (responses with a null id count for id null).
    QJsonObject waitForResponse(const QJsonValue &id, int timeoutMs = 5000)
    {
        QJsonObject found;
        (void)QTest::qWaitFor(
            [&] {
                for (qsizetype i = 0; i < received.size(); ++i) {
                    const QJsonObject &message = received.at(i);
                    if (message.contains(QStringLiteral("method")))
                        continue;
                    if (message.value(QStringLiteral("id")) == id) {
                        found = received.takeAt(i);
                        return true;
                    }
                }
                return false;
            },
            timeoutMs);
        return found;
    }
    QJsonObject call(const QJsonValue &id, const QString &method, const QJsonObject &params = {}, int timeoutMs = 5000)
    {
        send(rpcRequest(id, method, params));
        return waitForResponse(id, timeoutMs);
    }
    bool initialize(const QString &version = QStringLiteral("2025-11-25"))
    {
        const QJsonObject answer
            = call(QStringLiteral("init"), QStringLiteral("initialize"), initializeParams(version));
        send(QJsonObject { { QStringLiteral("jsonrpc"), QStringLiteral("2.0") },
            { QStringLiteral("method"), QStringLiteral("notifications/initialized") } });
        return answer.contains(QStringLiteral("result"));
    }
    QList<QJsonObject> notifications(const QString &method) const
    {
        QList<QJsonObject> list;
        for (const QJsonObject &message : received) {
            if (message.value(QStringLiteral("method")).toString() == method)
                list.append(message);
        }
        return list;
    }

    QLocalSocket socket;
    QList<QJsonObject> received;

private:
    JsonRpcLineReader m_reader;
};

struct HttpReply
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; ///< names lower-cased
    QByteArray body;
    bool headersDone = false;
    bool complete = false;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &[key, value] : headers) {
            if (key == name)
                return value;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    /// The JSON payloads of the SSE events received so far.
    QList<QJsonObject> events() const
    {
        QList<QJsonObject> list;
        const QList<QByteArray> blocks = body.split('\n');
        for (const QByteArray &line : blocks) {
            if (line.startsWith("data: ") && line.size() > 6)
                list.append(QJsonDocument::fromJson(line.mid(6)).object());
        }
        return list;
    }
    /// The ids of the SSE events received so far, the priming event's included.
    QList<QByteArray> eventIds() const
    {
        QList<QByteArray> ids;
        const QList<QByteArray> lines = body.split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("id: "))
                ids.append(line.mid(4));
        }
        return ids;
    }
};

class HttpClient : public QObject
{
public:
    HttpClient()
    {
        llhttp_settings_init(&m_settings);
        m_settings.on_status = [](llhttp_t *p, const char *, size_t) {
            self(p)->m_current.status = llhttp_get_status_code(p);
            return 0;
        };
        m_settings.on_header_field = [](llhttp_t *p, const char *at, size_t length) {
            HttpClient *c = self(p);
            if (c->m_inValue) {
                c->m_current.headers.append({ c->m_field.toLower(), c->m_value.trimmed() });
                c->m_field.clear();
                c->m_value.clear();
                c->m_inValue = false;
            }
            c->m_field.append(at, qsizetype(length));
            return 0;
        };
        m_settings.on_header_value = [](llhttp_t *p, const char *at, size_t length) {
            HttpClient *c = self(p);
            c->m_inValue = true;
            c->m_value.append(at, qsizetype(length));
            return 0;
        };
        m_settings.on_headers_complete = [](llhttp_t *p) {
            HttpClient *c = self(p);
            if (c->m_inValue)
                c->m_current.headers.append({ c->m_field.toLower(), c->m_value.trimmed() });
            c->m_field.clear();
            c->m_value.clear();
            c->m_inValue = false;
            c->m_current.status = llhttp_get_status_code(p);
            c->m_current.headersDone = true;
            // A 1xx answer is followed by the real one.
            if (c->m_current.status == 100) {
                ++c->interimResponses;
                c->m_current = HttpReply();
            }
            return 0;
        };
        m_settings.on_body = [](llhttp_t *p, const char *at, size_t length) {
            self(p)->m_current.body.append(at, qsizetype(length));
            return 0;
        };
        m_settings.on_message_complete = [](llhttp_t *p) {
            HttpClient *c = self(p);
            if (c->m_current.status == 100 || c->m_current.status == 0) {
                c->m_current = HttpReply();
                return 0;
            }
            c->m_current.complete = true;
            c->replies.append(c->m_current);
            c->m_current = HttpReply();
            return 0;
        };
        llhttp_init(&m_parser, HTTP_RESPONSE, &m_settings);
        m_parser.data = this;
        QObject::connect(&socket, &QTcpSocket::readyRead, this, [this] {
            const QByteArray data = socket.readAll();
            llhttp_execute(&m_parser, data.constData(), size_t(data.size()));
        });
        QObject::connect(&socket, &QTcpSocket::disconnected, this, [this] {
            llhttp_finish(&m_parser);
            closedByServer = true;
        });
    }

    bool connectTo(quint16 port, const QHostAddress &address = QHostAddress::LocalHost)
    {
        m_port = port;
        socket.connectToHost(address, port);
        return socket.waitForConnected(3000);
    }
    void sendRaw(const QByteArray &bytes)
    {
        socket.write(bytes);
        socket.flush();
    }

    /// A request with Host, Content-Length and the given extra headers.
    void sendRequest(const QByteArray &method, const QByteArray &body,
        const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &path = "/mcp")
    {
        QByteArray request = method + ' ' + path + " HTTP/1.1\r\n";
        bool hasHost = false;
        for (const auto &[name, value] : headers) {
            hasHost = hasHost || name.toLower() == "host";
            request += name + ": " + value + "\r\n";
        }
        if (!hasHost)
            request += "Host: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
        if (!body.isEmpty() || method == "POST")
            request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        request += "\r\n" + body;
        sendRaw(request);
    }

    /// Waits for the next complete answer.
    HttpReply waitForReply(int timeoutMs = 5000)
    {
        (void)QTest::qWaitFor([&] { return !replies.isEmpty() || closedByServer; }, timeoutMs);
        if (!replies.isEmpty())
            return replies.takeFirst();
        return HttpReply();
    }
    /// The answer being received (a stream), once its headers are in.
    const HttpReply &current() const { return m_current; }
    bool waitForStreamHead(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return m_current.headersDone || !replies.isEmpty(); }, timeoutMs);
    }

    QTcpSocket socket;
    QList<HttpReply> replies;
    bool closedByServer = false;
    int interimResponses = 0; ///< 100 Continue seen

private:
    static HttpClient *self(llhttp_t *parser) { return static_cast<HttpClient *>(parser->data); }

    llhttp_t m_parser;
    llhttp_settings_t m_settings;
    HttpReply m_current;
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    quint16 m_port = 0;
};
