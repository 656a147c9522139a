// SPDX-License-Identifier: GPL-2.0-or-later
// The QSettings keys ($XDG_CONFIG_HOME/tracedesk/tracedesk.conf) that the window's settings dialog
// writes and the command line reads at start: one list, so a saved value and the start agree.
#pragma once

#include <QLatin1StringView>

namespace SettingsKey {
inline constexpr QLatin1StringView privilege { "engine/privilege" }; ///< "auto", "direct", "pkexec", "sudo"
inline constexpr QLatin1StringView bpftracePath { "engine/bpftracePath" };
inline constexpr QLatin1StringView approvalTimeoutSeconds { "engine/approvalTimeoutSeconds" };
inline constexpr QLatin1StringView maxConcurrentRuns { "engine/maxConcurrentRuns" };
inline constexpr QLatin1StringView maxLinesKept { "engine/maxLinesKept" };
inline constexpr QLatin1StringView maxLinesPerSecond { "engine/maxLinesPerSecond" };
inline constexpr QLatin1StringView defaultClientTimeoutSeconds { "engine/defaultClientTimeoutSeconds" };
inline constexpr QLatin1StringView maxTimeoutSeconds { "engine/maxTimeoutSeconds" };
inline constexpr QLatin1StringView historyMaxBytes { "engine/historyMaxBytes" };
inline constexpr QLatin1StringView httpEnabled { "mcp/httpEnabled" };
inline constexpr QLatin1StringView httpPort { "mcp/httpPort" };
inline constexpr QLatin1StringView httpAddress { "mcp/httpAddress" };
} // namespace SettingsKey
