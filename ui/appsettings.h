// SPDX-License-Identifier: GPL-2.0-or-later
// What the settings dialog edits, stored with QSettings under the keys of settingskeys.h, which
// the command line reads at start.
#pragma once

#include <privilege.h>
#include <runmanager.h>
#include <settingskeys.h>

#include <QString>

class QSettings;
class Engine;

struct AppSettings
{
    RunLimits limits;
    PrivilegeMode privilege = PrivilegeMode::Auto;
    int approvalTimeoutSeconds = 300;
    bool httpEnabled = true;
    quint16 httpPort = 8765;

    /// Current values: the engine's (when given), then what is saved.
    static AppSettings load(const QSettings &settings, const Engine *engine = nullptr);
    void save(QSettings &settings) const;
    /// Limits and approval timeout apply at once; privilege and HTTP need a restart.
    void applyTo(Engine *engine) const;
    /// Whether `other` differs in something that only a restart applies.
    bool needsRestartComparedTo(const AppSettings &other) const;

    bool operator==(const AppSettings &other) const;
};
