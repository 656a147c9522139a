// SPDX-License-Identifier: GPL-2.0-or-later
// One HTTP/1.1 connection, parsed with llhttp, driven without blocking.
#include "mcp/mcphttpconnection.h"

#include "mcp/mcplogging.h"

#include <QAbstractSocket>
#include <QLocalSocket>
#include <QTimer>
#include <QVariant>

#include <llhttp.h>
#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace {
constexpr qint64 ReadChunkBytes = 64 * 1024;
// Beyond this, a client is not reading what it asked for (an SSE stream left unread).
constexpr qint64 MaxPendingWriteBytes = 32ll * 1024 * 1024;
constexpr int MaxHeaderCount = 100;
// After a rejection we keep reading (and dropping) briefly so the client sees our answer
// instead of a reset, then give up on it.
constexpr int LingerMs = 2000;
} // namespace

struct McpHttpConnection::Parser
{
    llhttp_t parser;
    llhttp_settings_t settings;
};

struct McpHttpCallbacks
{
    static McpHttpConnection *self(llhttp_t *parser) { return static_cast<McpHttpConnection *>(parser->data); }
    static int messageBegin(llhttp_t *p) { return self(p)->onMessageBegin(); }
    static int url(llhttp_t *p, const char *at, size_t length) { return self(p)->onUrl(at, length); }
    static int headerField(llhttp_t *p, const char *at, size_t length) { return self(p)->onHeaderField(at, length); }
    static int headerValue(llhttp_t *p, const char *at, size_t length) { return self(p)->onHeaderValue(at, length); }
    static int headerValueComplete(llhttp_t *p) { return self(p)->onHeaderValueComplete(); }
    static int headersComplete(llhttp_t *p) { return self(p)->onHeadersComplete(); }
    static int body(llhttp_t *p, const char *at, size_t length) { return self(p)->onBody(at, length); }
    static int messageComplete(llhttp_t *p) { return self(p)->onMessageComplete(); }
};

QByteArray McpHttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

bool McpHttpRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &header : headers) {
        if (header.first == name)
            return true;
    }
    return false;
}

QByteArray McpHttpRequest::path() const
{
    qsizetype end = url.indexOf('?');
    if (end < 0)
        end = url.indexOf('#');
    return end < 0 ? url : url.left(end);
}

QByteArray McpHttpConnection::reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

McpHttpConnection::McpHttpConnection(QIODevice *device, const Limits &limits, QObject *parent)
    : QObject(parent)
    , m_device(device)
    , m_limits(limits)
    , m_parser(std::make_unique<Parser>())
    , m_timer(new QTimer(this))
    , m_authTimer(new QTimer(this))
{
    device->setParent(this);
    llhttp_settings_init(&m_parser->settings);
    m_parser->settings.on_message_begin = &McpHttpCallbacks::messageBegin;
    m_parser->settings.on_url = &McpHttpCallbacks::url;
    m_parser->settings.on_header_field = &McpHttpCallbacks::headerField;
    m_parser->settings.on_header_value = &McpHttpCallbacks::headerValue;
    m_parser->settings.on_header_value_complete = &McpHttpCallbacks::headerValueComplete;
    m_parser->settings.on_headers_complete = &McpHttpCallbacks::headersComplete;
    m_parser->settings.on_body = &McpHttpCallbacks::body;
    m_parser->settings.on_message_complete = &McpHttpCallbacks::messageComplete;
    llhttp_init(&m_parser->parser, HTTP_REQUEST, &m_parser->settings);
    m_parser->parser.data = this;

    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &McpHttpConnection::onTimeout);
    m_authTimer->setSingleShot(true);
    connect(m_authTimer, &QTimer::timeout, this, &McpHttpConnection::onAuthTimeout);
    connect(device, &QIODevice::readyRead, this, [this] {
        if (m_phase == Phase::Reading) {
            processInput();
        } else if (m_phase == Phase::Closing) {
            m_device->readAll(); // lingering close: drop what the client still sends
        }
    });
    connect(device, &QIODevice::bytesWritten, this, [this] {
        if (m_phase == Phase::Closing && m_device->bytesToWrite() == 0)
            closeGracefully();
    });
    if (auto *socket = qobject_cast<QAbstractSocket *>(device)) {
        // Bounded reading: while a request is handled, further bytes wait in the kernel.
        socket->setReadBufferSize(ReadChunkBytes * 2);
        // Answers are small and interactive: don't let Nagle hold them back.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, QVariant(1));
        connect(socket, &QAbstractSocket::disconnected, this, &McpHttpConnection::onDisconnected);
    } else if (auto *local = qobject_cast<QLocalSocket *>(device)) {
        local->setReadBufferSize(ReadChunkBytes * 2);
        connect(local, &QLocalSocket::disconnected, this, &McpHttpConnection::onDisconnected);
    }
}

