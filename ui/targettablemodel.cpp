// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/targettablemodel.h"

#include "ui/statuscolors.h"
#include "ui/uihelpers.h"

#include "engine/targets/targetregistry.h"

#include <QBrush>
#include <QLocale>

using namespace Qt::StringLiterals;

TargetTableModel::TargetTableModel(TargetRegistry *targets, QObject *parent)
    : QAbstractTableModel(parent)
    , m_targets(targets)
{
    if (m_targets) {
        m_rows = m_targets->targets();
        connect(m_targets, &TargetRegistry::targetsChanged, this, &TargetTableModel::reload);
        connect(m_targets, &TargetRegistry::healthChanged, this, &TargetTableModel::healthChanged);
    } else {
        m_rows = { Target::local() };
    }
}

TargetRegistry *TargetTableModel::registry() const
{
    return m_targets;
}

void TargetTableModel::reload()
{
    beginResetModel();
    m_rows = m_targets ? m_targets->targets() : QList<Target> { Target::local() };
    endResetModel();
}

void TargetTableModel::healthChanged(const QString &name)
{
    const int row = rowOf(name);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QString TargetTableModel::nameAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).name : QString();
}

int TargetTableModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).name == name)
            return row;
    }
    return -1;
}

QString TargetTableModel::stateText(TargetHealth::State state)
{
    switch (state) {
    case TargetHealth::State::Unknown:
        return tr("not checked");
    case TargetHealth::State::Checking:
        return tr("checking…");
    case TargetHealth::State::Ready:
        return tr("ready");
    case TargetHealth::State::Degraded:
        return tr("degraded");
    case TargetHealth::State::Unreachable:
        return tr("unreachable");
    }
    return {};
}

QIcon TargetTableModel::stateIcon(TargetHealth::State state)
{
    switch (state) {
    case TargetHealth::State::Unknown:
        return QIcon::fromTheme(u"state-offline"_s);
    case TargetHealth::State::Checking:
        return QIcon::fromTheme(u"state-sync"_s, QIcon::fromTheme(u"view-refresh"_s));
    case TargetHealth::State::Ready:
        return QIcon::fromTheme(u"state-ok"_s, QIcon::fromTheme(u"emblem-success"_s));
    case TargetHealth::State::Degraded:
        return QIcon::fromTheme(u"state-warning"_s, QIcon::fromTheme(u"emblem-warning"_s));
    case TargetHealth::State::Unreachable:
        return QIcon::fromTheme(u"state-error"_s, QIcon::fromTheme(u"emblem-error"_s));
    }
    return {};
}

QString TargetTableModel::kindText(TargetKind kind)
{
    switch (kind) {
    case TargetKind::Local:
        return tr("this machine");
    case TargetKind::Ssh:
        return tr("SSH");
    case TargetKind::Kubernetes:
        return tr("Kubernetes");
    }
    return {};
}

QString TargetTableModel::privilegeText(const Target &target, const TargetHealth &health)
{
    const bool known = health.state == TargetHealth::State::Ready || health.state == TargetHealth::State::Degraded;
    QString how;
    switch (target.kind) {
    case TargetKind::Local:
        how = tr("privilege mode");
        break;
    case TargetKind::Kubernetes:
        how = tr("debug pod");
        break;
    case TargetKind::Ssh:
        switch (target.privilege) {
        case RemotePrivilege::Auto:
            how = tr("auto");
            break;
        case RemotePrivilege::Login:
            how = tr("root login");
            break;
        case RemotePrivilege::Sudo:
            how = tr("sudo -n");
            break;
        }
        break;
    }
    if (!known)
        return how;
    if (!health.privileged)
        return tr("%1: no root").arg(how);
    if (target.kind == TargetKind::Ssh && health.uid != 0)
        return tr("%1: root by sudo -n").arg(how);
    return tr("%1: root").arg(how);
}

int TargetTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TargetTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TargetTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Target &target = m_rows.at(index.row());
    const TargetHealth health = m_targets ? m_targets->health(target.name) : TargetHealth {};
    if (role == NameRole)
        return target.name;
    if (role == StateRole)
        return int(health.state);
    if (role == Qt::ToolTipRole) {
        // The health line quotes ssh's or kubectl's own words: plain text.
        return UiHelpers::plainToolTip(target.displayName() + u'\n' + health.summary());
    }
    if (role == Qt::DecorationRole && index.column() == HealthColumn)
        return stateIcon(health.state);
    if (role == Qt::ForegroundRole && index.column() == HealthColumn) {
        switch (health.state) {
        case TargetHealth::State::Ready:
            return QBrush(StatusColors::text(StatusColors::Role::Positive));
        case TargetHealth::State::Degraded:
            return QBrush(StatusColors::text(StatusColors::Role::Neutral));
        case TargetHealth::State::Unreachable:
            return QBrush(StatusColors::text(StatusColors::Role::Negative));
        case TargetHealth::State::Unknown:
        case TargetHealth::State::Checking:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return target.isLocal() ? tr("This machine") : target.name;
    case KindColumn:
        return kindText(target.kind);
    case UriColumn:
        return target.uri();
    case HealthColumn:
        return stateText(health.state);
    case BpftraceColumn:
        if (!health.bpftraceVersion.isEmpty())
            return health.bpftraceVersion;
        if (health.reachable && health.timedOut)
            return tr("no answer");
        return health.reachable && !health.bpftraceFound ? tr("not found") : QString();
    case PrivilegeColumn:
        return privilegeText(target, health);
    case CheckedColumn: {
        if (health.state == TargetHealth::State::Checking)
            return tr("now");
        if (!health.checkedAt.isValid())
            return tr("never");
        // Health is not kept between sessions: nearly always today, when the time says enough.
        const QDateTime when = health.checkedAt.toLocalTime();
        return when.date() == QDate::currentDate() ? QLocale().toString(when.time(), QLocale::ShortFormat)
                                                   : QLocale().toString(when, QLocale::ShortFormat);
    }
    }
    return {};
}

QVariant TargetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Kind");
    case UriColumn:
        return tr("URI");
    case HealthColumn:
        return tr("Health");
    case BpftraceColumn:
        return tr("bpftrace");
    case PrivilegeColumn:
        return tr("Privilege");
    case CheckedColumn:
        return tr("Checked");
    }
    return {};
}
