// SPDX-License-Identifier: GPL-2.0-or-later
// Every run the engine knows (the person's and the AI's), newest first, kept live.
#pragma once

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>

class Run;
class RunManager;

class RunListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        WhoColumn,
        StateColumn,
        StartedColumn,
        DurationColumn,
        ProbesColumn,
        LostColumn,
        LinesColumn,
        ScriptColumn,
        ColumnCount
    };
    enum Roles
    {
        RunRole = Qt::UserRole + 1, ///< Run*
        SortRole, ///< numbers and times as numbers
    };

    explicit RunListModel(RunManager *runs, QObject *parent = nullptr);

    Run *runAt(int row) const;
    int rowOf(const Run *run) const;

    /// "you" for the person, else the client's name and version.
    static QString whoAsked(const Run *run);
    static QString stateText(const Run *run);
    static QString durationText(double seconds);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void addRun(Run *run);
    void runChanged(Run *run, int firstColumn, int lastColumn);
    void tick();

    QPointer<RunManager> m_runs;
    QList<Run *> m_rows; ///< newest first
    QTimer m_ticker; ///< durations of active runs grow every second
};
