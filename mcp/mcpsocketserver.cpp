// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcp/mcpsocketserver.h"

#include "engine/engineconfig.h"

#include "mcp/jsonrpc.h"
#include "mcp/mcpdispatcher.h"
#include "mcp/mcplogging.h"
#include "mcp/mcpsession.h"

#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// A client that stops reading while we answer must not make us buffer without bound.
constexpr qint64 MaxPendingWriteBytes = 64ll * 1024 * 1024;
constexpr qint64 ReadChunkBytes = 256 * 1024;

class SocketConnection;

class SocketSink : public McpSink
{
public:
    explicit SocketSink(SocketConnection *connection);
    void notify(const QJsonObject &notification) override;
    void respond(const QJsonValue &response) override;
    bool respondSerialized(const QByteArray &json) override;
    void accept() override { }
    bool isOpen() const override;

private:
    QPointer<SocketConnection> m_connection;
};

class SocketConnection : public QObject
{
    Q_OBJECT
public:
    SocketConnection(QLocalSocket *socket, McpDispatcher *dispatcher, qint64 maxLineBytes, QObject *parent)
        : QObject(parent)
        , m_socket(socket)
        , m_dispatcher(dispatcher)
        , m_reader(maxLineBytes)
        , m_session(new McpSession(u"socket"_s, this))
    {
        socket->setParent(this);
        m_sink = std::make_shared<SocketSink>(this);
        m_session->addPushChannel(this, [this](const QJsonObject &message) { write(JsonRpc::serialize(message)); });
        connect(socket, &QLocalSocket::readyRead, this, &SocketConnection::onReadyRead);
        connect(socket, &QLocalSocket::disconnected, this, &SocketConnection::onDisconnected);
        connect(socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
            if (error != QLocalSocket::PeerClosedError)
                qCDebug(lcMcpSocket) << "socket error" << m_socket->errorString();
        });
    }

    McpSession *session() const { return m_session; }
    bool isOpen() const { return !m_closed; }

    void write(const QByteArray &message)
    {
        if (m_closed)
            return;
        if (m_socket->bytesToWrite() + message.size() > MaxPendingWriteBytes) {
            qCWarning(lcMcpSocket) << "client" << m_session->id() << "does not read its answers; disconnecting";
            m_socket->abort();
            onDisconnected();
            return;
        }
        QByteArray line;
        line.reserve(message.size() + 1);
        line.append(message);
        line.append('\n');
        m_socket->write(line);
    }

    void start()
    {
        // Data may have arrived before the connection was wired.
        if (m_socket->bytesAvailable() > 0)
            onReadyRead();
        if (m_socket->state() != QLocalSocket::ConnectedState)
            onDisconnected();
    }

Q_SIGNALS:
    void finished(SocketConnection *connection);

private:
    void onReadyRead()
    {
        while (!m_closed && m_socket->bytesAvailable() > 0) {
            const QByteArray chunk = m_socket->read(ReadChunkBytes);
            if (chunk.isEmpty())
                break;
            const QList<JsonRpcLineReader::Item> items = m_reader.feed(chunk);
            for (const JsonRpcLineReader::Item &item : items) {
                if (m_closed)
                    return;
                if (item.kind == JsonRpcLineReader::Item::Kind::Oversize) {
                    m_dispatcher->reportTransportError(m_session, JsonRpc::InvalidRequest,
                        u"Invalid Request: the message exceeds %1 bytes; it was skipped up to its newline"_s.arg(
                            m_reader.maxLineBytes()),
                        m_sink);
                    continue;
                }
                const JsonRpc::ParseResult parsed = JsonRpc::parse(item.line);
                if (!parsed.ok) {
                    m_dispatcher->reportTransportError(m_session, parsed.errorCode, parsed.errorMessage, m_sink);
                    continue;
                }
                m_dispatcher->handle(m_session, parsed.value, m_sink);
            }
        }
    }

    void onDisconnected()
    {
        if (std::exchange(m_closed, true))
            return;
        // Requests in flight are cancelled: nobody is left to read their answers.
        m_session->close();
        Q_EMIT finished(this);
        deleteLater();
    }

    QLocalSocket *m_socket;
    McpDispatcher *m_dispatcher;
    JsonRpcLineReader m_reader;
    McpSession *m_session;
    std::shared_ptr<SocketSink> m_sink;
    bool m_closed = false;
};

SocketSink::SocketSink(SocketConnection *connection)
    : m_connection(connection)
{ }

void SocketSink::notify(const QJsonObject &notification)
{
    if (m_connection)
        m_connection->write(JsonRpc::serialize(notification));
}

