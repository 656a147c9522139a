// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/runlistmodel.h"

#include "ui/statuscolors.h"

#include "engine/inerttext.h"
#include "engine/run.h"
#include "engine/runmanager.h"

#include <QBrush>
#include <QColor>
#include <QIcon>
#include <QLocale>
#include <QTextDocument>

using namespace Qt::StringLiterals;

RunListModel::RunListModel(RunManager *runs, QObject *parent)
    : QAbstractTableModel(parent)
    , m_runs(runs)
{
    if (m_runs) {
        m_rows = m_runs->runs(); // newest first
        for (Run *run : std::as_const(m_rows))
            addRun(run);
        connect(m_runs, &RunManager::runAdded, this, [this](Run *run) {
            beginInsertRows({}, 0, 0);
            m_rows.prepend(run);
            endInsertRows();
            addRun(run);
        });
        // Deleted from the history: the row goes now, before the run itself is deleted.
        connect(m_runs, &RunManager::runRemoved, this, [this](Run *run) {
            const int row = m_rows.indexOf(run);
            if (row < 0)
                return;
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        });
    }
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &RunListModel::tick);
    m_ticker.start();
}

void RunListModel::addRun(Run *run)
{
    // Called for rows already in m_rows: only the connections.
    connect(run, &Run::stateChanged, this, [this, run] { runChanged(run, 0, ColumnCount - 1); });
    connect(run, &Run::statsChanged, this, [this, run] { runChanged(run, ProbesColumn, LinesColumn); });
    connect(run, &Run::outputAppended, this, [this, run] { runChanged(run, LinesColumn, LinesColumn); });
    connect(run, &QObject::destroyed, this, [this, run] {
        const int row = m_rows.indexOf(run);
        if (row < 0)
            return;
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    });
}

void RunListModel::runChanged(Run *run, int firstColumn, int lastColumn)
{
    const int row = rowOf(run);
    if (row >= 0)
        Q_EMIT dataChanged(index(row, firstColumn), index(row, lastColumn));
}

void RunListModel::tick()
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (isActive(m_rows.at(row)->state()) || m_rows.at(row)->state() == RunState::PendingApproval)
            Q_EMIT dataChanged(index(row, DurationColumn), index(row, DurationColumn), { Qt::DisplayRole, SortRole });
    }
}

Run *RunListModel::runAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : nullptr;
}

int RunListModel::rowOf(const Run *run) const
{
    return m_rows.indexOf(const_cast<Run *>(run));
}

QString RunListModel::whoAsked(const Run *run)
{
    if (run->origin() == RunOrigin::Person)
        return tr("you");
    return run->client().displayName();
}

QString RunListModel::stateText(const Run *run)
{
    switch (run->state()) {
    case RunState::PendingApproval:
        return tr("waiting for approval");
    case RunState::Starting:
        return tr("starting");
    case RunState::Running:
        return tr("running");
    case RunState::Stopping:
        return tr("stopping");
    case RunState::Finished:
        return tr("finished");
    case RunState::Failed:
        return tr("failed");
    case RunState::Stopped:
        return tr("stopped");
    case RunState::TimedOut:
        return tr("timed out");
    case RunState::Denied:
        return tr("denied");
    case RunState::Expired:
        return tr("expired");
    }
    return {};
}

QString RunListModel::durationText(double seconds)
{
    if (seconds <= 0)
        return u"–"_s;
    if (seconds < 60)
        return tr("%1 s").arg(seconds, 0, 'f', seconds < 10 ? 1 : 0);
    const qint64 s = qint64(seconds);
    if (s < 3600)
        return u"%1:%2"_s.arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return u"%1:%2:%3"_s.arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Run *run = m_rows.at(index.row());
    if (role == RunRole)
        return QVariant::fromValue(const_cast<Run *>(run));
    const QLocale locale;
    if (role == Qt::DisplayRole || role == SortRole) {
        const bool sort = role == SortRole;
        switch (index.column()) {
        case IdColumn:
            return run->id();
        case WhoColumn:
            return InertText::line(whoAsked(run));
        case StateColumn:
            return sort ? QVariant(int(run->state())) : QVariant(stateText(run));
        case StartedColumn: {
            const QDateTime when = run->startedAt().isValid() ? run->startedAt() : run->createdAt();
            if (sort)
                return when.toMSecsSinceEpoch();
            if (!when.isValid())
                return QString();
            // Today's runs need only the time, older ones only the day (the tooltip has both):
            // the column stays as narrow as the time, which fits the default dock.
            const QDateTime local = when.toLocalTime();
            if (local.date() == QDate::currentDate())
                return locale.toString(local, u"HH:mm:ss"_s);
            return locale.toString(local.date(), QLocale::ShortFormat);
        }
        case DurationColumn:
            return sort ? QVariant(run->durationSeconds()) : QVariant(durationText(run->durationSeconds()));
        case ProbesColumn:
            return sort ? QVariant(run->attachedProbes()) : QVariant(locale.toString(run->attachedProbes()));
        case LostColumn:
            return sort ? QVariant(run->lostEvents()) : QVariant(locale.toString(run->lostEvents()));
        case LinesColumn:
            return sort ? QVariant(run->totalLines()) : QVariant(locale.toString(run->totalLines()));
        case ScriptColumn: {
            const QString script = InertText::line(run->script().simplified());
            return script.size() > 80 ? script.left(79) + u'…' : script;
        }
        }
    }
    if (role == Qt::ToolTipRole) {
        QString tip = tr("%1, asked by %2").arg(run->id(), whoAsked(run));
        const QDateTime when = run->startedAt().isValid() ? run->startedAt() : run->createdAt();
        if (when.isValid())
            tip += u'\n' + tr("Started %1").arg(locale.toString(when.toLocalTime(), u"yyyy-MM-dd HH:mm:ss"_s));
        if (!run->reason().isEmpty())
            tip += u'\n' + tr("Reason: %1").arg(run->reason());
        if (!run->failureReason().isEmpty())
            tip += u'\n' + run->failureReason();
        if (!run->decisionMessage().isEmpty())
            tip += u'\n' + run->decisionMessage();
        // A tooltip guesses rich text from its first line, which holds the client's name.
        return Qt::convertFromPlainText(InertText::block(tip), Qt::WhiteSpaceNormal);
    }
    if (role == Qt::ForegroundRole && index.column() == StateColumn) {
        switch (run->state()) {
        case RunState::Failed:
        case RunState::Denied:
        case RunState::Expired:
            return QBrush(StatusColors::text(StatusColors::Role::Negative));
        case RunState::PendingApproval:
            return QBrush(StatusColors::text(StatusColors::Role::Neutral));
        case RunState::Running:
            return QBrush(StatusColors::text(StatusColors::Role::Positive));
        default:
            break;
        }
    }
    if (role == Qt::DecorationRole && index.column() == WhoColumn)
        return QIcon::fromTheme(run->origin() == RunOrigin::Person ? u"user-identity"_s : u"network-connect"_s);
    if (role == Qt::TextAlignmentRole && index.column() >= DurationColumn && index.column() <= LinesColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn:
        return tr("Run");
    case WhoColumn:
        return tr("Asked by");
    case StateColumn:
        return tr("State");
    case StartedColumn:
        return tr("Started");
    case DurationColumn:
        return tr("Duration");
    case ProbesColumn:
        return tr("Probes");
    case LostColumn:
        return tr("Lost events");
    case LinesColumn:
        return tr("Lines");
    case ScriptColumn:
        return tr("Script");
    }
    return {};
}
