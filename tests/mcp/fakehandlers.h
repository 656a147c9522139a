// SPDX-License-Identifier: GPL-2.0-or-later
// Handlers with predictable tools for the transport and protocol tests: no engine, no bpftrace.
//   echo {text}            answers at once with the text (text has x-mcp-header "Text")
//   slow {ms}              answers after ms, or at once (with "cancelled") when cancelled
//   progress {steps, replyAfterMs}  sends `steps` progress notifications and a log message, then
//                          answers (after replyAfterMs, default 10)
//   tool_NNN               padding for pagination (extraTools)
#pragma once

#include "mcp/mcphandlers.h"
#include "mcp/mcpserver.h"

#include <QDebug>
#include <QJsonArray>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class FakeHandlers : public McpHandlers
{
public:
    explicit FakeHandlers(int extraTools = 0, QObject *parent = nullptr)
        : McpHandlers(parent)
        , m_extraTools(extraTools)
    { }

    /// What toolDefinitionsRevision() answers: set, the dispatcher keeps tools/list serialized
    /// (as with the engine's tools); nullopt builds every answer anew.
    std::optional<quint64> revision = 1;
    /// Changes the padding tools; the revision moves with them, as the engine's tools do.
    void setExtraTools(int count)
    {
        m_extraTools = count;
        if (revision)
            ++*revision;
    }
    std::optional<quint64> toolDefinitionsRevision() const override { return revision; }

    int startedSlowCalls = 0; ///< dispatched to the handler, so a cancellation reaches it
    int cancelledCalls = 0;
    int completedSlowCalls = 0;
    McpCallContext lastContext;

    QJsonArray toolDefinitions() const override
    {
        QJsonArray tools;
        for (const QString &name : { QStringLiteral("echo"), QStringLiteral("slow"), QStringLiteral("progress") }) {
            QJsonObject schema { { QStringLiteral("type"), QStringLiteral("object") } };
            // echo's text is mirrored as Mcp-Param-Text by 2026-07-28 clients over HTTP (SEP-2243).
            if (name == QLatin1String("echo"))
                schema.insert(QStringLiteral("properties"),
                    QJsonObject { { QStringLiteral("text"),
                        QJsonObject { { QStringLiteral("type"), QStringLiteral("string") },
                            { QStringLiteral("x-mcp-header"), QStringLiteral("Text") } } } });
            tools.append(QJsonObject { { QStringLiteral("name"), name },
                { QStringLiteral("description"), QStringLiteral("test tool") },
                { QStringLiteral("inputSchema"), schema } });
        }
        for (int i = 0; i < m_extraTools; ++i) {
            tools.append(
                QJsonObject { { QStringLiteral("name"), QStringLiteral("tool_%1").arg(i, 3, 10, QLatin1Char('0')) },
                    { QStringLiteral("inputSchema"),
                        QJsonObject { { QStringLiteral("type"), QStringLiteral("object") } } } });
        }
        return tools;
    }

    bool hasTool(const QString &name) const override
    {
        for (const QJsonValue &tool : toolDefinitions()) {
            if (tool.toObject().value(QStringLiteral("name")).toString() == name)
                return true;
        }
        return false;
    }

    static QJsonObject textResult(const QString &text, bool isError = false)
    {
        return QJsonObject { { QStringLiteral("content"),
                                 QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("text") },
                                     { QStringLiteral("text"), text } } } },
            { QStringLiteral("isError"), isError } };
    }

    void callTool(
        const QString &name, const QJsonObject &arguments, const McpCallContext &context, ToolReply reply) override
    {
        lastContext = context;
        if (name == QLatin1String("slow")) {
            ++startedSlowCalls;
            auto *timer = new QTimer(this);
            timer->setSingleShot(true);
            auto done = std::make_shared<bool>(false);
            auto finish = [this, reply, done, timer](bool cancelled) {
                if (std::exchange(*done, true))
                    return;
                timer->deleteLater();
                if (cancelled)
                    ++cancelledCalls;
                else
                    ++completedSlowCalls;
                reply(textResult(cancelled ? QStringLiteral("cancelled") : QStringLiteral("slow done")));
            };
            connect(timer, &QTimer::timeout, this, [finish] { finish(false); });
            connect(context.cancellation, &McpCancellation::cancelled, timer, [finish] { finish(true); });
            timer->start(arguments.value(QStringLiteral("ms")).toInt(1000));
            return;
        }
        if (name == QLatin1String("progress")) {
            const int steps = arguments.value(QStringLiteral("steps")).toInt(3);
            context.log(QStringLiteral("info"), QStringLiteral("starting"));
            context.log(QStringLiteral("debug"), QStringLiteral("debug detail"));
            for (int i = 1; i <= steps; ++i)
                context.progress(i, steps, QStringLiteral("step %1").arg(i));
            context.progress(1, steps, QString()); // not increasing: must be dropped
            QTimer::singleShot(arguments.value(QStringLiteral("replyAfterMs")).toInt(10), this,
                [reply, steps] { reply(textResult(QStringLiteral("%1 steps").arg(steps))); });
            return;
        }
        reply(textResult(arguments.value(QStringLiteral("text")).toString()));
    }

    QJsonArray resources(const QString &) const override
    {
        return QJsonArray { QJsonObject { { QStringLiteral("uri"), QStringLiteral("test://one") },
            { QStringLiteral("name"), QStringLiteral("one") } } };
    }
    QJsonArray resourceTemplates() const override
    {
        return QJsonArray { QJsonObject { { QStringLiteral("uriTemplate"), QStringLiteral("test://{name}") },
            { QStringLiteral("name"), QStringLiteral("named") } } };
    }
    std::optional<QJsonObject> readResource(const QString &uri, const QString &) const override
    {
        if (uri != QLatin1String("test://one"))
            return std::nullopt;
        return QJsonObject { { QStringLiteral("contents"),
            QJsonArray {
                QJsonObject { { QStringLiteral("uri"), uri }, { QStringLiteral("text"), QStringLiteral("1") } } } } };
    }
    QJsonArray prompts() const override
    {
        return QJsonArray { QJsonObject { { QStringLiteral("name"), QStringLiteral("investigate") } } };
    }
    QStringList completeResource(
        const QString &, const QString &, const QString &prefix, const QString &) const override
    {
        QStringList values;
        for (int i = 0; i < 150; ++i)
            values.append(prefix + QString::number(i));
        return values;
    }

    void announceResourceChange() { Q_EMIT resourceListChanged(); }

private:
    int m_extraTools;
};

// The transport tests' server: McpServer over fresh FakeHandlers (pointed to by *handlers),
// started; nullptr, with the reason logged, when it cannot listen.
inline std::unique_ptr<McpServer> startFakeServer(const McpServerConfig &config, FakeHandlers **handlers)
{
    auto owned = std::make_unique<FakeHandlers>(0);
    *handlers = owned.get();
    auto server = std::make_unique<McpServer>(std::move(owned), config);
    if (!server->start()) {
        qWarning() << server->errorString();
        return nullptr;
    }
    return server;
}
