// SPDX-License-Identifier: GPL-2.0-or-later
// The list of all runs, sortable and filterable.
#pragma once

#include <QWidget>

class Run;
class RunListModel;
class RunManager;
class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

class RunsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPanel(RunManager *runs, QWidget *parent = nullptr);

    RunListModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }

    Run *currentRun() const;
    void selectRun(Run *run);

Q_SIGNALS:
    void currentRunChanged(Run *run);

private:
    RunListModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QTreeView *m_view;
};
