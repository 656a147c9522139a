// SPDX-License-Identifier: GPL-2.0-or-later
// `tracedesk --mcp-stdio`: relays stdin/stdout to the running instance's local socket.
#include "mcp/stdiobridge.h"

#include "mcp/jsonrpc.h"
#include "mcp/mcpsocketserver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStdioBridge, "tracedesk.mcp.stdio", QtWarningMsg)

namespace {

constexpr int RetryIntervalMs = 100;
constexpr int ReadChunk = 64 * 1024;

// Only pipes and sockets get O_NONBLOCK: the flag lives on the shared open file description, and
// flipping it on a terminal would leave the person's shell with a non-blocking tty.
bool makeNonBlockingIfStream(int fd)
{
    struct stat st = {};
    if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
        return false;
    const int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// A line is looked into only up to this size: an answer larger than that is still matched by its
// id, which our server writes first ({"id":..., "jsonrpc":..., "result":...}: keys sorted).
constexpr qsizetype MaxTrackedLine = 16 * 1024 * 1024;
constexpr qsizetype OversizeIdPrefix = 256;
constexpr int ReaderCheckIntervalMs = 1000;

// The id of a message, as the server keys it (1 and "1" differ); empty when the server would
// answer it with "id": null (missing, fractional, too large, not a number or string).
QString trackedId(const QJsonObject &message)
{
    return JsonRpc::idKey(message.value(u"id"_s));
}

// The leading {"id":N or {"id":"S" of an oversize line.
QString leadingId(QByteArrayView prefix)
{
    static const QRegularExpression pattern(uR"(^\{"id":(-?\d+|"(?:[^"\\]|\\.)*")[,}])"_s);
    const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(prefix));
    if (!match.hasMatch())
        return {};
    return JsonRpc::idKey(QJsonDocument::fromJson("[" + match.captured(1).toUtf8() + "]").array().first());
}

// Calls f(message) for each JSON-RPC object in the complete lines of DATA, keeping an unfinished
// last line in LINE. Lines that cannot matter (no "id" in them) are not parsed at all. A line over
// MaxTrackedLine is not kept whole: only its start, and oversize(start) is called at its end.
template<typename F, typename G> void forEachMessage(StdioBridge::LineState &line, QByteArrayView data, F f, G oversize)
{
    qsizetype start = 0;
    for (qsizetype newline; (newline = data.indexOf('\n', start)) >= 0; start = newline + 1) {
        const QByteArrayView tail = data.sliced(start, newline - start);
        if (line.oversize) {
            oversize(line.text);
            line = {};
            continue;
        }
        const QByteArray text = line.text + tail;
        line = {};
        if (!text.contains("\"id\"") && !text.contains("\"requestId\""))
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(text);
        if (document.isObject()) {
            f(document.object());
        } else if (document.isArray()) { // a 2025-03-26 batch
            const QJsonArray batch = document.array();
            for (const QJsonValue &message : batch)
                f(message.toObject());
        }
    }
    const QByteArrayView rest = data.sliced(start);
    if (line.oversize)
        return;
    if (line.text.size() + rest.size() <= MaxTrackedLine) {
        line.text += rest;
    } else {
        line.text = QByteArray(line.text + rest).left(OversizeIdPrefix);
        line.oversize = true;
    }
}

} // namespace

StdioBridge::StdioBridge(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_socketPath(options.socketPath.isEmpty() ? defaultSocketPath() : options.socketPath)
{
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setInterval(RetryIntervalMs);
    connect(&m_retryTimer, &QTimer::timeout, this, &StdioBridge::tryConnect);
    m_readerCheck.setInterval(ReaderCheckIntervalMs);
    connect(&m_readerCheck, &QTimer::timeout, this, &StdioBridge::checkReader);
}

StdioBridge::~StdioBridge() = default;

QString StdioBridge::defaultSocketPath()
{
    // The server's own rule, so both ends always agree.
    return McpSocketServer::defaultPath();
}

void StdioBridge::start()
{
    m_startClock.start();
    tryConnect();
}

void StdioBridge::tryConnect()
{
    if (m_finished)
        return;
    // A fresh socket per attempt: a QLocalSocket that failed keeps state we do not want to reason about.
    if (m_socket)
        m_socket->deleteLater();
    m_socket = new QLocalSocket(this);
    m_socket->setReadBufferSize(m_options.maxBufferedBytes);
    connect(m_socket, &QLocalSocket::connected, this, &StdioBridge::beginRelay);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &StdioBridge::onSocketError);
    m_socket->connectToServer(m_socketPath, QIODevice::ReadWrite);
}

