// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/privilege.h"

#include "engine/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
constexpr int CapSysAdmin = 21;
constexpr int CapPerfmon = 38;
constexpr int CapBpf = 39;

// CapEff in /proc/self/status is a hex mask of the effective capabilities.
quint64 effectiveCapabilities()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("CapEff:")) {
            bool ok = false;
            const quint64 mask = line.mid(7).trimmed().toULongLong(&ok, 16);
            return ok ? mask : 0;
        }
    }
    return 0;
}

bool hasCap(quint64 mask, int cap)
{
    return (mask >> cap) & 1u;
}
} // namespace

QString privilegeModeName(PrivilegeMode mode)
{
    switch (mode) {
    case PrivilegeMode::Auto:
        return u"auto"_s;
    case PrivilegeMode::Direct:
        return u"direct"_s;
    case PrivilegeMode::Pkexec:
        return u"pkexec"_s;
    case PrivilegeMode::Sudo:
        return u"sudo"_s;
    }
    return QString();
}

std::optional<PrivilegeMode> privilegeModeFromName(QStringView name)
{
    for (PrivilegeMode mode :
        { PrivilegeMode::Auto, PrivilegeMode::Direct, PrivilegeMode::Pkexec, PrivilegeMode::Sudo }) {
        if (name == privilegeModeName(mode))
            return mode;
    }
    return std::nullopt;
}

Privilege::Environment Privilege::Environment::detect(const QString &bpftracePath, const QString &helperPath)
{
    Environment env;
    env.isRoot = geteuid() == 0;
    const quint64 caps = effectiveCapabilities();
    env.hasBpfCapabilities = (hasCap(caps, CapBpf) && hasCap(caps, CapPerfmon)) || hasCap(caps, CapSysAdmin);
    env.insideFlatpak = QFile::exists(u"/.flatpak-info"_s);
    env.pkexecPath = QStandardPaths::findExecutable(u"pkexec"_s);
    env.sudoPath = QStandardPaths::findExecutable(u"sudo"_s);
    // The elevated helper only runs bpftrace by absolute path, so resolve it here. Inside Flatpak
    // the sandbox cannot see the host's PATH; the host's usual location is the best guess.
    env.bpftracePath = bpftracePath.isEmpty() ? u"bpftrace"_s : bpftracePath;
    if (!QFileInfo(env.bpftracePath).isAbsolute()) {
        const QString found = env.insideFlatpak ? QString() : QStandardPaths::findExecutable(env.bpftracePath);
        if (!found.isEmpty())
            env.bpftracePath = found;
        else if (env.insideFlatpak && env.bpftracePath == "bpftrace"_L1)
            env.bpftracePath = u"/usr/bin/bpftrace"_s;
    }
    env.helperPath = helperPath;
    if (env.insideFlatpak) {
        QFile info(u"/.flatpak-info"_s);
        if (info.open(QIODevice::ReadOnly))
            env.helperPath = hostPathOf(helperPath, QString::fromUtf8(info.readAll()));
    }
    return env;
}

QString Privilege::Environment::hostPathOf(const QString &path, const QString &flatpakInfoText)
{
    if (path != "/app"_L1 && !path.startsWith("/app/"_L1))
        return path;
    bool inInstance = false;
    const QStringList lines = flatpakInfoText.split(u'\n');
    for (const QString &raw : lines) {
        const QString line = raw.trimmed();
        if (line.startsWith(u'['))
            inInstance = line == "[Instance]"_L1;
        else if (inInstance && line.startsWith("app-path="_L1)) {
            const QString appPath = line.mid(9).trimmed();
            if (appPath.startsWith(u'/'))
                return appPath + path.mid(4);
        }
    }
    return path;
}

Privilege::Privilege(PrivilegeMode requested, const Environment &env)
    : m_env(env)
{
    if (requested != PrivilegeMode::Auto) {
        m_mode = requested;
        return;
    }
    // Inside Flatpak the sandbox never holds the host's tracing rights, whatever its uid says.
    if (!env.insideFlatpak && (env.isRoot || env.hasBpfCapabilities))
        m_mode = PrivilegeMode::Direct;
    else if (env.insideFlatpak || !env.pkexecPath.isEmpty() || env.sudoPath.isEmpty())
        m_mode = PrivilegeMode::Pkexec;
    else
        m_mode = PrivilegeMode::Sudo;
    qCDebug(lcPrivilege) << "auto privilege resolved to" << privilegeModeName(m_mode);
}

