// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/runspanel.h"

#include "ui/runlistmodel.h"

#include "engine/run.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStyle>
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
    // Sized for typical content so every column but the script reads at the default dock width;
    // the header's own font and the sort arrow need room too, hence the padding.
    const QFontMetrics fm = m_view->fontMetrics();
    const QFontMetrics headerFm = m_view->header()->fontMetrics();
    const int padding = m_view->style()->pixelMetric(QStyle::PM_HeaderMargin) * 2 + 16;
    auto fit = [&](int column, const QString &sample) {
        const QString header = m_model->headerData(column, Qt::Horizontal).toString();
        m_view->setColumnWidth(
            column, std::max(fm.horizontalAdvance(sample), headerFm.horizontalAdvance(header)) + padding);
    };
    fit(RunListModel::WhoColumn, u"Claude Code 2.1"_s);
    fit(RunListModel::StateColumn, u"waiting for approval"_s);
    fit(RunListModel::StartedColumn, u"23:59:59"_s); // today's runs; the tooltip has the full date
    fit(RunListModel::DurationColumn, u"1:59:59"_s);
    fit(RunListModel::ProbesColumn, u"9,999"_s);
    fit(RunListModel::LostColumn, u"99,999"_s);
    fit(RunListModel::LinesColumn, u"999,999"_s);
    m_view->header()->setMinimumSectionSize(fm.horizontalAdvance(u"999"_s) + padding);

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
