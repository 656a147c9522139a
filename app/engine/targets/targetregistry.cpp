// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine/targets/targetregistry.h"

#include "engine/capabilities.h"
#include "engine/probecatalog.h"
#include "engine/queryprocess.h"
#include "engine/scriptanalyzer.h"

#include <QLoggingCategory>
#include <QSettings>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcTargets)

namespace {
// A file-name-safe form of a target name for its cache directory.
QString cacheName(const QString &name)
{
    QString out;
    for (QChar c : name)
        out += (c.isLetterOrNumber() && c.unicode() < 0x80) || c == u'.' || c == u'-' || c == u'_' ? c : u'_';
    return out;
}
} // namespace

TargetRegistry::TargetRegistry(QObject *parent)
    : QObject(parent)
{ }

TargetRegistry::~TargetRegistry()
{
    for (Remote *r : std::as_const(m_remotes)) {
        delete r->catalog;
        delete r->capabilities;
        delete r->analyzer;
    }
    qDeleteAll(m_remotes);
}

void TargetRegistry::setLocal(
    const Privilege &privilege, ProbeCatalog *catalog, Capabilities *capabilities, ScriptAnalyzer *analyzer)
{
    m_privilege = privilege;
    m_localCatalog = catalog;
    m_localCapabilities = capabilities;
    m_localAnalyzer = analyzer;
    if (capabilities) {
        auto update = [this] {
            TargetHealth h;
            h.checkedAt = QDateTime::currentDateTimeUtc();
            h.reachable = true;
            h.bpftraceVersion = m_localCapabilities ? m_localCapabilities->info().version : QString();
            h.bpftraceFound = !h.bpftraceVersion.isEmpty();
            h.privileged = m_privilege.problem().isEmpty();
            h.uid = m_privilege.environment().isRoot ? 0 : -1;
            h.error = !h.bpftraceFound ? m_localCapabilities->errorString() : m_privilege.problem();
            h.state = h.bpftraceFound && h.privileged ? TargetHealth::State::Ready : TargetHealth::State::Degraded;
            m_localHealth = h;
            Q_EMIT healthChanged(Target::LocalName);
        };
        connect(capabilities, &Capabilities::ready, this, update);
        connect(capabilities, &Capabilities::failed, this, update);
    }
}

void TargetRegistry::setOptions(const TargetTransport::Options &options)
{
    m_options = options;
    // Already made parts keep running through the old transport; new ones take the new.
    for (Remote *r : std::as_const(m_remotes)) {
        const LaunchBuilder launcher = TargetTransport(r->target, m_options).queryLauncher();
        if (r->catalog)
            r->catalog->setLauncher(launcher);
        if (r->capabilities)
            r->capabilities->setLauncher(launcher);
        if (r->analyzer)
            r->analyzer->setLauncher(launcher);
    }
}

void TargetRegistry::setCacheDirectory(const QString &dir)
{
    m_cacheDirectory = dir;
}

bool TargetRegistry::addTarget(const Target &target, QString *error)
{
    if (!target.validate(error))
        return false;
    if (target.isLocal())
        return true; // always there
    for (const Remote *r : std::as_const(m_remotes)) {
        if (r->target == target)
            return true;
        if (r->target.name == target.name || r->target.uri() == target.uri()) {
            if (error)
                *error = u"target '%1' (%2) is configured already as %3"_s.arg(
                    target.name, target.uri(), r->target.displayName());
            return false;
        }
    }
    if (target.name == Target::LocalName || target.name == "local://"_L1) {
        if (error)
            *error = u"the name 'local' is this machine's"_s;
        return false;
    }
    // One name, one meaning: a run on "db" must not be a group's hosts in one place and a single
    // target in another (setGroup() refuses the other way round).
    if (const auto group = m_groups.constFind(target.name); group != m_groups.cend()) {
        if (error)
            *error = u"'%1' is the name of a group (%2); give the target a name of its own"_s.arg(
                target.name, group->join(u", "_s));
        return false;
    }
    auto *r = new Remote;
    r->target = target;
    m_remotes.append(r);
    Q_EMIT targetsChanged();
    return true;
}

bool TargetRegistry::removeTarget(const QString &name)
{
    for (qsizetype i = 0; i < m_remotes.size(); ++i) {
        Remote *r = m_remotes.at(i);
        if (r->target.name != name)
            continue;
        m_remotes.removeAt(i);
        delete r->catalog;
        delete r->capabilities;
        delete r->analyzer;
        delete r;
        for (QStringList &members : m_groups)
            members.removeAll(name);
        Q_EMIT targetsChanged();
        return true;
    }
    return false;
}