QString Privilege::description() const
{
    QString text;
    switch (m_mode) {
    case PrivilegeMode::Auto:
    case PrivilegeMode::Direct:
        if (m_env.isRoot)
            text = u"direct (running as root)"_s;
        else if (m_env.hasBpfCapabilities)
            text = u"direct (CAP_BPF and CAP_PERFMON)"_s;
        else
            text = u"direct (without tracing privileges)"_s;
        break;
    case PrivilegeMode::Pkexec:
        text = u"pkexec (polkit asks once, then keeps the authorisation for a few minutes; a program that needs "
               u"--unsafe "
               "asks every time)"_s;
        break;
    case PrivilegeMode::Sudo:
        text = u"sudo -n (needs a NOPASSWD sudoers rule for tracedesk-helper; programs that need --unsafe only under "
               "pkexec)"_s;
        break;
    }
    if (m_env.insideFlatpak)
        text += u", on the host through flatpak-spawn"_s;
    return text;
}

QString Privilege::problem() const
{
    switch (m_mode) {
    case PrivilegeMode::Auto:
    case PrivilegeMode::Direct:
        if (!m_env.insideFlatpak && !m_env.isRoot && !m_env.hasBpfCapabilities)
            return u"TraceDesk is not root and lacks CAP_BPF and CAP_PERFMON, so bpftrace cannot attach probes. "
                   "Choose pkexec or sudo, or grant the capabilities."_s;
        return QString();
    case PrivilegeMode::Pkexec:
        if (!m_env.insideFlatpak && m_env.pkexecPath.isEmpty())
            return u"pkexec is not installed (package polkit). Install it or choose sudo."_s;
        break;
    case PrivilegeMode::Sudo:
        if (!m_env.insideFlatpak && m_env.sudoPath.isEmpty())
            return u"sudo is not installed. Install it or choose pkexec."_s;
        break;
    }
    if (m_env.helperPath.isEmpty() || (!m_env.insideFlatpak && !QFileInfo(m_env.helperPath).isExecutable()))
        return u"tracedesk-helper was not found%1; it is needed to run bpftrace elevated and stop it again."_s.arg(
            m_env.helperPath.isEmpty() ? QString() : u" at "_s + m_env.helperPath);
    if (!QFileInfo(m_env.bpftracePath).isAbsolute())
        return u"bpftrace was not found on PATH (%1)."_s.arg(m_env.bpftracePath);
    return QString();
}

LaunchCommand Privilege::wrap(const QStringList &bpftraceArguments) const
{
    LaunchCommand command;
    QStringList argv;
    switch (m_mode) {
    case PrivilegeMode::Auto:
    case PrivilegeMode::Direct:
        argv << m_env.bpftracePath << bpftraceArguments;
        break;
    case PrivilegeMode::Pkexec:
        // pkexec execs the helper directly (no shell); polkit matches the action by its path.
        argv << (m_env.insideFlatpak || m_env.pkexecPath.isEmpty() ? u"pkexec"_s : m_env.pkexecPath) << m_env.helperPath
             << helperVerb(bpftraceArguments) << m_env.bpftracePath << bpftraceArguments;
        command.viaHelper = true;
        break;
    case PrivilegeMode::Sudo:
        // -n: fail instead of asking for a password; we never have one to give. The helper refuses
        // `run-unsafe` here: no sudoers rule asks the person for each run.
        argv << (m_env.insideFlatpak || m_env.sudoPath.isEmpty() ? u"sudo"_s : m_env.sudoPath) << u"-n"_s << u"--"_s
             << m_env.helperPath << helperVerb(bpftraceArguments) << m_env.bpftracePath << bpftraceArguments;
        command.viaHelper = true;
        break;
    }
    if (m_env.insideFlatpak) {
        // As KSandbox::makeHostContext: an argument list for the host, never `sh -c`.
        // --watch-bus ends the host process when the sandboxed app goes away.
        argv.prepend(u"--watch-bus"_s);
        argv.prepend(u"--host"_s);
        argv.prepend(u"flatpak-spawn"_s);
    }
    command.program = argv.takeFirst();
    command.arguments = argv;
    return command;
}

QString Privilege::helperVerb(const QStringList &bpftraceArguments)
{
    const qsizetype elf = bpftraceArguments.indexOf(u"--emit-elf"_s);
    const bool compileOnly = elf >= 0 && bpftraceArguments.value(elf + 1) == "/dev/null"_L1;
    const bool listing = bpftraceArguments.contains(u"-l"_s) || bpftraceArguments.contains(u"-lv"_s);
    return bpftraceArguments.contains(u"--unsafe"_s) && !compileOnly && !listing ? HelperRunUnsafe : HelperRun;
}

LaunchCommand Privilege::wrapQuery(const QStringList &bpftraceArguments) const
{
    return wrap(bpftraceArguments);
}
