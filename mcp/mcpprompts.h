// SPDX-License-Identifier: GPL-2.0-or-later
// MCP prompts: guided investigations (slow process, file access, disk and network activity).
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

class Engine;

class McpPrompts
{
public:
    explicit McpPrompts(Engine *engine);
    /// prompts/list entries with their arguments.
    QJsonArray list() const;
    /// prompts/get result; nullopt with *error when the name is unknown or a required argument is
    /// missing (-32602).
    std::optional<QJsonObject> get(const QString &name, const QJsonObject &arguments, QString *error) const;
    /// completion/complete values for a prompt argument (process names and PIDs, file paths, disks).
    QStringList complete(const QString &promptName, const QString &argument, const QString &prefix) const;

private:
    Engine *m_engine;
};
