// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/targets/target.h"

#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {
// Each pattern is the whole rule for its part: anchored, ASCII only, first character never '-'.
const QRegularExpression &userPattern()
{
    static const QRegularExpression re(u"\\A[A-Za-z0-9_][A-Za-z0-9._-]{0,31}\\z"_s);
    return re;
}

const QRegularExpression &hostLabelsPattern()
{
    // RFC 1123 host names (an IPv4 address is one too); '_' is tolerated inside a label, as
    // some internal DNS zones use it.
    static const QRegularExpression re(
        u"\\A[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\\z"_s);
    return re;
}

const QRegularExpression &ipv6Pattern()
{
    static const QRegularExpression re(u"\\A[0-9A-Fa-f:.]{2,45}\\z"_s);
    return re;
}

const QRegularExpression &nodePattern()
{
    // A Kubernetes node name is a DNS-1123 subdomain.
    static const QRegularExpression re(u"\\A[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?\\z"_s);
    return re;
}

const QRegularExpression &contextPattern()
{
    // kubeconfig context names are free-form in principle; the ones clusters make use these
    // (EKS: arn:aws:eks:eu-west-1:123:cluster/name; GKE: gke_project_zone_name; user@cluster).
    static const QRegularExpression re(u"\\A[A-Za-z0-9_][A-Za-z0-9._:@/-]{0,252}\\z"_s);
    return re;
}

const QRegularExpression &namePattern()
{
    static const QRegularExpression re(u"\\A[A-Za-z0-9_\\[][A-Za-z0-9._@:/\\[\\]-]{0,127}\\z"_s);
    return re;
}

const QRegularExpression &pathPattern()
{
    static const QRegularExpression re(u"\\A[A-Za-z0-9_./+][A-Za-z0-9_./+-]{0,511}\\z"_s);
    return re;
}

const QRegularExpression &imagePattern()
{
    static const QRegularExpression re(u"\\A[A-Za-z0-9][A-Za-z0-9._:/@-]{0,511}\\z"_s);
    return re;
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

// Shown in messages: what was given, with control characters made visible and cut short.
QString quoted(QStringView text)
{
    QString out;
    for (QChar c : text.left(80)) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += u"\\x%1"_s.arg(int(c.unicode()), 2, 16, QChar(u'0'));
        else
            out += c;
    }
    if (text.size() > 80)
        out += u"..."_s;
    return u"'"_s + out + u"'"_s;
}

bool parseSsh(QStringView rest, Target &t, QString *error)
{
    QStringView hostPort = rest;
    const qsizetype at = rest.lastIndexOf(u'@');
    if (at >= 0) {
        t.user = rest.left(at).toString();
        hostPort = rest.mid(at + 1);
        if (!userPattern().match(t.user).hasMatch())
            return fail(error,
                u"the user name %1 is not allowed: letters, digits, '.', '_' and '-' only, not starting with '-'"_s.arg(
                    quoted(t.user)));
    }
    QStringView portText;
    if (hostPort.startsWith(u'[')) {
        const qsizetype close = hostPort.indexOf(u']');
        if (close < 0)
            return fail(error, u"an IPv6 address needs its closing ']'"_s);
        t.host = hostPort.mid(1, close - 1).toString();
        if (!ipv6Pattern().match(t.host).hasMatch() || !t.host.contains(u':'))
            return fail(error, u"%1 is not an IPv6 address"_s.arg(quoted(t.host)));
        const QStringView after = hostPort.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(u':'))
                return fail(error, u"unexpected %1 after the IPv6 address"_s.arg(quoted(after)));
            portText = after.mid(1);
            if (portText.isEmpty())
                return fail(error, u"the port after ':' is missing"_s);
        }
    } else {
        const qsizetype colon = hostPort.indexOf(u':');
        if (colon >= 0) {
            portText = hostPort.mid(colon + 1);
            if (portText.isEmpty())
                return fail(error, u"the port after ':' is missing"_s);
        }
        t.host = (colon >= 0 ? hostPort.left(colon) : hostPort).toString();
        if (t.host.isEmpty())
            return fail(error, u"the host name is missing (ssh://[user@]host[:port])"_s);
        if (t.host.size() > 253 || !hostLabelsPattern().match(t.host).hasMatch())
            return fail(error,
                u"the host name %1 is not allowed: letters, digits, '-', '_' and '.' only, each label starting with a "
                "letter or digit"_s.arg(quoted(t.host)));
    }
    if (!portText.isEmpty()) {
        bool ok = false;
        const int port = portText.toInt(&ok);
        const bool digitsOnly
            = std::all_of(portText.begin(), portText.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
        if (!ok || !digitsOnly || port < 1 || port > 65535)
            return fail(error, u"the port %1 is not a number from 1 to 65535"_s.arg(quoted(portText)));
        t.port = port;
    }
    return true;
}

bool parseKubernetes(QStringView rest, Target &t, QString *error)
{
    const qsizetype slash = rest.lastIndexOf(u'/');
    if (slash >= 0) {
        t.context = rest.left(slash).toString();
        if (!contextPattern().match(t.context).hasMatch() || t.context.endsWith(u'/'))
            return fail(error,
                u"the context %1 is not allowed: letters, digits and . _ : @ / - only, not starting with '-'"_s.arg(
                    quoted(t.context)));
    }
    t.node = rest.mid(slash + 1).toString();
    if (t.node.isEmpty())
        return fail(error, u"the node name is missing (k8s://[context/]node)"_s);
    if (!nodePattern().match(t.node).hasMatch())
        return fail(error,
            u"the node name %1 is not a Kubernetes node name (lower-case letters, digits, '-' and '.')"_s.arg(
                quoted(t.node)));
    return true;
}
} // namespace

