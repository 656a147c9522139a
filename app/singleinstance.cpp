// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/singleinstance.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace {
constexpr qsizetype MaxAnswerBytes = 64 * 1024;
}

InstanceActivator::InstanceActivator(const QString &socketPath, QObject *parent)
    : QObject(parent)
    , m_socketPath(socketPath)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        done(Outcome::Failed,
            u"the TraceDesk instance on %1 did not answer within %2 s"_s.arg(m_socketPath)
                .arg(m_timer.interval() / 1000));
    });
    connect(&m_socket, &QLocalSocket::connected, this, [this] {
        m_socket.write(R"({"jsonrpc":"2.0","id":1,"method":"tracedesk/activate"})"
                       "\n");
    });
    connect(&m_socket, &QLocalSocket::readyRead, this, &InstanceActivator::onReadyRead);
    connect(&m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        switch (error) {
        case QLocalSocket::ServerNotFoundError:
        case QLocalSocket::ConnectionRefusedError:
            // No socket, or a stale file left by a crash: nobody is running.
            done(Outcome::NoInstance, {});
            return;
        case QLocalSocket::PeerClosedError:
            done(Outcome::Failed,
                u"the TraceDesk instance on %1 closed the connection without answering"_s.arg(m_socketPath));
            return;
        default:
            done(Outcome::Failed,
                u"cannot reach the TraceDesk socket %1: %2"_s.arg(m_socketPath, m_socket.errorString()));
            return;
        }
    });
}

void InstanceActivator::start()
{
    m_timer.start();
    m_socket.connectToServer(m_socketPath);
}

void InstanceActivator::onReadyRead()
{
    m_buffer += m_socket.readAll();
    const qsizetype newline = m_buffer.indexOf('\n');
    if (newline < 0) {
        if (m_buffer.size() > MaxAnswerBytes)
            done(Outcome::Failed, u"the program on %1 does not speak TraceDesk's protocol"_s.arg(m_socketPath));
        return;
    }
    const QJsonObject answer = QJsonDocument::fromJson(m_buffer.left(newline)).object();
    const QJsonObject result = answer.value("result"_L1).toObject();
    if (answer.contains("result"_L1) && result.value("activated"_L1).toBool(true)) {
        done(Outcome::Activated, {});
        return;
    }
    if (answer.contains("result"_L1)) {
        done(Outcome::Headless,
            u"TraceDesk is already running without a window (headless) on %1; use that instance, or stop it "
            "first to open the window"_s.arg(m_socketPath));
        return;
    }
    const QString reason = answer.value("error"_L1).toObject().value("message"_L1).toString();
    done(Outcome::Failed,
        u"the TraceDesk instance on %1 refused to show its window: %2"_s.arg(
            m_socketPath, reason.isEmpty() ? u"no valid answer"_s : reason));
}

void InstanceActivator::done(Outcome outcome, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    m_socket.abort();
    Q_EMIT finished(outcome, message);
}
