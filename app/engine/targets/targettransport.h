// SPDX-License-Identifier: GPL-2.0-or-later
// How a bpftrace command line reaches its target: as it is (local, through the privilege mode),
// inside `ssh ... -- host REMOTE`, or inside `kubectl debug node/NAME ... -- sh -c ...`.
#pragma once

#include "engine/launchcommand.h"
#include "engine/privilege.h"
#include "engine/targets/target.h"

#include <QString>
#include <QStringList>

#include <optional>

/// Wraps any bpftrace argument list into the LaunchCommand for one target. A plain value: copy it
/// into the catalog, the capabilities, the analyzer and the run manager of that target.
///
/// Remote commands keep the protocol of the local tracedesk-helper (LaunchCommand::viaHelper):
/// bpftrace runs under a small POSIX sh wrapper on the target that takes "INT", "TERM" and
/// "KILL" lines on its stdin and passes them to bpftrace as signals, and treats EOF (the app or
/// the connection went away) as TERM, then KILL after 5 s. This is how Stop reaches a remote
/// bpftrace: ssh does not forward a local SIGINT without a terminal, and a terminal (ssh -tt)
/// would mix stderr into stdout and rewrite line ends, so stdout would no longer be clean JSON.
/// The wrapper prints nothing itself; bpftrace's stdout and stderr pass through untouched.
///
/// Over SSH, ssh joins its arguments into one string that the remote login shell parses, so the
/// remote command is built here as one string in which every argument is single-quoted (POSIX:
/// ' becomes '\''); the script is such an argument, never interpolated. The login shell must be
/// POSIX-like (sh, bash, dash, zsh, ksh). kubectl passes the container command as an argument
/// list, so no quoting is involved there.
class TargetTransport
{
public:
    /// What the person configured once for all targets (settings; tests point them elsewhere).
    struct Options
    {
        QString sshProgram = QStringLiteral("ssh");
        QString kubectlProgram = QStringLiteral("kubectl");
        /// `ssh -F FILE` when set; empty: the person's own ~/.ssh/config and known_hosts.
        QString sshConfigFile;
        /// 0700 directory for the ControlMaster sockets; empty: defaultControlDirectory().
        QString controlDirectory;
        int connectTimeoutSeconds = 10;
        /// Keep-alives: a host that stops answering mid-run ends its ssh after about 3 x this.
        int serverAliveSeconds = 5;
        bool operator==(const Options &) const = default;
    };

    /// The local machine with the default privilege (what tests get without configuring).
    TargetTransport() = default;
    /// The local machine through `privilege` (pkexec, sudo, flatpak-spawn as today).
    explicit TargetTransport(const Privilege &privilege);
    /// A remote target. `target` must be valid (Target::parse() output always is).
    TargetTransport(const Target &target, const Options &options);

    const Target &target() const { return m_target; }
    const Options &options() const { return m_options; }
    bool isLocal() const { return m_target.isLocal(); }

    /// The command for `bpftrace ARGS` on the target, for a run. Never fails for the local
    /// target; for a remote one, an argument that cannot travel (a NUL character, a remote
    /// command over the kernel's 128 KiB limit for one argument) gives nullopt and *error.
    std::optional<LaunchCommand> tryWrap(const QStringList &bpftraceArguments, QString *error = nullptr) const;
    /// tryWrap(), or when that fails a command that cannot start (empty program): whoever runs it
    /// reports a failed start, never something else.
    LaunchCommand wrap(const QStringList &bpftraceArguments) const;
    /// For the quick look-ups (--version, -l, -lv, --info, the compile check): as wrap(), and
    /// Privilege::wrapQuery() locally.
    LaunchCommand wrapQuery(const QStringList &bpftraceArguments) const;
    /// A builder for ProbeCatalog, Capabilities and ScriptAnalyzer (setLauncher): wrapQuery().
    LaunchBuilder queryLauncher() const;

    /// The health check (TargetHealth::parse reads its stdout): reachable, uid, whether
    /// `sudo -n` works, `bpftrace --version`. Remote targets only; nullopt for local.
    std::optional<LaunchCommand> healthCommand() const;

    /// POSIX single quotes around `argument` ('it''s' -> 'it'\''s'). Never fails; a NUL cannot be
    /// represented and must be refused before (tryWrap does).
    static QString shellQuote(QStringView argument);
    /// The remote shell string for `ssh ... -- host STRING`: the stop wrapper around
    /// `bpftrace ARGS`, with root by login or `sudo -n` as the target says. Exposed for tests.
    QString remoteShellCommand(const QStringList &bpftraceArguments) const;
    /// The POSIX sh text of the stop wrapper ("$@" is the command it runs).
    static QString stopWrapperScript();
    /// Where ControlMaster sockets live: $XDG_RUNTIME_DIR/tracedesk/ssh (0700), or the Qt runtime
    /// directory when XDG_RUNTIME_DIR is unset.
    static QString defaultControlDirectory();
    /// The longest remote command accepted (Linux's MAX_ARG_STRLEN, less a margin).
    static constexpr qsizetype MaxRemoteCommandBytes = 128 * 1024 - 2048;

    /// `kubectl debug` names the pod it creates on stderr ("Creating debugging pod NAME with
    /// container ..."); empty when `stderrText` does not say.
    static QString debugPodName(QStringView stderrText);
    /// For a Kubernetes target: `kubectl [--context C] delete pod NAME --wait=false
    /// --ignore-not-found`, which removes the pod a finished debug session left behind.
    std::optional<LaunchCommand> podCleanupCommand(const QString &podName) const;
    /// Starts podCleanupCommand() for the pod `stderrText` names, detached (nobody waits for it).
    /// Returns the pod name, empty when there was none to delete or this is not Kubernetes.
    QString cleanUpAfter(QStringView stderrText) const;
    /// The same for any command that ended, from its LaunchCommand::podCleanup (QueryProcess and
    /// RunManager call it for every command they ran): nothing unless it was a `kubectl debug`.
    static QString cleanUpPod(const LaunchCommand &command, QStringView stderrText);

private:
    QStringList sshArguments() const;
    QStringList kubectlPrefix() const;

    Target m_target = Target::local();
    Options m_options;
    Privilege m_privilege;
};