void SocketSink::respond(const QJsonValue &response)
{
    if (m_connection)
        m_connection->write(JsonRpc::serialize(response));
}

bool SocketSink::respondSerialized(const QByteArray &json)
{
    if (m_connection)
        m_connection->write(json);
    return true;
}

bool SocketSink::isOpen() const
{
    return m_connection && m_connection->isOpen();
}

bool ensurePrivateDirectory(const QString &path, QString *error)
{
    if (!QDir().mkpath(path)) {
        *error = u"cannot create %1"_s.arg(path);
        return false;
    }
    struct stat info;
    const QByteArray native = QFile::encodeName(path);
    if (::stat(native.constData(), &info) != 0) {
        *error = u"cannot inspect %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (info.st_uid != ::geteuid()) {
        *error = u"%1 belongs to another user"_s.arg(path);
        return false;
    }
    if ((info.st_mode & 0777) != 0700 && ::chmod(native.constData(), 0700) != 0) {
        *error = u"cannot make %1 private: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

} // namespace

QString McpSocketServer::defaultPath()
{
    return defaultSocketPath();
}

bool McpSocketServer::isLive(const QString &path)
{
    // A plain non-blocking-free connect(): on a Unix socket it succeeds at once when someone
    // listens and fails with ECONNREFUSED when the file is a leftover. No event loop needed.
    const QByteArray native = QFile::encodeName(path);
    sockaddr_un address {};
    if (native.size() >= qsizetype(sizeof(address.sun_path)))
        return false;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, native.constData(), native.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const int result = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address));
    const int error = errno;
    ::close(fd);
    // EAGAIN: the listener's backlog is full, which still means it is alive.
    return result == 0 || error == EAGAIN;
}

McpSocketServer::McpSocketServer(McpDispatcher *dispatcher, qint64 maxLineBytes, int maxConnections, QObject *parent)
    : QObject(parent)
    , m_dispatcher(dispatcher)
    , m_maxLineBytes(maxLineBytes)
    , m_maxConnections(maxConnections)
{ }

McpSocketServer::~McpSocketServer()
{
    close();
}

bool McpSocketServer::listen(const QString &path)
{
    close();
    m_path = path;
    const QFileInfo info(path);
    if (!ensurePrivateDirectory(info.absolutePath(), &m_errorString))
        return false;
    if (QFileInfo::exists(path) || info.isSymLink()) {
        if (isLive(path)) {
            m_errorString = u"another TraceDesk instance is serving MCP at %1"_s.arg(path);
            return false;
        }
        qCInfo(lcMcpSocket) << "removing the stale socket" << path;
        QLocalServer::removeServer(path);
        QFile::remove(path);
    }
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    m_server->setMaxPendingConnections(128);
    connect(m_server, &QLocalServer::newConnection, this, &McpSocketServer::onNewConnection);
    if (!m_server->listen(path)) {
        m_errorString = u"cannot listen at %1: %2"_s.arg(path, m_server->errorString());
        delete m_server;
        m_server = nullptr;
        return false;
    }
    qCInfo(lcMcpSocket) << "serving MCP at" << path;
    return true;
}

void McpSocketServer::close()
{
    for (const QPointer<QObject> &connection : std::exchange(m_connections, {})) {
        if (connection)
            delete connection;
    }
    if (m_server) {
        m_server->close(); // removes the socket file
        delete m_server;
        m_server = nullptr;
    }
}

bool McpSocketServer::isListening() const
{
    return m_server && m_server->isListening();
}

int McpSocketServer::connectionCount() const
{
    int count = 0;
    for (const QPointer<QObject> &connection : m_connections)
        count += connection ? 1 : 0;
    return count;
}

void McpSocketServer::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        m_connections.removeAll(nullptr);
        if (connectionCount() >= m_maxConnections) {
            qCWarning(lcMcpSocket) << "refusing a client: already" << m_maxConnections << "connections";
            socket->write(JsonRpc::serialize(JsonRpc::errorResponse({}, JsonRpc::InternalError,
                              u"Too many connections: the server allows %1 at a time"_s.arg(m_maxConnections)))
                + '\n');
            socket->disconnectFromServer();
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        auto *connection = new SocketConnection(socket, m_dispatcher, m_maxLineBytes, this);
        m_connections.append(connection);
        McpSession *session = connection->session();
        connect(session, &McpSession::closed, this, [this, session] { Q_EMIT sessionClosed(session); });
        Q_EMIT sessionOpened(session);
        connection->start();
    }
}

#include "mcpsocketserver.moc"