bool TargetRegistry::setGroup(const QString &name, const QStringList &members, QString *error)
{
    if (!Target::isValidName(name) || find(name)) {
        if (error)
            *error = u"invalid group name '%1' (a target's name, or not letters, digits and . _ @ : / -)"_s.arg(
                name.left(80));
        return false;
    }
    QStringList resolved;
    for (const QString &member : members) {
        const QString target = resolve(member, error);
        if (target.isEmpty())
            return false;
        if (!resolved.contains(target))
            resolved.append(target);
    }
    m_groups.insert(name, resolved);
    Q_EMIT targetsChanged();
    return true;
}

QList<Target> TargetRegistry::targets() const
{
    QList<Target> out { Target::local() };
    for (const Remote *r : m_remotes)
        out.append(r->target);
    return out;
}

QStringList TargetRegistry::names() const
{
    QStringList out { Target::LocalName };
    for (const Remote *r : m_remotes)
        out.append(r->target.name);
    return out;
}

const Target *TargetRegistry::find(QStringView nameOrUri) const
{
    static const Target local = Target::local();
    if (nameOrUri == Target::LocalName || nameOrUri == "local://"_L1)
        return &local;
    for (const Remote *r : m_remotes) {
        if (r->target.name == nameOrUri || r->target.uri() == nameOrUri)
            return &r->target;
    }
    return nullptr;
}

QString TargetRegistry::resolve(const QString &nameOrUri, QString *error) const
{
    if (nameOrUri.isEmpty())
        return Target::LocalName;
    if (const Target *t = find(nameOrUri))
        return t->name;
    if (error) {
        QString shown = nameOrUri.left(80);
        for (QChar &c : shown) {
            if (c.unicode() < 0x20)
                c = u'?';
        }
        *error = u"Unknown target '%1'. Only the targets the person configured can be used: %2. Adding one is "
                 "the person's act (settings or --target), never a client's."_s.arg(shown, names().join(u", "_s));
    }
    return {};
}

QStringList TargetRegistry::resolveList(const QStringList &namesOrGroups, QString *error) const
{
    QStringList out;
    for (const QString &item : namesOrGroups) {
        const auto group = m_groups.constFind(item);
        const QStringList members = group != m_groups.cend() ? *group : QStringList { resolve(item, error) };
        for (const QString &name : members) {
            if (name.isEmpty())
                return {};
            if (!out.contains(name))
                out.append(name);
        }
    }
    return out;
}

TargetRegistry::Remote *TargetRegistry::remote(const QString &name)
{
    for (Remote *r : std::as_const(m_remotes)) {
        if (r->target.name == name)
            return r;
    }
    return nullptr;
}

TargetTransport TargetRegistry::transport(const QString &name) const
{
    for (const Remote *r : m_remotes) {
        if (r->target.name == name)
            return TargetTransport(r->target, m_options);
    }
    return TargetTransport(m_privilege);
}

ProbeCatalog *TargetRegistry::catalog(const QString &name)
{
    Remote *r = remote(name);
    if (!r)
        return name == Target::LocalName ? m_localCatalog.data() : nullptr;
    if (!r->catalog) {
        r->catalog = new ProbeCatalog(this);
        r->catalog->setLauncher(transport(name).queryLauncher());
        const QString base = m_cacheDirectory.isEmpty() ? r->catalog->cacheDirectory() : m_cacheDirectory;
        r->catalog->setCacheDirectory(base + u"/targets/"_s + cacheName(name));
        r->catalog->load(); // first use: nobody asks for a remote host's probes until they need them
    }
    return r->catalog;
}

Capabilities *TargetRegistry::capabilities(const QString &name)
{
    Remote *r = remote(name);
    if (!r)
        return name == Target::LocalName ? m_localCapabilities.data() : nullptr;
    if (!r->capabilities) {
        r->capabilities = new Capabilities(this);
        r->capabilities->setLauncher(transport(name).queryLauncher());
        r->capabilities->refresh();
    }
    return r->capabilities;
}

ScriptAnalyzer *TargetRegistry::analyzer(const QString &name)
{
    Remote *r = remote(name);
    if (!r)
        return name == Target::LocalName ? m_localAnalyzer.data() : nullptr;
    if (!r->analyzer) {
        r->analyzer = new ScriptAnalyzer(this);
        r->analyzer->setLauncher(transport(name).queryLauncher());
    }
    return r->analyzer;
}

TargetHealth TargetRegistry::health(const QString &name) const
{
    for (const Remote *r : m_remotes) {
        if (r->target.name == name)
            return r->health;
    }
    return name == Target::LocalName ? m_localHealth : TargetHealth {};
}