McpHttpConnection::~McpHttpConnection() = default;

void McpHttpConnection::start()
{
    // A connection that says nothing, or nothing the server accepts, must not hold its place
    // for the idle timeout (300 s): it has a few seconds to present the token.
    if (!m_authenticated)
        m_authTimer->start(m_limits.authTimeoutMs);
    armIdleTimer();
    processInput();
}

void McpHttpConnection::markAuthenticated()
{
    m_authenticated = true;
    m_authTimer->stop();
}

bool McpHttpConnection::hasSpoken() const
{
    if (m_inRequest || !m_input.isEmpty() || m_serial > 0 || m_device->bytesAvailable() > 0)
        return true;
    // Bytes may have arrived that the event loop has not read yet (a burst of new clients).
    qintptr fd = -1;
    if (auto *socket = qobject_cast<QAbstractSocket *>(m_device))
        fd = socket->socketDescriptor();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_device))
        fd = local->socketDescriptor();
    char byte = 0;
    return fd >= 0 && ::recv(int(fd), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

void McpHttpConnection::onAuthTimeout()
{
    if (m_authenticated || m_closed || m_phase != Phase::Reading)
        return;
    qCDebug(lcMcpHttp) << "no authorised request in time; closing";
    if (m_inRequest)
        rejectAndClose(McpHttpResponse { 408, { { "Content-Type", "text/plain" } }, "Request timeout\n", true });
    else
        abort();
}

int McpHttpConnection::onMessageBegin()
{
    m_request = McpHttpRequest();
    m_headerField.clear();
    m_headerValue.clear();
    m_headerBytes = 0;
    m_inRequest = true;
    ++m_serial;
    // The whole request must arrive within this time, however slowly its bytes trickle in.
    m_timer->start(m_limits.requestTimeoutMs);
    return 0;
}

bool McpHttpConnection::countHeaderBytes(size_t length)
{
    m_headerBytes += qint64(length);
    if (m_headerBytes <= m_limits.maxHeaderBytes)
        return true;
    m_reject = McpHttpResponse { 431, { { "Content-Type", "text/plain" } }, "Request header fields too large\n", true };
    return false;
}

int McpHttpConnection::onUrl(const char *at, size_t length)
{
    if (!countHeaderBytes(length))
        return -1;
    m_request.url.append(at, qsizetype(length));
    return 0;
}

int McpHttpConnection::onHeaderField(const char *at, size_t length)
{
    if (!countHeaderBytes(length))
        return -1;
    m_headerField.append(at, qsizetype(length));
    return 0;
}

int McpHttpConnection::onHeaderValue(const char *at, size_t length)
{
    if (!countHeaderBytes(length))
        return -1;
    m_headerValue.append(at, qsizetype(length));
    return 0;
}

int McpHttpConnection::onHeaderValueComplete()
{
    if (m_request.headers.size() >= MaxHeaderCount) {
        m_reject
            = McpHttpResponse { 431, { { "Content-Type", "text/plain" } }, "Too many request header fields\n", true };
        return -1;
    }
    m_request.headers.append({ m_headerField.toLower(), m_headerValue.trimmed() });
    m_headerField.clear();
    m_headerValue.clear();
    return 0;
}

int McpHttpConnection::onHeadersComplete()
{
    llhttp_t *parser = &m_parser->parser;
    m_request.method = llhttp_method_name(llhttp_method_t(llhttp_get_method(parser)));
    m_request.httpMajor = llhttp_get_http_major(parser);
    m_request.httpMinor = llhttp_get_http_minor(parser);
    m_keepAlive = llhttp_should_keep_alive(parser);
    m_httpMajor = m_request.httpMajor;
    m_httpMinor = m_request.httpMinor;

    if ((parser->flags & F_CONTENT_LENGTH) && qint64(parser->content_length) > m_limits.maxBodyBytes) {
        // Refused before a byte of the body is read.
        m_reject = McpHttpResponse { 413, { { "Content-Type", "text/plain" } },
            "Request body larger than " + QByteArray::number(m_limits.maxBodyBytes) + " bytes\n", true };
        return -1;
    }
    if (headersHandler) {
        if (std::optional<McpHttpResponse> reject = headersHandler(m_request)) {
            reject->close = true;
            m_reject = std::move(reject);
            return -1;
        }
    }
    // The server took these headers (token included): the connection is a client's now.
    markAuthenticated();
    if (m_request.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0 && m_request.httpMinor >= 1)
        write("HTTP/1.1 100 Continue\r\n\r\n");
    return 0;
}

int McpHttpConnection::onBody(const char *at, size_t length)
{
    if (m_request.body.size() + qint64(length) > m_limits.maxBodyBytes) {
        m_reject = McpHttpResponse { 413, { { "Content-Type", "text/plain" } },
            "Request body larger than " + QByteArray::number(m_limits.maxBodyBytes) + " bytes\n", true };
        return -1;
    }
    m_request.body.append(at, qsizetype(length));
    return 0;
}

int McpHttpConnection::onMessageComplete()
{
    m_requestReady = true;
    // Stop here: the next pipelined request is parsed only after this one is answered.
    return HPE_PAUSED;
}

void McpHttpConnection::processInput()
{
    if (m_processing || m_closed)
        return;
    m_processing = true;
    llhttp_t *parser = &m_parser->parser;
    while (!m_closed && m_phase == Phase::Reading) {
        if (m_input.isEmpty()) {
            m_input = m_device->read(ReadChunkBytes);
            if (m_input.isEmpty())
                break;
        }
        const char *data = m_input.constData();
        const llhttp_errno_t error = llhttp_execute(parser, data, size_t(m_input.size()));
        if (error == HPE_OK) {
            m_input.clear();
            continue;
        }
        if (error == HPE_PAUSED && m_requestReady) {
            m_input.remove(0, llhttp_get_error_pos(parser) - data);
            llhttp_resume(parser);
            m_requestReady = false;
            m_inRequest = false;
            m_phase = Phase::Handling;
            m_timer->stop();
            const McpHttpRequest request = std::exchange(m_request, McpHttpRequest());
            if (requestHandler)
                requestHandler(this, request);
            else
                sendResponse(McpHttpResponse { 500, {}, {}, true });
            continue;
        }
        if (m_reject) {
            rejectAndClose(*std::exchange(m_reject, std::nullopt));
        } else {
            qCDebug(lcMcpHttp) << "malformed request:" << llhttp_errno_name(error) << llhttp_get_error_reason(parser);
            rejectAndClose(McpHttpResponse { 400, { { "Content-Type", "text/plain" } },
                "Malformed HTTP request: " + QByteArray(llhttp_get_error_reason(parser)) + '\n', true });
        }
        break;
    }
    m_processing = false;
    if (!m_closed && m_phase == Phase::Reading && !m_inRequest)
        armIdleTimer();
}

qint64 McpHttpConnection::idleMs() const
{
    if (m_closed || m_phase != Phase::Reading || m_inRequest || !m_input.isEmpty() || !m_timer->isActive())
        return -1;
    // Measured, not read back from the timer: a long coarse timer may be scheduled seconds off.
    return m_idleClock.elapsed();
}

void McpHttpConnection::armIdleTimer()
{
    if (!m_inRequest) {
        m_timer->start(m_limits.idleTimeoutMs);
        m_idleClock.start();
    }
}

QByteArray McpHttpConnection::head(
    int status, const McpHttpHeaders &headers, qint64 contentLength, bool chunked, qsizetype reserve) const
{
    // Built in place, with room for the body that follows, so the answer is one buffer.
    QByteArray head;
    head.reserve(256 + reserve);
    head += "HTTP/1.1 ";
    head += QByteArray::number(status);
    head += ' ';
    head += reasonPhrase(status);
    head += "\r\n";
    for (const auto &[name, value] : headers) {
        head += name;
        head += ": ";
        head += value;
        head += "\r\n";
    }
    if (chunked) {
        head += "Transfer-Encoding: chunked\r\n";
    } else if (contentLength >= 0) {
        head += "Content-Length: ";
        head += QByteArray::number(contentLength);
        head += "\r\n";
    }
    head += m_keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    return head;
}

void McpHttpConnection::write(const QByteArray &data)
{
    if (m_closed)
        return;
    if (m_device->bytesToWrite() + data.size() > MaxPendingWriteBytes) {
        qCWarning(lcMcpHttp) << "a client does not read its answers; dropping the connection";
        abort();
        return;
    }
    m_device->write(data);
    // Send now, not when the event loop next polls the socket for writing: that is one more
    // pass of the loop between the answer and the client for every request.
    if (auto *socket = qobject_cast<QAbstractSocket *>(m_device))
        socket->flush();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_device))
        local->flush();
}

