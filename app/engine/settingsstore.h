// SPDX-License-Identifier: GPL-2.0-or-later
// The one reader and writer of tracedesk.conf ($XDG_CONFIG_HOME/tracedesk/tracedesk.conf).
#pragma once

#include "engine/engineconfig.h"

class QSettings;

/// Reads and writes the saved part of an EngineConfig under the keys of setting.h. The command
/// line (at start) and the settings dialog (while running) both go through here, so what one
/// saves the other reads back the same, within the same bounds.
class SettingsStore
{
public:
    SettingsStore() = delete;

    /// Overwrites in *config what `settings` holds. A value that is missing, unreadable or out of
    /// its bounds leaves the field as it was (normally its default).
    static void read(const QSettings &settings, EngineConfig *config);
    /// read() over the defaults.
    static EngineConfig read(const QSettings &settings);
    /// What the settings dialog starts from: the `running` limits, approval timeout and client
    /// separation (the command line may have overridden the file), everything else as saved.
    static EngineConfig readForEditing(const QSettings &settings, const EngineConfig &running);
    /// Saves what a person edits in the settings dialog: privilege, approval timeout, the run
    /// limits, whether HTTP is served and its port, whether clients may read the person's runs. The bpftrace path,
    /// history size and HTTP address are only read (set by hand in the file) and stay as they are.
    static void write(QSettings &settings, const EngineConfig &config);
    /// Whether going from `from` to `to` changes something only a restart applies (privilege,
    /// HTTP); limits, the approval timeout and client separation apply at once
    /// (Engine::applySettings).
    static bool needsRestart(const EngineConfig &from, const EngineConfig &to);
};
