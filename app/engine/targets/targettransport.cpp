// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/targets/targettransport.h"

#include "engine/privatefiles.h"

#include <QDir>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTargets, "tracedesk.targets")

namespace {
// $0 of the wrapper: what `ps` on the target shows beside bpftrace.
const QString WrapperName = u"tracedesk-target"_s;

// The health check's output, one key=value per line (TargetHealth::parse reads it).
QString healthScript(const QString &bpftrace)
{
    const QString b = TargetTransport::shellQuote(bpftrace);
    return u"echo tracedesk-health=1; u=$(id -u); echo \"uid=$u\"; "
           "if [ \"$u\" != 0 ]; then if sudo -n true >/dev/null 2>&1; then echo sudo=yes; else echo sudo=no; fi; fi; "
           "if command -v %1 >/dev/null 2>&1; then echo \"version=$(%1 --version 2>&1 | head -n 1)\"; "
           "else echo bpftrace=missing; fi"_s.arg(b);
}
} // namespace

TargetTransport::TargetTransport(const Privilege &privilege)
    : m_privilege(privilege)
{ }

TargetTransport::TargetTransport(const Target &target, const Options &options)
    : m_target(target)
    , m_options(options)
{ }

QString TargetTransport::shellQuote(QStringView argument)
{
    QString out;
    out.reserve(argument.size() + 2);
    out += u'\'';
    for (QChar c : argument) {
        if (c == u'\'')
            out += u"'\\''"_s;
        else
            out += c;
    }
    out += u'\'';
    return out;
}

QString TargetTransport::stopWrapperScript()
{
    // fd 3 keeps the control channel for the reader; everything else gets /dev/null as stdin
    // (an asynchronous list would get it anyway). The reader runs in the background so that the
    // foreground can wait for bpftrace and leave with its status the moment it ends by itself.
    return u"exec 3<&0 </dev/null\n"
           "\"$@\" 3<&- &\n"
           "p=$!\n"
           "{\n"
           "  while IFS= read -r l; do\n"
           "    case $l in INT|TERM|KILL) kill -s \"$l\" \"$p\" 2>/dev/null ;; esac\n"
           "  done\n"
           "  kill -s TERM \"$p\" 2>/dev/null\n"
           "  sleep 5\n"
           "  kill -s KILL \"$p\" 2>/dev/null\n"
           "} <&3 3<&- >/dev/null 2>&1 &\n"
           "r=$!\n"
           "exec 3<&-\n"
           "wait \"$p\"\n"
           "s=$?\n"
           "kill \"$r\" 2>/dev/null\n"
           "exit \"$s\"\n"_s;
}

QString TargetTransport::remoteShellCommand(const QStringList &bpftraceArguments) const
{
    QString command
        = u"sh -c "_s + shellQuote(stopWrapperScript()) + u' ' + WrapperName + u' ' + shellQuote(m_target.bpftracePath);
    for (const QString &argument : bpftraceArguments)
        command += u' ' + shellQuote(argument);
    switch (m_target.privilege) {
    case RemotePrivilege::Login:
        return u"exec "_s + command;
    case RemotePrivilege::Sudo:
        return u"exec sudo -n -- "_s + command;
    case RemotePrivilege::Auto:
        // The login shell starts with no positional parameters: "$@" is empty for root.
        return u"[ \"$(id -u)\" = 0 ] || set -- sudo -n --; exec \"$@\" "_s + command;
    }
    return command;
}

QString TargetTransport::defaultControlDirectory()
{
    QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (runtime.isEmpty())
        runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (runtime.isEmpty())
        runtime = QDir::tempPath();
    return runtime + u"/tracedesk/ssh"_s;
}

QStringList TargetTransport::sshArguments() const
{
    QString dir = m_options.controlDirectory.isEmpty() ? defaultControlDirectory() : m_options.controlDirectory;
    QString error;
    if (!PrivateFiles::ensureDirectory(dir, &error))
        qCWarning(lcTargets) << "ssh control directory:" << error;
    // -T: never a terminal, so stdout stays bpftrace's own bytes. BatchMode: never a password or
    // host-key prompt; host keys are checked as ssh always does (known_hosts of the configuration).
    QStringList args { u"-T"_s, u"-o"_s, u"BatchMode=yes"_s, u"-o"_s, u"ControlMaster=auto"_s, u"-o"_s,
        u"ControlPath="_s + dir + u"/%C"_s, u"-o"_s, u"ControlPersist=60"_s, u"-o"_s,
        u"ConnectTimeout=%1"_s.arg(m_options.connectTimeoutSeconds), u"-o"_s,
        u"ServerAliveInterval=%1"_s.arg(m_options.serverAliveSeconds), u"-o"_s, u"ServerAliveCountMax=3"_s };
    if (!m_options.sshConfigFile.isEmpty())
        args << u"-F"_s << m_options.sshConfigFile;
    if (m_target.port > 0)
        args << u"-p"_s << QString::number(m_target.port);
    if (!m_target.user.isEmpty())
        args << u"-l"_s << m_target.user;
    args << u"--"_s << m_target.host;
    return args;
}

QStringList TargetTransport::kubectlPrefix() const
{
    QStringList args;
    if (!m_target.context.isEmpty())
        args << u"--context"_s << m_target.context;
    return args;
}

