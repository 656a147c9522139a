// SPDX-License-Identifier: GPL-2.0-or-later
#include "probecatalog.h"

#include "privilege.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

class ProbeCatalog::Private
{
public:
    Privilege privilege;
    QString cacheDir;
};

QJsonObject ProbeDetails::toJson() const
{
    QJsonArray args;
    for (const ProbeArgument &a : arguments)
        args.append(QJsonObject { { u"type"_s, a.type }, { u"name"_s, a.name } });
    QJsonObject o { { u"probe"_s, probe }, { u"arguments"_s, args } };
    if (!error.isEmpty())
        o.insert(u"error"_s, error);
    return o;
}

ProbeCatalog::ProbeCatalog(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{ }

ProbeCatalog::~ProbeCatalog() = default;

void ProbeCatalog::setPrivilege(const Privilege &privilege)
{
    d->privilege = privilege;
}

void ProbeCatalog::setCacheDirectory(const QString &dir)
{
    d->cacheDir = dir;
}

void ProbeCatalog::load(bool forceRefresh)
{
    Q_UNUSED(forceRefresh)
    // First version: the asynchronous loader follows.
}

int ProbeCatalog::count() const
{
    return m_snapshot ? int(m_snapshot->probes.size()) : 0;
}

ProbeQueryResult ProbeCatalog::query(const ProbeSnapshot &snapshot, const ProbeQuery &query)
{
    ProbeQueryResult result;
    result.offset = query.offset;
    QStringList matches;
    for (const QString &p : snapshot.probes) {
        if ((query.provider.isEmpty() || p.startsWith(query.provider + u':'))
            && p.contains(query.pattern, Qt::CaseInsensitive))
            matches.append(p);
    }
    result.total = int(matches.size());
    result.probes = matches.mid(query.offset, query.limit);
    if (query.offset + query.limit < result.total)
        result.nextOffset = query.offset + query.limit;
    return result;
}

ProbeQueryResult ProbeCatalog::query(const ProbeQuery &q) const
{
    if (!m_snapshot)
        return {};
    return query(*m_snapshot, q);
}

std::shared_ptr<ProbeSnapshot> ProbeCatalog::parseListing(QByteArrayView listing)
{
    auto snapshot = std::make_shared<ProbeSnapshot>();
    for (const QByteArray &line : listing.toByteArray().split('\n')) {
        const QString probe = QString::fromUtf8(line.trimmed());
        if (!probe.contains(u':'))
            continue;
        snapshot->probes.append(probe);
    }
    snapshot->probes.sort();
    return snapshot;
}

ProbeDetails ProbeCatalog::parseDetails(const QString &probe, QByteArrayView output)
{
    Q_UNUSED(output)
    ProbeDetails details;
    details.probe = probe;
    return details;
}

void ProbeCatalog::describe(const QString &probe, QObject *context, std::function<void(const ProbeDetails &)> done)
{
    Q_UNUSED(context)
    ProbeDetails details;
    details.probe = probe;
    details.error = u"not loaded yet"_s;
    done(details);
}
