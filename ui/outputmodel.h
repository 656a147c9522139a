// SPDX-License-Identifier: GPL-2.0-or-later
// The lines of one run's output for a list view: pulled in batches, capped, never one update per line.
#pragma once

#include "engine/run.h"

#include <QAbstractListModel>
#include <QPointer>

#include <deque>

class OutputModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles
    {
        OffsetRole = Qt::UserRole + 1,
        StreamRole,
    };

    explicit OutputModel(QObject *parent = nullptr);

    /// Shows `run` (or nothing). Takes what the run already has, then follows outputAppended().
    void setRun(Run *run);
    Run *run() const { return m_run; }

    /// At most this many lines stay in the view (the run itself keeps its own, larger ring).
    void setMaxLines(int maxLines);
    int maxLines() const { return m_maxLines; }
    /// Lines the run produced that are not in the view: cut by our cap, the run's ring or its rate limit.
    qint64 droppedLines() const;
    /// Pulls what arrived now instead of at the next event loop pass (tests).
    void pullNow();

    QString lineText(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// A batch went in (after rowsInserted); `dropped` is droppedLines().
    void batchAppended(int count, qint64 dropped);

private:
    static constexpr int kRowsPerTurn = 4000;
    void schedulePull();
    /// Takes up to `maxRows` of what arrived; true when more is waiting.
    bool pull(int maxRows);

    QPointer<Run> m_run;
    std::deque<OutputLine> m_lines;
    int m_maxLines = 50000;
    qint64 m_nextOffset = 0; ///< first offset not yet pulled
    qint64 m_available = 0; ///< end offset the run announced
    bool m_pullScheduled = false;
};
