// SPDX-License-Identifier: GPL-2.0-or-later
// One HTTP/1.1 connection, parsed with llhttp and driven without blocking: requests are read
// one at a time (pipelined bytes wait), limits are enforced while reading (header size, body
// size, time to send a request, idle time), and responses are either complete bodies or
// chunked streams (SSE). It knows nothing about MCP; McpHttpServer decides the answers.
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>

#include <functional>
#include <memory>
#include <optional>

class QIODevice;
class QTimer;

using McpHttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct McpHttpRequest
{
    QByteArray method;
    QByteArray url;
    McpHttpHeaders headers; ///< names lower-cased, values trimmed, in arrival order
    QByteArray body;
    int httpMajor = 1;
    int httpMinor = 1;

    QByteArray header(QByteArrayView name) const; ///< the first value; empty when absent
    bool hasHeader(QByteArrayView name) const;
    QByteArray path() const; ///< the URL without query or fragment
};

struct McpHttpResponse
{
    int status = 200;
    McpHttpHeaders headers;
    QByteArray body;
    bool close = false; ///< close the connection after sending
};

class McpHttpConnection : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        qint64 maxHeaderBytes = 64 * 1024;
        qint64 maxBodyBytes = 4 * 1024 * 1024;
        int idleTimeoutMs = 300 * 1000; ///< between requests on a kept-alive connection
        int requestTimeoutMs = 30 * 1000; ///< from a request's first byte to its last
        /// From connecting to the headers of a first request the server accepts (with the token).
        /// Until then the connection is unauthenticated; past it, it is closed.
        int authTimeoutMs = 5 * 1000;
        int streamKeepAliveMs = 20 * 1000; ///< SSE comment interval, so dead peers are noticed
    };

    static QByteArray reasonPhrase(int status);

    /// Takes ownership of `device` (a QAbstractSocket or QLocalSocket, already connected).
    McpHttpConnection(QIODevice *device, const Limits &limits, QObject *parent = nullptr);
    ~McpHttpConnection() override;

    /// Called when a request's headers are complete. Returning a response rejects the request at
    /// once (the body is not read) and closes the connection.
    std::function<std::optional<McpHttpResponse>(const McpHttpRequest &)> headersHandler;
    /// Called with each complete request; exactly one sendResponse() or beginStream()..endStream()
    /// must follow, now or later.
    std::function<void(McpHttpConnection *, const McpHttpRequest &)> requestHandler;

    void start();
    bool isOpen() const { return !m_closed; }
    /// Increases with every request, so an answer meant for an earlier request is recognised.
    quint64 requestSerial() const { return m_serial; }
    bool isAwaitingResponse() const { return m_phase == Phase::Handling; }
    bool isStreaming() const { return m_phase == Phase::Streaming; }
    /// True once a request's headers were accepted (headersHandler returned no rejection). An
    /// unauthenticated connection has Limits::authTimeoutMs from its start to get there.
    bool isAuthenticated() const { return m_authenticated; }
    /// Ends the unauthenticated deadline; called when the server accepts a request's headers.
    void markAuthenticated();
    /// Whether the peer has said anything yet: part of a request read, or bytes waiting (in our
    /// buffers or still in the kernel's). A connection that has not is the first to make room.
    bool hasSpoken() const;
    /// How long a kept-alive connection has waited for its next request; -1 while it is
    /// reading one, handling one, streaming, or closed.
    qint64 idleMs() const;

    void sendResponse(const McpHttpResponse &response);
    void beginStream(int status, const McpHttpHeaders &headers);
    void writeStream(const QByteArray &data);
    void endStream();
    /// Drops the connection without an answer.
    void abort();

Q_SIGNALS:
    void closed(McpHttpConnection *connection);

private:
    enum class Phase
    {
        Reading,
        Handling,
        Streaming,
        Closing
    };

    friend struct McpHttpCallbacks; // llhttp's C callbacks
    int onMessageBegin();
    int onUrl(const char *at, size_t length);
    int onHeaderField(const char *at, size_t length);
    int onHeaderValue(const char *at, size_t length);
    int onHeaderValueComplete();
    int onHeadersComplete();
    int onBody(const char *at, size_t length);
    int onMessageComplete();

    bool countHeaderBytes(size_t length);
    void processInput();
    /// The status line and headers; RESERVE more bytes are allocated for a body to append.
    QByteArray head(
        int status, const McpHttpHeaders &headers, qint64 contentLength, bool chunked, qsizetype reserve = 0) const;
    void write(const QByteArray &data);
    void finishResponse();
    void rejectAndClose(const McpHttpResponse &response);
    void closeGracefully();
    void onDisconnected();
    void onTimeout();
    void onAuthTimeout();
    void armIdleTimer();

    QIODevice *m_device;
    Limits m_limits;
    struct Parser;
    std::unique_ptr<Parser> m_parser;
    QByteArray m_input; // read from the device, not yet consumed by the parser
    McpHttpRequest m_request;
    QByteArray m_headerField;
    QByteArray m_headerValue;
    bool m_inHeaderValue = false;
    qint64 m_headerBytes = 0;
    std::optional<McpHttpResponse> m_reject;
    bool m_requestReady = false;
    bool m_inRequest = false;
    bool m_keepAlive = true;
    bool m_chunked = false;
    bool m_processing = false;
    bool m_closed = false;
    bool m_lingering = false;
    int m_httpMajor = 1;
    int m_httpMinor = 1;
    Phase m_phase = Phase::Reading;
    quint64 m_serial = 0;
    QTimer *m_timer;
    QElapsedTimer m_idleClock; ///< since the connection last became idle (armIdleTimer)
    QTimer *m_authTimer;
    bool m_authenticated = false;
};
