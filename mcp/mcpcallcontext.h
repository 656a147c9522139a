// SPDX-License-Identifier: GPL-2.0-or-later
// What a tool, resource or prompt handler knows about the request it serves.
#pragma once

#include "engine/runtypes.h"

#include <QJsonObject>
#include <QObject>

#include <functional>

/// Fired when the client sends notifications/cancelled for the request, or disconnects.
class McpCancellation : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    bool isCancelled() const { return m_cancelled; }
    void cancel()
    {
        if (m_cancelled)
            return;
        m_cancelled = true;
        Q_EMIT cancelled();
    }
Q_SIGNALS:
    void cancelled();

private:
    bool m_cancelled = false;
};

struct McpCallContext
{
    QString sessionId;
    ClientInfo client; ///< from initialize; shown in the approval prompt
    QString protocolVersion;
    /// Cancellation of this request; never null while the handler runs. Handlers that wait
    /// (get_result's long-poll) must answer promptly once it fires.
    McpCancellation *cancellation = nullptr;
    /// Sends notifications/progress for this request when the client gave a progressToken
    /// (no-op otherwise). progress must increase.
    std::function<void(double progress, double total, const QString &message)> progress;
    /// Sends notifications/message to this session when its log level lets `level` through.
    std::function<void(const QString &level, const QJsonValue &data)> log;
};
