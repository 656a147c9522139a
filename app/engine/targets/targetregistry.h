// SPDX-License-Identifier: GPL-2.0-or-later
// The targets the person configured, each with its own catalog, capabilities, analyzer and health.
#pragma once

#include "engine/targets/target.h"
#include "engine/targets/targethealth.h"
#include "engine/targets/targettransport.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QStringList>

class Capabilities;
class ProbeCatalog;
class QSettings;
class ScriptAnalyzer;

/// The person's targets: local (always there, always first, the default) plus the SSH hosts and
/// Kubernetes nodes from the settings and the command line. Only the person adds targets (window,
/// settings file, --target): nothing an MCP client sends can, and a name no one configured is
/// refused by resolve().
///
/// Each remote target gets its own ProbeCatalog (cached on disk under its own directory),
/// Capabilities and ScriptAnalyzer, all running bpftrace through its TargetTransport, made on
/// first use; the local target's are the Engine's own. A fleet run asks the same registry for
/// each of its targets.
class TargetRegistry : public QObject
{
    Q_OBJECT
public:
    explicit TargetRegistry(QObject *parent = nullptr);
    ~TargetRegistry() override;

    /// The local target's parts (the Engine's; not owned) and privilege.
    void setLocal(
        const Privilege &privilege, ProbeCatalog *catalog, Capabilities *capabilities, ScriptAnalyzer *analyzer);
    void setOptions(const TargetTransport::Options &options);
    const TargetTransport::Options &options() const { return m_options; }
    /// Remote catalogs cache under DIR/targets/NAME.
    void setCacheDirectory(const QString &dir);

    /// Adds a target (the person's act). Refused with *error: invalid, or a name or URI already
    /// configured differently. Adding the identical target again is a no-op returning true.
    bool addTarget(const Target &target, QString *error = nullptr);
    /// Removes a remote target (its catalog and analyzer go with it). False for local or unknown.
    bool removeTarget(const QString &name);
    /// Named group of targets ("db" -> db1, db2). Members must be configured; false with *error.
    bool setGroup(const QString &name, const QStringList &members, QString *error = nullptr);
    QMap<QString, QStringList> groups() const { return m_groups; }

    /// Local first, then the others in the order they were added.
    QList<Target> targets() const;
    QStringList names() const;
    /// The target with this name or URI; nullptr when none is configured.
    const Target *find(QStringView nameOrUri) const;
    /// The configured target's name for `nameOrUri`; an empty input is the local target. Empty
    /// with *error for anything not configured ("unknown target 'x'; configured: local, db1").
    QString resolve(const QString &nameOrUri, QString *error = nullptr) const;
    /// Names and groups to target names (each once, in the given order). Empty with *error when
    /// one is not configured.
    QStringList resolveList(const QStringList &namesOrGroups, QString *error = nullptr) const;

    /// For a configured name (resolve() first); the local transport for anything else.
    TargetTransport transport(const QString &name) const;
    ProbeCatalog *catalog(const QString &name);
    Capabilities *capabilities(const QString &name);
    ScriptAnalyzer *analyzer(const QString &name);

    TargetHealth health(const QString &name) const;
    /// Runs the target's health check (for local: the Engine's capabilities); emits healthChanged.
    void checkHealth(const QString &name);
    /// How long a health check may take before the target counts as unreachable.
    void setHealthTimeoutMs(int ms) { m_healthTimeoutMs = ms; }

    /// Targets from tracedesk.conf: [targets] array (uri, name, privilege, bpftrace, image),
    /// [targetGroups] NAME=member,member and the [targetOptions] ssh/kubectl/sshConfig. Entries
    /// that do not parse are left out, each with a message in *errors.
    static QList<Target> readTargets(const QSettings &settings, QStringList *errors = nullptr);
    static QMap<QString, QStringList> readGroups(const QSettings &settings);
    static TargetTransport::Options readOptions(const QSettings &settings);
    static void writeTargets(QSettings &settings, const QList<Target> &targets);

Q_SIGNALS:
    void targetsChanged();
    void healthChanged(const QString &name);

private:
    struct Remote
    {
        Target target;
        QPointer<ProbeCatalog> catalog;
        QPointer<Capabilities> capabilities;
        QPointer<ScriptAnalyzer> analyzer;
        TargetHealth health;
    };
    Remote *remote(const QString &name);

    Privilege m_privilege;
    TargetTransport::Options m_options;
    QString m_cacheDirectory;
    QPointer<ProbeCatalog> m_localCatalog;
    QPointer<Capabilities> m_localCapabilities;
    QPointer<ScriptAnalyzer> m_localAnalyzer;
    TargetHealth m_localHealth;
    QList<Remote *> m_remotes; ///< owned, in the order added
    QMap<QString, QStringList> m_groups;
    int m_healthTimeoutMs = 20000;
};
