// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/outputmodel.h"

#include "ui/statuscolors.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QTimer>

using namespace Qt::StringLiterals;

OutputModel::OutputModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

void OutputModel::setRun(Run *run)
{
    if (m_run)
        disconnect(m_run, nullptr, this, nullptr);
    beginResetModel();
    m_run = run;
    m_lines.clear();
    m_nextOffset = 0;
    m_available = 0;
    endResetModel();
    if (!m_run)
        return;
    connect(m_run, &Run::outputAppended, this, [this](qint64 firstOffset, int count) {
        m_available = qMax(m_available, firstOffset + count);
        schedulePull();
    });
    m_available = m_run->totalLines();
    pullNow();
}

void OutputModel::setMaxLines(int maxLines)
{
    m_maxLines = qMax(1, maxLines);
    if (qsizetype(m_lines.size()) > m_maxLines) {
        const int excess = int(m_lines.size()) - m_maxLines;
        beginRemoveRows({}, 0, excess - 1);
        m_lines.erase(m_lines.begin(), m_lines.begin() + excess);
        endRemoveRows();
    }
}

qint64 OutputModel::droppedLines() const
{
    if (!m_run)
        return 0;
    const qint64 firstShown = m_lines.empty() ? m_nextOffset : m_lines.front().offset;
    return firstShown + m_run->droppedByRate();
}

void OutputModel::schedulePull()
{
    // However many outputAppended() arrive before the event loop comes back, one pull serves them.
    if (m_pullScheduled)
        return;
    m_pullScheduled = true;
    QTimer::singleShot(0, this, [this] {
        m_pullScheduled = false;
        // A few thousand rows a turn: a run that arrives faster than the view is shown (or a
        // window that was busy) is caught up over several turns, none of them long.
        if (pull(kRowsPerTurn))
            schedulePull();
    });
}

void OutputModel::pullNow()
{
    while (pull(m_maxLines)) { }
}

bool OutputModel::pull(int maxRows)
{
    if (!m_run || m_nextOffset >= m_available)
        return false;
    // Far behind (a burst larger than the cap): skip straight to the last m_maxLines lines.
    qint64 from = qMax(m_nextOffset, m_available - m_maxLines);
    from = qMax(from, m_run->firstOffset());
    const QList<OutputLine> batch = m_run->lines(from, int(qMin<qint64>(m_available - from, maxRows)));
    m_nextOffset = batch.isEmpty() ? m_available : batch.constLast().offset + 1;
    if (batch.isEmpty())
        return false;

    const int incoming = int(batch.size());
    const int overflow = int(m_lines.size()) + incoming - m_maxLines;
    if (overflow > 0) {
        const int removeFromView = qMin(overflow, int(m_lines.size()));
        if (removeFromView > 0) {
            beginRemoveRows({}, 0, removeFromView - 1);
            m_lines.erase(m_lines.begin(), m_lines.begin() + removeFromView);
            endRemoveRows();
        }
    }
    const int skipInBatch = qMax(0, incoming - m_maxLines);
    const int first = int(m_lines.size());
    beginInsertRows({}, first, first + incoming - skipInBatch - 1);
    for (int i = skipInBatch; i < incoming; ++i)
        m_lines.push_back(batch.at(i));
    endInsertRows();
    Q_EMIT batchAppended(incoming - skipInBatch, droppedLines());
    return m_nextOffset < m_available;
}

QString OutputModel::lineText(int row) const
{
    return row >= 0 && row < int(m_lines.size()) ? m_lines[size_t(row)].text : QString();
}

int OutputModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant OutputModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const OutputLine &line = m_lines[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return line.text;
    case OffsetRole:
        return line.offset;
    case StreamRole:
        return int(line.stream);
    case Qt::ForegroundRole:
        if (line.stream == OutputLine::Stream::Stderr)
            return QBrush(StatusColors::text(StatusColors::Role::Negative));
        if (line.stream == OutputLine::Stream::Event)
            return QBrush(StatusColors::text(StatusColors::Role::Inactive));
        return {};
    case Qt::ToolTipRole:
        return tr("Line %L1, %2 ms after start").arg(line.offset + 1).arg(line.msSinceStart);
    default:
        return {};
    }
}
