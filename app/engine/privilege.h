// SPDX-License-Identifier: GPL-2.0-or-later
// How bpftrace gets the privileges it needs, without any password ever passing through us.
#pragma once

#include "engine/launchcommand.h"

#include <QString>
#include <QStringList>

#include <optional>

/// Chosen at start and shown to the person.
enum class PrivilegeMode
{
    Auto, ///< pick: Direct when we may trace, else Pkexec when available, else Sudo
    Direct, ///< we are root, or hold CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN)
    Pkexec, ///< polkit asks the person; runs tracedesk-helper elevated
    Sudo, ///< `sudo -n` (needs a NOPASSWD sudoers rule for tracedesk-helper); never a password
};
QString privilegeModeName(PrivilegeMode mode);
std::optional<PrivilegeMode> privilegeModeFromName(QStringView name);

/// Builds launch commands for the chosen mode, inside or outside a Flatpak sandbox.
class Privilege
{
public:
    struct Environment
    {
        bool isRoot = false;
        bool hasBpfCapabilities = false; ///< CAP_BPF + CAP_PERFMON, or CAP_SYS_ADMIN, effective
        bool insideFlatpak = false; ///< /.flatpak-info exists
        QString pkexecPath; ///< empty when not installed
        QString sudoPath;
        QString bpftracePath = QStringLiteral("bpftrace");
        QString helperPath; ///< tracedesk-helper (libexec)
        static Environment detect(const QString &bpftracePath, const QString &helperPath);
        /// Inside Flatpak, /app is the sandbox's view of the app's files; the host (where pkexec
        /// runs the helper) sees them under the `app-path` of the [Instance] group in
        /// /.flatpak-info. Returns `path` unchanged when it is not under /app or the key is missing.
        static QString hostPathOf(const QString &path, const QString &flatpakInfoText);
    };

    Privilege() = default;
    Privilege(PrivilegeMode requested, const Environment &env);

    PrivilegeMode mode() const { return m_mode; } ///< never Auto: resolved
    const Environment &environment() const { return m_env; }
    /// One sentence for the status bar and the startup line ("direct (running as root)").
    QString description() const;
    /// Empty when the mode can work; else what is missing and how to fix it.
    QString problem() const;

    /// The command for `bpftrace ARGS` in this mode: direct, or through tracedesk-helper under
    /// pkexec / sudo -n, prefixed with `flatpak-spawn --host` inside Flatpak. Through the helper its
    /// first argument is helperVerb(ARGS), which polkit matches to choose what to ask.
    LaunchCommand wrap(const QStringList &bpftraceArguments) const;
    /// For quick, unprivileged look-ups (-l, -lv, --info, --version), which still need root on
    /// most systems: same as wrap() except that in Direct mode nothing changes.
    LaunchCommand wrapQuery(const QStringList &bpftraceArguments) const;

    /// tracedesk-helper's first argument. polkit picks the action by it
    /// (org.freedesktop.policykit.exec.argv1): `run` is org.tracedesk.TraceDesk.run-bpftrace
    /// (auth_admin_keep), `run-unsafe` is org.tracedesk.TraceDesk.run-unsafe (auth_admin, asked for
    /// every run). `run-unsafe` exactly when the arguments start a real run with --unsafe; a
    /// compile-only check (`--emit-elf /dev/null`) runs nothing and stays `run`.
    static QString helperVerb(const QStringList &bpftraceArguments);
    static inline const QString HelperRun = QStringLiteral("run");
    static inline const QString HelperRunUnsafe = QStringLiteral("run-unsafe");

private:
    PrivilegeMode m_mode = PrivilegeMode::Direct;
    Environment m_env;
};
