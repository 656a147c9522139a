// SPDX-License-Identifier: GPL-2.0-or-later
#include "capabilities.h"

#include "privilege.h"

using namespace Qt::StringLiterals;

class Capabilities::Private
{
public:
    Privilege privilege;
};

QJsonObject BpfInfo::toJson() const
{
    return QJsonObject { { u"version"_s, version }, { u"kernelRelease"_s, kernelRelease } };
}

BpfInfo BpfInfo::parse(const QString &infoText, const QString &versionText)
{
    Q_UNUSED(infoText)
    BpfInfo info;
    info.version = parseVersion(versionText);
    return info;
}

QString BpfInfo::parseVersion(const QString &versionText)
{
    QString v = versionText.trimmed();
    const qsizetype at = v.lastIndexOf(u'v');
    return at >= 0 ? v.mid(at + 1) : v;
}

int BpfInfo::compareVersions(const QString &a, const QString &b)
{
    const QStringList pa = a.split(u'.');
    const QStringList pb = b.split(u'.');
    for (qsizetype i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        const int x = i < pa.size() ? pa[i].toInt() : 0;
        const int y = i < pb.size() ? pb[i].toInt() : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

QJsonObject BuiltinHelp::toJson() const
{
    return QJsonObject { { u"name"_s, name }, { u"kind"_s, kind }, { u"signature"_s, signature },
        { u"summary"_s, summary }, { u"since"_s, since }, { u"unsafe"_s, unsafe } };
}

Capabilities::Capabilities(QObject *parent)
    : QObject(parent)
    , d(new Private)
{ }

void Capabilities::setPrivilege(const Privilege &privilege)
{
    d->privilege = privilege;
}

void Capabilities::refresh() { }

QList<BuiltinHelp> Capabilities::builtins(const QString &bpftraceVersion)
{
    Q_UNUSED(bpftraceVersion)
    return {};
}