void StdioBridge::onSocketError(QLocalSocket::LocalSocketError error)
{
    if (m_finished)
        return;
    auto *socket = qobject_cast<QLocalSocket *>(sender());
    if (socket != m_socket)
        return;
    if (m_relaying) {
        // PeerClosedError arrives together with disconnected(), which does the orderly part.
        if (error != QLocalSocket::PeerClosedError)
            qCWarning(lcStdioBridge) << "socket error:" << socket->errorString();
        return;
    }

    const bool nobodyListens = error == QLocalSocket::ServerNotFoundError
        || error == QLocalSocket::ConnectionRefusedError || error == QLocalSocket::SocketTimeoutError;
    if (!nobodyListens) {
        finish(1, u"cannot connect to the TraceDesk socket %1: %2"_s.arg(m_socketPath, socket->errorString()));
        return;
    }
    if (!m_startedInstance) {
        if (m_options.program.isEmpty()) {
            finish(1,
                u"no TraceDesk instance is listening on %1; start one with 'tracedesk' or 'tracedesk --headless'"_s.arg(
                    m_socketPath));
            return;
        }
        startInstance();
        if (m_finished)
            return;
    }
    if (m_startClock.elapsed() >= m_options.startTimeoutMs) {
        QString message = u"started '%1' but its socket %2 did not appear within %3 s"_s.arg(
            m_options.program, m_socketPath, QString::number(m_options.startTimeoutMs / 1000.0));
        const QString tail = instanceLogTail();
        if (!tail.isEmpty())
            message += u"; its log (%1) ends with:\n"_s.arg(m_options.instanceLogPath) + tail;
        finish(1, message);
        return;
    }
    m_retryTimer.start();
}