std::optional<LaunchCommand> TargetTransport::tryWrap(const QStringList &bpftraceArguments, QString *error) const
{
    if (m_target.isLocal())
        return m_privilege.wrap(bpftraceArguments);
    for (const QString &argument : bpftraceArguments) {
        if (argument.contains(QChar(0))) {
            if (error)
                *error = u"An argument for bpftrace on %1 contains a NUL character, which no command line can carry."_s
                             .arg(m_target.displayName());
            return std::nullopt;
        }
    }
    LaunchCommand command;
    command.viaHelper = true; // the stop wrapper speaks the helper's stdin protocol
    if (m_target.kind == TargetKind::Ssh) {
        const QString remote = remoteShellCommand(bpftraceArguments);
        if (remote.toUtf8().size() > MaxRemoteCommandBytes) {
            if (error)
                *error = u"The command for %1 would be %2 KiB once quoted for the remote shell; one argument may "
                         "be at most %3 KiB. Shorten the script (each ' in it takes four characters)."_s
                             .arg(m_target.displayName())
                             .arg(remote.toUtf8().size() / 1024)
                             .arg(MaxRemoteCommandBytes / 1024);
            return std::nullopt;
        }
        command.program = m_options.sshProgram;
        command.arguments = sshArguments() << remote;
        command.overSsh = true;
        return command;
    }
    command.program = m_options.kubectlProgram;
    command.arguments
        = kubectlPrefix() << u"debug"_s << u"node/"_s + m_target.node << u"--profile=sysadmin"_s
                          << u"--image="_s + (m_target.image.isEmpty() ? Target::defaultImage() : m_target.image)
                          << u"-i"_s << u"--"_s << u"sh"_s << u"-c"_s << stopWrapperScript() << WrapperName
                          << m_target.bpftracePath << bpftraceArguments;
    command.podCleanup = QStringList { m_options.kubectlProgram } + kubectlPrefix();
    return command;
}

LaunchCommand TargetTransport::wrap(const QStringList &bpftraceArguments) const
{
    QString error;
    if (std::optional<LaunchCommand> command = tryWrap(bpftraceArguments, &error))
        return *command;
    qCWarning(lcTargets) << error;
    return LaunchCommand {};
}

LaunchCommand TargetTransport::wrapQuery(const QStringList &bpftraceArguments) const
{
    if (m_target.isLocal())
        return m_privilege.wrapQuery(bpftraceArguments);
    return wrap(bpftraceArguments);
}

LaunchBuilder TargetTransport::queryLauncher() const
{
    return [transport = *this](const QStringList &arguments) { return transport.wrapQuery(arguments); };
}

std::optional<LaunchCommand> TargetTransport::healthCommand() const
{
    if (m_target.isLocal())
        return std::nullopt;
    LaunchCommand command;
    command.viaHelper = false; // short and harmless: closing stdin is fine, a kill ends it
    if (m_target.kind == TargetKind::Ssh) {
        command.program = m_options.sshProgram;
        command.arguments = sshArguments() << healthScript(m_target.bpftracePath);
        command.overSsh = true;
        return command;
    }
    command.program = m_options.kubectlProgram;
    command.arguments
        = kubectlPrefix() << u"debug"_s << u"node/"_s + m_target.node << u"--profile=sysadmin"_s
                          << u"--image="_s + (m_target.image.isEmpty() ? Target::defaultImage() : m_target.image)
                          << u"-i"_s << u"--"_s << u"sh"_s << u"-c"_s << healthScript(m_target.bpftracePath);
    command.podCleanup = QStringList { m_options.kubectlProgram } + kubectlPrefix();
    return command;
}

QString TargetTransport::debugPodName(QStringView stderrText)
{
    static const QRegularExpression re(u"Creating debugging pod ([a-z0-9][a-z0-9.-]{0,252}) with container"_s);
    const QRegularExpressionMatch match = re.matchView(stderrText);
    return match.hasMatch() ? match.captured(1) : QString();
}

std::optional<LaunchCommand> TargetTransport::podCleanupCommand(const QString &podName) const
{
    static const QRegularExpression valid(u"\\A[a-z0-9][a-z0-9.-]{0,252}\\z"_s);
    if (m_target.kind != TargetKind::Kubernetes || !valid.match(podName).hasMatch())
        return std::nullopt;
    LaunchCommand command;
    command.program = m_options.kubectlProgram;
    command.arguments = kubectlPrefix() << u"delete"_s << u"pod"_s << podName << u"--wait=false"_s
                                        << u"--ignore-not-found"_s;
    return command;
}

QString TargetTransport::cleanUpPod(const LaunchCommand &command, QStringView stderrText)
{
    if (command.podCleanup.isEmpty())
        return {};
    static const QRegularExpression valid(u"\\A[a-z0-9][a-z0-9.-]{0,252}\\z"_s);
    const QString pod = debugPodName(stderrText);
    if (!valid.match(pod).hasMatch())
        return {};
    const QStringList arguments = command.podCleanup.mid(1)
        << u"delete"_s << u"pod"_s << pod << u"--wait=false"_s << u"--ignore-not-found"_s;
    if (!QProcess::startDetached(command.podCleanup.constFirst(), arguments))
        qCWarning(lcTargets) << "could not start kubectl to delete debug pod" << pod;
    return pod;
}

QString TargetTransport::cleanUpAfter(QStringView stderrText) const
{
    if (m_target.kind != TargetKind::Kubernetes)
        return {};
    const QString pod = debugPodName(stderrText);
    const std::optional<LaunchCommand> command = podCleanupCommand(pod);
    if (!command)
        return {};
    // Detached: the pod goes away whether or not anyone is still here to wait for kubectl.
    if (!QProcess::startDetached(command->program, command->arguments))
        qCWarning(lcTargets) << "could not start" << command->program << "to delete debug pod" << pod;
    return pod;
}
