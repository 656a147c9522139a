// SPDX-License-Identifier: GPL-2.0-or-later
// What TraceDesk is configured with: the engine's paths, privilege and limits, and where its MCP
// endpoint listens. Defaults and bounds of the saved values are in setting.h.
#pragma once

#include "engine/approvalqueue.h"
#include "engine/privilege.h"
#include "engine/runlimits.h"
#include "engine/setting.h"
#include "engine/targets/target.h"
#include "engine/targets/targettransport.h"

#include <QString>

/// $XDG_RUNTIME_DIR/tracedesk/mcp.sock, or $XDG_RUNTIME_DIR/app/$FLATPAK_ID/mcp.sock inside
/// Flatpak (where host clients find it too). The one name for the default socket path.
QString defaultSocketPath();

/// Where MCP clients reach TraceDesk. Plain values (Qt Core only); the MCP server turns them into
/// its own McpServerConfig. Never empty: the defaults are filled in here, not by the users.
struct EndpointConfig
{
    QString socketPath = defaultSocketPath();
    bool httpEnabled = true;
    quint16 httpPort = quint16(Setting::httpPort.defaultValue);
    QString httpAddress = QStringLiteral("127.0.0.1"); ///< ::1 is bound as well when loopback

    bool operator==(const EndpointConfig &) const = default;
};

struct EngineConfig
{
    QString bpftracePath = QStringLiteral("bpftrace");
    QString helperPath; ///< tracedesk-helper; default: next to the executable, then libexec
    PrivilegeMode privilege = PrivilegeMode::Auto;
    QString stateDirectory; ///< default: QStandardPaths::StateLocation (XDG_STATE_HOME/tracedesk)
    QString cacheDirectory; ///< default: QStandardPaths::CacheLocation
    RunLimits limits;
    int approvalTimeoutSeconds = int(Setting::approvalTimeoutSeconds.defaultValue);
    ApprovalPolicy approvalPolicy = ApprovalPolicy::Ask;
    qint64 historyMaxBytes = Setting::historyMaxBytes.defaultValue;
    bool loadHistory = true;
    /// "Let AI clients read my own runs": each client always sees only the runs it asked for;
    /// with this on, it may also list and read (never stop) the person's. Applies at once.
    bool clientsReadPersonRuns = false;
    EndpointConfig endpoint;
    /// The remote targets (settings [targets], then --target); local is always there besides.
    QList<Target> targets;
    QMap<QString, QStringList> targetGroups; ///< settings [targetGroups]
    TargetTransport::Options targetOptions; ///< settings [targetOptions]

    bool operator==(const EngineConfig &) const = default;
};