void McpHttpConnection::sendResponse(const McpHttpResponse &response)
{
    if (m_closed || m_phase != Phase::Handling)
        return;
    if (response.close)
        m_keepAlive = false;
    // One write: a head and body sent apart can wait out the peer's delayed ACK.
    QByteArray message = head(response.status, response.headers, response.body.size(), false, response.body.size());
    message += response.body;
    write(message);
    finishResponse();
}

void McpHttpConnection::beginStream(int status, const McpHttpHeaders &headers)
{
    if (m_closed || m_phase != Phase::Handling)
        return;
    // HTTP/1.0 has no chunked encoding: the end of the stream is the end of the connection.
    m_chunked = m_httpMajor > 1 || m_httpMinor >= 1;
    if (!m_chunked)
        m_keepAlive = false;
    m_phase = Phase::Streaming;
    write(head(status, headers, -1, m_chunked));
    m_timer->start(m_limits.streamKeepAliveMs);
}

void McpHttpConnection::writeStream(const QByteArray &data)
{
    if (m_closed || m_phase != Phase::Streaming || data.isEmpty())
        return;
    if (m_chunked)
        write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
    else
        write(data);
}

void McpHttpConnection::endStream()
{
    if (m_closed || m_phase != Phase::Streaming)
        return;
    if (m_chunked)
        write("0\r\n\r\n");
    finishResponse();
}

