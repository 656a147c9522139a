// SPDX-License-Identifier: GPL-2.0-or-later
#include "runspanel.h"

#include "runlistmodel.h"

#include <run.h>

#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

RunsPanel::RunsPanel(RunManager *runs, QWidget *parent)
    : QWidget(parent)
    , m_model(new RunListModel(runs, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_view(new QTreeView(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunListModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1); // any column: who, state, script
    m_filter->setPlaceholderText(tr("Filter runs (client, state, script)"));
    m_filter->setClearButtonEnabled(true);

    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunListModel::StartedColumn, Qt::DescendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setColumnHidden(RunListModel::IdColumn, true);
    const QFontMetrics fm = m_view->fontMetrics();
    m_view->setColumnWidth(RunListModel::WhoColumn, fm.horizontalAdvance(u"Claude Code 2.1.3"_s) + 30);
    m_view->setColumnWidth(RunListModel::StateColumn, fm.horizontalAdvance(u"waiting for approval"_s) + 12);
    m_view->setColumnWidth(RunListModel::StartedColumn, fm.horizontalAdvance(u"2026-11-24 23:59:59"_s) + 12);
    for (int column : { int(RunListModel::DurationColumn), int(RunListModel::ProbesColumn),
             int(RunListModel::LostColumn), int(RunListModel::LinesColumn) })
        m_view->setColumnWidth(column, fm.horizontalAdvance(u"Lost events"_s) + 16);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this] { Q_EMIT currentRunChanged(currentRun()); });
}

Run *RunsPanel::currentRun() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() ? index.data(RunListModel::RunRole).value<Run *>() : nullptr;
}

void RunsPanel::selectRun(Run *run)
{
    const int row = m_model->rowOf(run);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, RunListModel::WhoColumn));
    if (!index.isValid())
        return;
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
}