void StdioBridge::startInstance()
{
    const QString socketDir = QFileInfo(m_socketPath).absolutePath();
    if (m_options.instanceLogPath.isEmpty()) {
        // The instance's own 0700 directory; created here the same way the server creates it.
        if (!QFileInfo::exists(socketDir) && QDir().mkpath(socketDir))
            QFile::setPermissions(socketDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        m_options.instanceLogPath = socketDir + u"/instance.log"_s;
    }

    // A detached start reports success before exec(), so a missing program is caught here.
    const QFileInfo program(
        m_options.program.contains(u'/') ? m_options.program : QStandardPaths::findExecutable(m_options.program));
    if (!program.isFile() || !program.isExecutable()) {
        finish(1,
            u"no TraceDesk instance is listening on %1 and starting '%2' failed: not an executable file"_s.arg(
                m_socketPath, m_options.program));
        return;
    }

    QProcess process;
    process.setProgram(m_options.program);
    process.setArguments(m_options.arguments);
    // Our stdout is the MCP stream: the instance must never write there, nor read our stdin.
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(m_options.instanceLogPath);
    // Its own session: the client ending the bridge (SIGTERM/SIGHUP to our group) must not end
    // the instance, which other clients and the window may be using.
    process.setUnixProcessParameters(QProcess::UnixProcessFlag::CreateNewSession
        | QProcess::UnixProcessFlag::ResetSignalHandlers | QProcess::UnixProcessFlag::CloseFileDescriptors);
    qint64 pid = 0;
    if (!process.startDetached(&pid)) {
        finish(1,
            u"no TraceDesk instance is listening on %1 and starting '%2' failed: %3"_s.arg(
                m_socketPath, m_options.program, process.errorString()));
        return;
    }
    m_startedInstance = true;
    qCInfo(lcStdioBridge) << "started" << m_options.program << m_options.arguments << "pid" << pid;
}

QString StdioBridge::instanceLogTail() const
{
    QFile log(m_options.instanceLogPath);
    if (!log.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = log.size();
    if (size > 2048)
        log.seek(size - 2048);
    return QString::fromUtf8(log.readAll()).trimmed();
}

void StdioBridge::beginRelay()
{
    if (m_finished)
        return;
    m_relaying = true;
    m_retryTimer.stop();
    connect(m_socket, &QLocalSocket::readyRead, this, &StdioBridge::readSocket);
    connect(m_socket, &QLocalSocket::bytesWritten, this, &StdioBridge::updateNotifiers);
    connect(m_socket, &QLocalSocket::disconnected, this, [this] {
        if (m_finished)
            return;
        // Whatever arrived before the close still goes out first; flushOutput() then ends.
        readSocket();
    });

    m_inputNonBlocking = makeNonBlockingIfStream(m_options.inputFd);
    m_outputNonBlocking = makeNonBlockingIfStream(m_options.outputFd);
    m_inputNotifier = new QSocketNotifier(m_options.inputFd, QSocketNotifier::Read, this);
    connect(m_inputNotifier, &QSocketNotifier::activated, this, &StdioBridge::readInput);
    m_outputNotifier = new QSocketNotifier(m_options.outputFd, QSocketNotifier::Write, this);
    m_outputNotifier->setEnabled(false);
    connect(m_outputNotifier, &QSocketNotifier::activated, this, &StdioBridge::flushOutput);
    Q_EMIT connected();
    // Data may already be waiting on both sides.
    readSocket();
}

void StdioBridge::readInput()
{
    if (m_finished || m_inputEof)
        return;
    char buffer[ReadChunk];
    for (;;) {
        if (m_socket->bytesToWrite() >= m_options.maxBufferedBytes)
            break; // the instance is not keeping up: stop reading until it drains
        const ssize_t n = ::read(m_options.inputFd, buffer, sizeof buffer);
        if (n > 0) {
            m_socket->write(buffer, n);
            trackClientBytes(QByteArrayView(buffer, n));
            if (!m_inputNonBlocking)
                break; // a blocking descriptor: one read per notification never blocks
            continue;
        }
        if (n == 0) {
            // The client is done sending. Its requests still get their answers (a piped
            // `printf '...' | tracedesk --mcp-stdio` expects them); then we close our end. A
            // client that wants us gone sooner sends SIGTERM (MCP's stdio shutdown), and one that
            // went away altogether is noticed by its closed stdout.
            m_inputEof = true;
            m_inputNotifier->setEnabled(false);
            m_readerCheck.start();
            finishIfDone();
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        finish(1, u"reading stdin failed: %1"_s.arg(errnoText()));
        return;
    }
    updateNotifiers();
}

void StdioBridge::readSocket()
{
    if (m_finished || !m_socket)
        return;
    const qint64 room = m_options.maxBufferedBytes - m_outputBuffer.size();
    if (room > 0 && m_socket->bytesAvailable() > 0)
        takeFromSocket(room);
    flushOutput();
}

void StdioBridge::flushOutput()
{
    if (m_finished)
        return;
    while (!m_outputBuffer.isEmpty()) {
        const ssize_t n = ::write(m_options.outputFd, m_outputBuffer.constData(), size_t(m_outputBuffer.size()));
        if (n > 0) {
            m_outputBuffer.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        // EPIPE and friends: the client is gone, nobody will read an answer.
        finish(m_inputEof ? 0 : 1, u"writing stdout failed: %1"_s.arg(errnoText()));
        return;
    }
    // Pull in what the socket already buffered now that there is room again.
    if (m_outputBuffer.size() < m_options.maxBufferedBytes && m_socket && m_socket->bytesAvailable() > 0) {
        takeFromSocket(m_options.maxBufferedBytes - m_outputBuffer.size());
        if (!m_outputBuffer.isEmpty()) {
            flushOutput();
            return;
        }
    }
    updateNotifiers();
    if (m_finished || !m_outputBuffer.isEmpty() || !m_relaying || m_socket->state() != QLocalSocket::UnconnectedState)
        return;
    if (!m_inputEof)
        finish(1, u"the TraceDesk instance closed the connection"_s);
    else if (!m_outstanding.isEmpty())
        finish(1,
            u"the TraceDesk instance closed the connection with %1 request(s) unanswered"_s.arg(m_outstanding.size()));
    else
        finish(0, {});
}

void StdioBridge::takeFromSocket(qint64 maxBytes)
{
    const QByteArray chunk = m_socket->read(maxBytes);
    m_outputBuffer += chunk;
    if (m_outstanding.isEmpty() && m_socketLine.text.isEmpty() && !m_socketLine.oversize)
        return; // nothing to match answers against (the common case while the client is sending)
    auto answered = [this](const QString &id) {
        auto it = m_outstanding.find(id);
        if (it != m_outstanding.end() && --it.value() <= 0)
            m_outstanding.erase(it);
    };
    forEachMessage(
        m_socketLine, chunk,
        [&](const QJsonObject &message) {
            // An answer: a response (a request from the server has a method, and its own ids).
            if (!message.contains(u"method"_s))
                answered(trackedId(message));
        },
        [&](const QByteArray &prefix) { answered(leadingId(prefix)); });
    finishIfDone();
}

void StdioBridge::trackClientBytes(QByteArrayView data)
{
    forEachMessage(
        m_inputLine, data,
        [this](const QJsonObject &message) {
            const QString method = message.value(u"method"_s).toString();
            if (method.isEmpty())
                return; // the client's response to a server request
            // A request the server answers with this id: counted, for a client may reuse an id
            // (the server then answers twice: "already in use", then the real answer).
            if (const QString id = trackedId(message); !id.isEmpty())
                ++m_outstanding[id];
            else if (method == u"notifications/cancelled"_s)
                m_outstanding.remove(JsonRpc::idKey(message.value(u"params"_s).toObject().value(u"requestId"_s)));
        },
        [](const QByteArray &) {}); // a request that large is refused by the server, with id null
}

void StdioBridge::checkReader()
{
    // The write end of a pipe or socket whose reader is gone polls as an error or hang-up.
    pollfd fd { m_options.outputFd, POLLOUT, 0 };
    if (::poll(&fd, 1, 0) == 1 && (fd.revents & (POLLERR | POLLHUP))) {
        finishAndDisconnect(u"the client closed its end; %1 request(s) left unanswered"_s.arg(m_outstanding.size()));
    }
}

void StdioBridge::finishIfDone()
{
    if (m_finished || !m_inputEof || !m_socket)
        return;
    if (m_socket->bytesToWrite() > 0 || !m_outstanding.isEmpty() || !m_outputBuffer.isEmpty())
        return;
    finishAndDisconnect({});
}

void StdioBridge::finishAndDisconnect(const QString &message)
{
    // Finished first, so the socket's disconnected() finds nothing left to do.
    finish(0, message);
    if (m_socket && m_socket->state() == QLocalSocket::ConnectedState)
        m_socket->disconnectFromServer();
}

void StdioBridge::updateNotifiers()
{
    if (m_finished)
        return;
    if (m_outputNotifier)
        m_outputNotifier->setEnabled(!m_outputBuffer.isEmpty());
    if (m_inputNotifier)
        m_inputNotifier->setEnabled(!m_inputEof && m_socket->bytesToWrite() < m_options.maxBufferedBytes);
    finishIfDone();
}

void StdioBridge::finish(int exitCode, const QString &message)
{
    if (m_finished)
        return;
    m_finished = true;
    m_retryTimer.stop();
    m_readerCheck.stop();
    if (m_inputNotifier)
        m_inputNotifier->setEnabled(false);
    if (m_outputNotifier)
        m_outputNotifier->setEnabled(false);
    Q_EMIT finished(exitCode, message);
}
