// SPDX-License-Identifier: GPL-2.0-or-later
// Where bpftrace runs: this machine, an SSH host or a Kubernetes node, named by a URI the person gave.
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

enum class TargetKind
{
    Local, ///< this machine, through the privilege mode (today's behaviour, the default)
    Ssh, ///< ssh://[user@]host[:port]: OpenSSH in BatchMode, one ControlMaster connection per host
    Kubernetes, ///< k8s://[context/]node: a `kubectl debug node/NAME` pod per bpftrace
};
/// "local", "ssh", "kubernetes": the names MCP and the settings use.
QString targetKindName(TargetKind kind);

/// How bpftrace becomes root on an SSH host (a Kubernetes debug pod is root already).
enum class RemotePrivilege
{
    Auto, ///< root when logged in as root, else `sudo -n` (decided on the host, per command)
    Login, ///< log in as root; never sudo
    Sudo, ///< always `sudo -n` (a NOPASSWD rule for sh on the host; never a password)
};
QString remotePrivilegeName(RemotePrivilege privilege);
std::optional<RemotePrivilege> remotePrivilegeFromName(QStringView name);

/// One target as the person configured it. A plain value; the registry keeps the list.
///
/// Everything that ends up in an ssh or kubectl argument list is checked here, once: user, host,
/// context and node consist only of the characters their own syntax allows, so none of them can
/// start with '-' (an option such as -oProxyCommand=... smuggled as a host name), hold a space,
/// a control character or a shell metacharacter.
struct Target
{
    TargetKind kind = TargetKind::Local;
    /// Unique among the configured targets; what clients and the window name it by. Letters,
    /// digits and . _ - @ : / only (see isValidName); default: the URI without its scheme.
    QString name;
    QString user; ///< ssh: empty = whatever the ssh configuration says
    QString host; ///< ssh: a host name, IPv4 address or IPv6 address (without brackets)
    int port = 0; ///< ssh: 0 = the ssh configuration's port
    QString context; ///< k8s: empty = kubectl's current context
    QString node; ///< k8s: the node name
    RemotePrivilege privilege = RemotePrivilege::Auto; ///< ssh only
    QString bpftracePath = QStringLiteral("bpftrace"); ///< on the target
    QString image; ///< k8s: the debug pod's image (needs sh and bpftrace); empty = defaultImage()

    static inline const QString LocalName = QStringLiteral("local");
    static QString defaultImage();

    /// This machine.
    static Target local();
    /// Parses `local`, `ssh://[user@]host[:port]` or `k8s://[context/]node`; anything else is
    /// refused with a message that says what is wrong. The name is the default one.
    static std::optional<Target> parse(QStringView uri, QString *error = nullptr);
    /// `[NAME=]URI`, as --target takes it.
    static std::optional<Target> parseWithName(QStringView text, QString *error = nullptr);
    static bool isValidName(QStringView name);
    /// Checks the per-target settings that also reach the remote command line (the bpftrace path
    /// and the image). parse() output is always valid; a hand-made Target may not be.
    bool validate(QString *error = nullptr) const;

    bool isLocal() const { return kind == TargetKind::Local; }
    /// The canonical URI: `local`, `ssh://user@host:port`, `k8s://context/node`.
    QString uri() const;
    /// What the window and the approval show: "db1 (ssh://root@db1)" or "local".
    QString displayName() const;
    QJsonObject toJson() const; ///< name, kind, uri

    bool operator==(const Target &) const = default;
};
