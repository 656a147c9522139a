// SPDX-License-Identifier: GPL-2.0-or-later
// Every saved setting's key in tracedesk.conf and, for numbers, its default and its bounds: the
// command line, the settings file and the settings dialog all take them from here.
#pragma once

#include <QLatin1StringView>
#include <QtGlobal>

#include <limits>

/// A whole-number setting: where it is saved, what it is when nobody chose, what it may be.
struct IntSetting
{
    QLatin1StringView key;
    qint64 defaultValue;
    qint64 minimum;
    qint64 maximum;

    constexpr bool accepts(qint64 value) const { return value >= minimum && value <= maximum; }
};

namespace Setting {
using namespace Qt::StringLiterals;

inline constexpr QLatin1StringView privilege = "engine/privilege"_L1; ///< "auto", "direct", "pkexec", "sudo"
inline constexpr QLatin1StringView bpftracePath = "engine/bpftracePath"_L1; ///< empty: bpftrace on PATH
inline constexpr QLatin1StringView httpEnabled = "mcp/httpEnabled"_L1;
inline constexpr QLatin1StringView httpAddress = "mcp/httpAddress"_L1; ///< an IPv4 or IPv6 address
/// Whether MCP clients may list and read (never stop) the runs the person started; default off.
inline constexpr QLatin1StringView clientsReadPersonRuns = "mcp/clientsReadPersonRuns"_L1;

inline constexpr IntSetting approvalTimeoutSeconds { "engine/approvalTimeoutSeconds"_L1, 300, 1, 24 * 3600 };
inline constexpr IntSetting maxConcurrentRuns { "engine/maxConcurrentRuns"_L1, 4, 1, 1000 };
inline constexpr IntSetting maxLinesKept { "engine/maxLinesKept"_L1, 100000, 100, 100000000 };
inline constexpr IntSetting maxLinesPerSecond { "engine/maxLinesPerSecond"_L1, 20000, 0, 100000000 }; ///< 0: no limit
inline constexpr IntSetting defaultClientTimeoutSeconds { "engine/defaultClientTimeoutSeconds"_L1, 10, 1, 24 * 3600 };
inline constexpr IntSetting maxTimeoutSeconds { "engine/maxTimeoutSeconds"_L1, 3600, 1, 7 * 24 * 3600 };
inline constexpr IntSetting historyMaxBytes { "engine/historyMaxBytes"_L1, 256ll * 1024 * 1024, 1024 * 1024,
    std::numeric_limits<qint64>::max() };
inline constexpr IntSetting httpPort { "mcp/httpPort"_L1, 8765, 0, 65535 }; ///< 0: any free port
} // namespace Setting
