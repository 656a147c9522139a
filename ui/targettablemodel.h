// SPDX-License-Identifier: GPL-2.0-or-later
// The configured targets as a table: name, health, bpftrace version, kind, URI, privilege, last check.
#pragma once

#include "engine/targets/target.h"
#include "engine/targets/targethealth.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QPointer>

class TargetRegistry;

/// One row per target of a TargetRegistry, this machine first, kept live: a target added or
/// removed resets the rows, a health check that changes state updates its row.
class TargetTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        HealthColumn, // right after the name: a narrow pane shows whether each target is usable
        BpftraceColumn,
        KindColumn,
        UriColumn,
        PrivilegeColumn,
        CheckedColumn,
        ColumnCount
    };
    enum Roles
    {
        NameRole = Qt::UserRole + 1, ///< the target's name (QString)
        StateRole, ///< its TargetHealth::State (int)
    };

    explicit TargetTableModel(TargetRegistry *targets, QObject *parent = nullptr);

    TargetRegistry *registry() const;
    /// The target in `row`; empty when out of range.
    QString nameAt(int row) const;
    /// -1 when no such target is listed.
    int rowOf(const QString &name) const;

    /// The state as a word for people ("Ready", "Not checked yet").
    static QString stateText(TargetHealth::State state);
    /// A status icon for the state (the theme's state-* icons).
    static QIcon stateIcon(TargetHealth::State state);
    /// "This machine", "SSH", "Kubernetes".
    static QString kindText(TargetKind kind);
    /// How bpftrace becomes root there, and whether the last check found it does.
    static QString privilegeText(const Target &target, const TargetHealth &health);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void reload();
    void healthChanged(const QString &name);

    QPointer<TargetRegistry> m_targets;
    QList<Target> m_rows; ///< as the registry lists them: local first
};