void McpHttpConnection::finishResponse()
{
    if (m_closed)
        return;
    if (!m_keepAlive) {
        m_phase = Phase::Closing;
        closeGracefully();
        return;
    }
    m_phase = Phase::Reading;
    m_timer->stop();
    armIdleTimer();
    if (!m_processing)
        QMetaObject::invokeMethod(this, &McpHttpConnection::processInput, Qt::QueuedConnection);
}

void McpHttpConnection::rejectAndClose(const McpHttpResponse &response)
{
    m_keepAlive = false;
    write(head(response.status, response.headers, response.body.size(), false) + response.body);
    m_phase = Phase::Closing;
    closeGracefully();
}

void McpHttpConnection::closeGracefully()
{
    if (m_closed)
        return;
    m_phase = Phase::Closing;
    if (!std::exchange(m_lingering, true))
        m_timer->start(LingerMs);
    if (m_device->bytesToWrite() > 0)
        return; // bytesWritten brings us back
    // Send FIN after the answer but keep reading: closing with unread input would reset the
    // connection and could destroy the answer before the client reads it.
    qintptr fd = -1;
    if (auto *socket = qobject_cast<QAbstractSocket *>(m_device))
        fd = socket->socketDescriptor();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_device))
        fd = local->socketDescriptor();
    if (fd >= 0)
        ::shutdown(int(fd), SHUT_WR);
    m_device->readAll();
}

void McpHttpConnection::abort()
{
    if (m_closed)
        return;
    if (auto *socket = qobject_cast<QAbstractSocket *>(m_device))
        socket->abort();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_device))
        local->abort();
    onDisconnected();
}

void McpHttpConnection::onDisconnected()
{
    if (std::exchange(m_closed, true))
        return;
    m_timer->stop();
    m_authTimer->stop();
    Q_EMIT closed(this);
    deleteLater();
}

void McpHttpConnection::onTimeout()
{
    switch (m_phase) {
    case Phase::Reading:
        if (m_inRequest) {
            qCDebug(lcMcpHttp) << "request not complete in time; closing";
            rejectAndClose(McpHttpResponse { 408, { { "Content-Type", "text/plain" } }, "Request timeout\n", true });
        } else {
            closeGracefully();
        }
        break;
    case Phase::Handling:
        break;
    case Phase::Streaming:
        // An SSE comment: ignored by clients, but a dead peer shows up as a write error.
        writeStream(": keep-alive\n\n");
        m_timer->start(m_limits.streamKeepAliveMs);
        break;
    case Phase::Closing:
        abort();
        break;
    }
}