QString targetKindName(TargetKind kind)
{
    switch (kind) {
    case TargetKind::Local:
        return u"local"_s;
    case TargetKind::Ssh:
        return u"ssh"_s;
    case TargetKind::Kubernetes:
        return u"kubernetes"_s;
    }
    return {};
}

QString remotePrivilegeName(RemotePrivilege privilege)
{
    switch (privilege) {
    case RemotePrivilege::Auto:
        return u"auto"_s;
    case RemotePrivilege::Login:
        return u"login"_s;
    case RemotePrivilege::Sudo:
        return u"sudo"_s;
    }
    return {};
}

std::optional<RemotePrivilege> remotePrivilegeFromName(QStringView name)
{
    for (RemotePrivilege p : { RemotePrivilege::Auto, RemotePrivilege::Login, RemotePrivilege::Sudo }) {
        if (name == remotePrivilegeName(p))
            return p;
    }
    return std::nullopt;
}

QString Target::defaultImage()
{
    return u"quay.io/iovisor/bpftrace:latest"_s;
}

Target Target::local()
{
    Target t;
    t.name = LocalName;
    return t;
}

std::optional<Target> Target::parse(QStringView uri, QString *error)
{
    auto refuse = [&](const QString &why) -> std::optional<Target> {
        fail(error, u"invalid target %1: %2"_s.arg(quoted(uri), why));
        return std::nullopt;
    };
    if (uri.isEmpty())
        return refuse(u"empty (expected local, ssh://[user@]host[:port] or k8s://[context/]node)"_s);
    for (QChar c : uri) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return refuse(u"spaces, control and non-ASCII characters are not allowed"_s);
    }
    if (uri == "local"_L1 || uri == "local://"_L1)
        return local();
    Target t;
    QString why;
    if (uri.startsWith("ssh://"_L1)) {
        t.kind = TargetKind::Ssh;
        if (!parseSsh(uri.mid(6), t, &why))
            return refuse(why);
    } else if (uri.startsWith("k8s://"_L1)) {
        t.kind = TargetKind::Kubernetes;
        if (!parseKubernetes(uri.mid(6), t, &why))
            return refuse(why);
    } else {
        return refuse(u"expected local, ssh://[user@]host[:port] or k8s://[context/]node"_s);
    }
    t.name = t.uri().mid(6);
    return t;
}

std::optional<Target> Target::parseWithName(QStringView text, QString *error)
{
    const qsizetype scheme = text.indexOf("://"_L1);
    const qsizetype equals = text.indexOf(u'=');
    // '=' never occurs in a URI we accept, so one before the scheme separates a name.
    if (equals < 0 || (scheme >= 0 && equals > scheme))
        return parse(text, error);
    const QStringView name = text.left(equals);
    std::optional<Target> t = parse(text.mid(equals + 1), error);
    if (!t)
        return t;
    if (!isValidName(name) || (name == LocalName) != t->isLocal()) {
        fail(error,
            u"invalid target name '%1': letters, digits and . _ @ : / - only, not starting with '-' (and 'local' is "
            "this machine)"_s.arg(name.left(80)));
        return std::nullopt;
    }
    t->name = name.toString();
    return t;
}

bool Target::isValidName(QStringView name)
{
    return namePattern().matchView(name).hasMatch();
}

bool Target::validate(QString *error) const
{
    if (!isValidName(name))
        return fail(error, u"invalid target name %1"_s.arg(quoted(name)));
    if (!isLocal() && name == LocalName)
        return fail(error, u"the name 'local' is this machine's"_s);
    if (!pathPattern().match(bpftracePath).hasMatch())
        return fail(error,
            u"the bpftrace path %1 of target '%2' is not allowed: letters, digits and _ . / + - only"_s.arg(
                quoted(bpftracePath), name));
    if (!image.isEmpty() && !imagePattern().match(image).hasMatch())
        return fail(error, u"the image %1 of target '%2' is not an image reference"_s.arg(quoted(image), name));
    switch (kind) {
    case TargetKind::Local:
        return true;
    case TargetKind::Ssh: {
        Target check;
        QString why;
        if (!parseSsh(uri().mid(6), check, &why) || check.host != host || check.user != user || check.port != port)
            return fail(error, u"target '%1': %2"_s.arg(name, why.isEmpty() ? u"invalid host"_s : why));
        return true;
    }
    case TargetKind::Kubernetes: {
        Target check;
        QString why;
        if (!parseKubernetes(uri().mid(6), check, &why) || check.node != node || check.context != context)
            return fail(error, u"target '%1': %2"_s.arg(name, why.isEmpty() ? u"invalid node"_s : why));
        return true;
    }
    }
    return false;
}

QString Target::uri() const
{
    switch (kind) {
    case TargetKind::Local:
        return LocalName;
    case TargetKind::Ssh: {
        QString out = u"ssh://"_s;
        if (!user.isEmpty())
            out += user + u'@';
        out += host.contains(u':') ? u'[' + host + u']' : host;
        if (port > 0)
            out += u':' + QString::number(port);
        return out;
    }
    case TargetKind::Kubernetes:
        return u"k8s://"_s + (context.isEmpty() ? QString() : context + u'/') + node;
    }
    return {};
}

QString Target::displayName() const
{
    if (isLocal() || name == uri().mid(6))
        return isLocal() ? name : uri();
    return u"%1 (%2)"_s.arg(name, uri());
}

QJsonObject Target::toJson() const
{
    return QJsonObject { { u"name"_s, name }, { u"kind"_s, targetKindName(kind) }, { u"uri"_s, uri() } };
}