void TargetRegistry::checkHealth(const QString &name)
{
    if (name == Target::LocalName) {
        if (m_localCapabilities)
            m_localCapabilities->refresh();
        return;
    }
    Remote *r = remote(name);
    if (!r || r->health.state == TargetHealth::State::Checking)
        return;
    const TargetTransport transport(r->target, m_options);
    const std::optional<LaunchCommand> command = transport.healthCommand();
    if (!command)
        return;
    r->health.state = TargetHealth::State::Checking;
    Q_EMIT healthChanged(name);
    const RemotePrivilege privilege = r->target.privilege;
    QueryProcess::run(this, *command, m_healthTimeoutMs, [this, name, privilege](const QueryResult &result) {
        Remote *r = remote(name);
        if (!r)
            return; // removed meanwhile
        r->health = TargetHealth::parse(result, privilege);
        qCInfo(lcTargets) << "target" << name << r->health.summary();
        Q_EMIT healthChanged(name);
    });
}

QList<Target> TargetRegistry::readTargets(const QSettings &settings, QStringList *errors)
{
    QList<Target> out;
    const int size = settings.value(u"targets/size"_s).toInt();
    for (int i = 1; i <= std::min(size, 1000); ++i) {
        const QString prefix = u"targets/%1/"_s.arg(i);
        const QString uri = settings.value(prefix + u"uri"_s).toString();
        QString error;
        std::optional<Target> t = Target::parse(uri, &error);
        if (t && !t->isLocal()) {
            const QString name = settings.value(prefix + u"name"_s).toString();
            if (!name.isEmpty())
                t->name = name;
            const QString privilege = settings.value(prefix + u"privilege"_s).toString();
            if (!privilege.isEmpty()) {
                if (const auto p = remotePrivilegeFromName(privilege))
                    t->privilege = *p;
                else
                    error = u"target %1: privilege '%2' is not auto, login or sudo"_s.arg(uri, privilege.left(40));
            }
            const QString bpftrace = settings.value(prefix + u"bpftrace"_s).toString();
            if (!bpftrace.isEmpty())
                t->bpftracePath = bpftrace;
            t->image = settings.value(prefix + u"image"_s).toString();
            if (error.isEmpty())
                t->validate(&error);
        }
        if (!t || !error.isEmpty()) {
            if (errors)
                errors->append(u"settings, targets entry %1: %2"_s.arg(i).arg(error));
            continue;
        }
        if (!t->isLocal())
            out.append(*t);
    }
    return out;
}

QMap<QString, QStringList> TargetRegistry::readGroups(const QSettings &settings)
{
    QMap<QString, QStringList> out;
    const QString prefix = u"targetGroups/"_s;
    for (const QString &key : settings.allKeys()) {
        if (!key.startsWith(prefix))
            continue;
        QStringList members;
        const QVariant value = settings.value(key);
        // QSettings reads "a,b" as a list, "a" as a string.
        const QStringList raw
            = value.metaType().id() == QMetaType::QStringList ? value.toStringList() : value.toString().split(u',');
        for (const QString &m : raw) {
            if (!m.trimmed().isEmpty())
                members.append(m.trimmed());
        }
        out.insert(key.mid(prefix.size()), members);
    }
    return out;
}

TargetTransport::Options TargetRegistry::readOptions(const QSettings &settings)
{
    TargetTransport::Options options;
    const QString ssh = settings.value(u"targetOptions/ssh"_s).toString();
    if (!ssh.isEmpty())
        options.sshProgram = ssh;
    const QString kubectl = settings.value(u"targetOptions/kubectl"_s).toString();
    if (!kubectl.isEmpty())
        options.kubectlProgram = kubectl;
    options.sshConfigFile = settings.value(u"targetOptions/sshConfig"_s).toString();
    return options;
}

void TargetRegistry::writeTargets(QSettings &settings, const QList<Target> &targets)
{
    settings.remove(u"targets"_s);
    int i = 0;
    for (const Target &t : targets) {
        if (t.isLocal())
            continue;
        const QString prefix = u"targets/%1/"_s.arg(++i);
        settings.setValue(prefix + u"uri"_s, t.uri());
        settings.setValue(prefix + u"name"_s, t.name);
        settings.setValue(prefix + u"privilege"_s, remotePrivilegeName(t.privilege));
        settings.setValue(prefix + u"bpftrace"_s, t.bpftracePath);
        if (!t.image.isEmpty())
            settings.setValue(prefix + u"image"_s, t.image);
    }
    settings.setValue(u"targets/size"_s, i);
}
