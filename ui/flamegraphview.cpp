// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/flamegraphview.h"

#include "ui/flamegraphtablemodel.h"
#include "ui/flamegraphwidget.h"
#include "ui/uihelpers.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

FlameGraphView::FlameGraphView(QWidget *parent)
    : QWidget(parent)
    , m_graph(new FlameGraphWidget)
    , m_graphArea(new QScrollArea)
    , m_search(new QLineEdit)
    , m_share(new QLabel)
    , m_reset(new QPushButton(tr("&Reset zoom")))
    , m_export(new QPushButton(tr("&Export")))
    , m_exportMenu(new QMenu(this))
    , m_directionBox(new QComboBox)
    , m_table(new QTreeView)
    , m_model(new FlameGraphTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_search->setPlaceholderText(tr("Search frames"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search frames"));
    m_search->setMaximumWidth(320);
    m_share->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_directionBox->addItem(tr("Top-down"));
    m_directionBox->addItem(tr("Bottom-up"));
    m_directionBox->setToolTip(tr("Top-down: callers at the root. Bottom-up: the innermost frames at the root."));
    m_directionBox->setAccessibleName(tr("Direction"));
    m_reset->setToolTip(tr("Show all samples again (Escape in the graph)"));
    m_export->setMenu(m_exportMenu);
    m_exportMenu->addAction(tr("Folded stacks…"), this, [this] { chooseExportPath(ExportFormat::Folded); });
    m_exportMenu->addAction(tr("SVG…"), this, [this] { chooseExportPath(ExportFormat::Svg); });
    m_exportMenu->addAction(tr("PNG…"), this, [this] { chooseExportPath(ExportFormat::Png); });

    m_graphArea->setWidget(m_graph);
    m_graphArea->setWidgetResizable(true);
    m_graphArea->setFrameShape(QFrame::NoFrame);
    m_graphArea->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FlameGraphTableModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FlameGraphTableModel::InclusiveColumn, Qt::DescendingOrder);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAccessibleName(tr("Samples per symbol"));
    m_table->header()->setStretchLastSection(false);
    m_table->header()->setSectionResizeMode(FlameGraphTableModel::SymbolColumn, QHeaderView::Stretch);
    for (int c = FlameGraphTableModel::SelfColumn; c < FlameGraphTableModel::ColumnCount; ++c)
        m_table->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 2);
    bar->addWidget(m_share, 1);
    bar->addStretch();
    bar->addWidget(m_directionBox);
    bar->addWidget(m_reset);
    bar->addWidget(m_export);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_graphArea);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    // The table needs room for kernel symbols beside three numbers even where the Maps tab is
    // narrow (a 1280x800 window): a little over half for the graph, the rest for the table.
    splitter->setSizes({ 560, 440 });
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(m_search, &QLineEdit::textChanged, m_graph, &FlameGraphWidget::setSearch);
    connect(m_graph, &FlameGraphWidget::searchChanged, this, &FlameGraphView::updateShare);
    connect(m_graph, &FlameGraphWidget::zoomChanged, this, &FlameGraphView::updateReset);
    connect(m_reset, &QPushButton::clicked, this, [this] {
        m_graph->resetZoom();
        m_graph->setFocus();
    });
    connect(m_directionBox, &QComboBox::currentIndexChanged, this,
        [this](int index) { setDirection(index == 1 ? Direction::BottomUp : Direction::TopDown); });
    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
            m_graph->setHighlightedFrame(
                current.isValid() ? current.data(FlameGraphTableModel::FrameRole).toInt() : -1);
        });
    showTree();
    updateShare();
}

void FlameGraphView::setMap(const MapResult &map)
{
    if (!StackTree::hasStack(map)) {
        clear();
        return;
    }
    const bool sameMap = map.name() == m_mapName && hasStacks();
    m_mapName = map.name();
    m_tree = StackTree::fromMap(map);
    showTree();
    // The first look at a flame graph starts at its root, at the bottom.
    if (!sameMap)
        QTimer::singleShot(0, this,
            [this] { m_graphArea->verticalScrollBar()->setValue(m_graphArea->verticalScrollBar()->maximum()); });
}

void FlameGraphView::clear()
{
    m_mapName.clear();
    m_tree = StackTree();
    showTree();
}

void FlameGraphView::setDirection(Direction direction)
{
    if (direction == m_direction)
        return;
    m_direction = direction;
    m_directionBox->setCurrentIndex(direction == Direction::BottomUp ? 1 : 0);
    showTree();
}

void FlameGraphView::showTree()
{
    // Frame indices are the same in both directions, so the table's selection carries over.
    const int frame = m_graph->highlightedFrame();
    m_graph->setTree(m_direction == Direction::BottomUp ? m_tree.bottomUp() : m_tree);
    const QModelIndex current = m_table->currentIndex();
    const int selectedFrame = current.isValid() ? current.data(FlameGraphTableModel::FrameRole).toInt() : -1;
    m_model->setTree(m_tree);
    if (selectedFrame >= 0 && selectedFrame == frame && selectedFrame < m_tree.frameCount()) {
        const int row = m_model->rowOfFrame(selectedFrame);
        if (row >= 0)
            m_table->setCurrentIndex(m_proxy->mapFromSource(m_model->index(row, 0)));
    }
    m_search->setEnabled(hasStacks());
    m_export->setEnabled(hasStacks());
    m_directionBox->setEnabled(hasStacks());
    updateReset();
}

void FlameGraphView::updateShare()
{
    m_share->setText(m_graph->searchShareText());
}

void FlameGraphView::updateReset()
{
    m_reset->setEnabled(m_graph->zoomNode() != 0);
}

bool FlameGraphView::exportTo(ExportFormat format, const QString &path, QString *error) const
{
    switch (format) {
    case ExportFormat::Folded: {
        QSaveFile file(path);
        const QByteArray data = m_tree.folded().toUtf8();
        if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
            if (error)
                *error = file.errorString();
            return false;
        }
        return true;
    }
    case ExportFormat::Svg:
        return m_graph->exportSvg(path, error);
    case ExportFormat::Png:
        return m_graph->exportPng(path, error);
    }
    return false;
}

QString FlameGraphView::suggestedExportPath(ExportFormat format) const
{
    QString name = m_mapName;
    name.remove(u'@');
    name.replace(QRegularExpression(u"[^A-Za-z0-9_.-]"_s), u"_"_s);
    if (name.isEmpty())
        name = u"stacks"_s;
    const QString suffix = format == ExportFormat::Folded ? u".folded"_s
        : format == ExportFormat::Svg                     ? u".svg"_s
                                                          : u".png"_s;
    return QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).filePath(name + suffix);
}

void FlameGraphView::chooseExportPath(ExportFormat format)
{
    const QString filter = format == ExportFormat::Folded ? tr("Folded stacks (*.folded *.txt);;All files (*)")
        : format == ExportFormat::Svg                     ? tr("SVG images (*.svg)")
                                                          : tr("PNG images (*.png)");
    auto *dialog = new QFileDialog(this, tr("Export flame graph"), suggestedExportPath(format), filter);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this, format](const QString &path) {
        QString error;
        if (!exportTo(format, path, &error))
            UiHelpers::showWarning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
    });
    dialog->open();
}
