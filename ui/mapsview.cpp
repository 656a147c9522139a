// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/mapsview.h"

#include "ui/chartexport.h"
#include "ui/flamegraphview.h"
#include "ui/flamegraphwidget.h"
#include "ui/heatmapwidget.h"
#include "ui/histogramwidget.h"
#include "ui/maptablemodel.h"
#include "ui/timeserieschart.h"
#include "ui/uihelpers.h"

#include "engine/run.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenu>
#include <QSaveFile>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>

#include <algorithm>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace {
constexpr int OverviewRole = Qt::UserRole + 1;
constexpr int OverviewTableRows = 10; // more scroll inside the table
// The overview is a summary and the whole map is one click away, so its tables hold at most
// this many entries: a print() of a map with 100k keys then costs a pass over the JSON and a
// partial sort of numbers, not a model of 100k rows sorted through QVariant. Sorting the
// overview table orders these entries; the map alone has all of them.
constexpr int OverviewTableMaxRows = 100;
constexpr int OverviewHistogramKeys = 6; // more: select the map to pick a key
// print() can send maps many times a second; the overview catches up at most this often.
constexpr int OverviewUpdateMs = 250;

constexpr int OverviewChartHeight = 220;

// A map as a table, the same on its own page and in the overview.
void setUpMapTable(QTableView *table)
{
    table->setSortingEnabled(true);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    // Long keys (paths, stacks) are shortened in the middle, where they differ least.
    table->setTextElideMode(Qt::ElideMiddle);
    table->setWordWrap(false);
}

// The key columns share the width that the values leave: the values are never pushed off to
// the right, however long the keys (the whole key is in the tooltip).
void fitColumns(QTableView *table, const MapTableModel *model)
{
    QHeaderView *header = table->horizontalHeader();
    for (int column = 0; column < model->columnCount(); ++column) {
        header->setSectionResizeMode(
            column, column < model->keyColumnCount() ? QHeaderView::Stretch : QHeaderView::ResizeToContents);
    }
}

// A series worth a chart: printed at least twice.
const MapSeries *chartSeries(const RunResults &maps, const QString &name)
{
    const MapSeries *series = maps.series(name);
    return series && series->size() >= 2 ? series : nullptr;
}

// A file name for exports from a map name: "@opens" -> "opens", "@" -> "map".
QString exportName(const QString &map)
{
    QString name = map;
    if (name.startsWith(u'@'))
        name.remove(0, 1);
    for (QChar &c : name) {
        if (!c.isLetterOrNumber() && c != u'_' && c != u'-')
            c = u'_';
    }
    return name.isEmpty() ? u"map"_s : name;
}

// Keyed maps and stats (count, average, total) are tables; other scalars one line of text.
bool showsAsTable(const MapResult &map)
{
    return map.isKeyed() || map.isStats();
}

// Which widgets a map needs in the overview; a map whose shape stays is updated in place.
QString overviewShape(const MapResult &map, const MapSeries *series)
{
    if (series && map.isHistogram())
        return map.kindName() + u":heatmap"_s;
    if (series)
        return map.kindName() + u":lines:"_s + (showsAsTable(map) ? u"table"_s : u"value"_s);
    if (map.isHistogram()) {
        if (!map.isKeyed())
            return map.kindName() + u":one"_s;
        return map.kindName() + u":keys:"_s + QString::number(qMin(map.entryCount(), qsizetype(OverviewHistogramKeys)));
    }
    return map.kindName() + (showsAsTable(map) ? u":table"_s : u":value"_s);
}

// The label of a map in the list and the overview: its name, and its kind unless it is a plain map.
QString kindSuffix(const MapResult &map)
{
    return map.kind() == MapResult::Kind::Map ? QString() : map.kindName();
}
} // namespace

MapsView::MapsView(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_overview(new QScrollArea(this))
    , m_mapPage(new QWidget(this))
    , m_mapTitle(new QLabel(this))
    , m_export(new QToolButton(this))
    , m_mapTabs(new QTabWidget(this))
    , m_chartPage(new QWidget(this))
    , m_flame(new FlameGraphView(this))
    , m_chartStack(new QStackedWidget(this))
    , m_lineChart(new TimeSeriesChart(this))
    , m_heatmap(new HeatmapWidget(this))
    , m_heatKeyLabel(new QLabel(tr("Sho&w:"), this))
    , m_heatKeys(new QComboBox(this))
    , m_snapshotPage(new QWidget(this))
    , m_snapshotSlider(new QSlider(Qt::Horizontal, this))
    , m_snapshotLabel(new QLabel(this))
    , m_snapshotStack(new QStackedWidget(this))
    , m_table(new QTableView(this))
    , m_model(new MapTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_histogramPage(new QWidget(this))
    , m_keys(new QComboBox(this))
    , m_histogram(new HistogramWidget(this))
    , m_overviewTimer(new QTimer(this))
{
    m_list->setAccessibleName(tr("Maps"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setText(tr("No maps yet. bpftrace prints its maps when the run ends (or when the script calls print())."));
    m_empty->setForegroundRole(QPalette::PlaceholderText);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(MapTableModel::SortRole);
    m_table->setModel(m_proxy);
    setUpMapTable(m_table);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);

    auto *scroll = new QScrollArea(m_histogramPage);
    scroll->setWidget(m_histogram);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *keyRow = new QHBoxLayout;
    m_keyLabel = new QLabel(tr("&Key:"), m_histogramPage);
    m_keyLabel->setBuddy(m_keys);
    keyRow->addWidget(m_keyLabel);
    keyRow->addWidget(m_keys, 1);
    auto *histLayout = new QVBoxLayout(m_histogramPage);
    histLayout->setContentsMargins(0, 0, 0, 0);
    histLayout->addLayout(keyRow);
    histLayout->addWidget(scroll, 1);

    // One map: its title and export menu above, the chart over time and the table of one
    // snapshot as tabs below (the tab bar only when there is a chart).
    m_mapTitle->setTextFormat(Qt::PlainText);
    QFont titleFont = m_mapTitle->font();
    titleFont.setBold(true);
    m_mapTitle->setFont(titleFont);
    m_export->setText(tr("E&xport"));
    m_export->setIcon(QIcon::fromTheme(u"document-save-as"_s));
    m_export->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(m_export);
    const QString csvFilter = tr("CSV (*.csv)");
    exportMenu->addAction(tr("Table as CSV…"), this, [this, csvFilter] {
        openExportDialog(
            tr("Export table"), exportName(currentMap()) + u".csv"_s, csvFilter, &MapsView::exportTableCsv);
    });
    QAction *seriesCsv = exportMenu->addAction(tr("Series over time as CSV…"), this, [this, csvFilter] {
        openExportDialog(
            tr("Export series"), exportName(currentMap()) + u"-series.csv"_s, csvFilter, &MapsView::exportSeriesCsv);
    });
    QAction *png = exportMenu->addAction(tr("Chart as PNG…"), this, [this] {
        openExportDialog(
            tr("Export chart"), exportName(currentMap()) + u".png"_s, tr("PNG image (*.png)"), &MapsView::exportChart);
    });
    QAction *svg = exportMenu->addAction(tr("Chart as SVG…"), this, [this] {
        openExportDialog(
            tr("Export chart"), exportName(currentMap()) + u".svg"_s, tr("SVG image (*.svg)"), &MapsView::exportChart);
    });
    connect(exportMenu, &QMenu::aboutToShow, this, [this, seriesCsv, png, svg] {
        seriesCsv->setEnabled(currentSeries() != nullptr);
        png->setEnabled(currentChart() != nullptr);
        svg->setEnabled(currentChart() != nullptr);
    });
    m_export->setMenu(exportMenu);

    m_heatKeyLabel->setBuddy(m_heatKeys);
    auto *heatRow = new QHBoxLayout;
    heatRow->addWidget(m_heatKeyLabel);
    heatRow->addWidget(m_heatKeys, 1);
    m_chartStack->addWidget(m_lineChart);
    m_chartStack->addWidget(m_heatmap);
    auto *chartLayout = new QVBoxLayout(m_chartPage);
    chartLayout->setContentsMargins(0, 4, 0, 0);
    chartLayout->addLayout(heatRow);
    chartLayout->addWidget(m_chartStack, 1);
    m_lineChart->setAccessibleName(tr("Chart over time"));
    m_heatmap->setAccessibleName(tr("Heatmap over time"));

    m_snapshotSlider->setAccessibleName(tr("Snapshot"));
    m_snapshotSlider->setPageStep(1);
    m_snapshotLabel->setTextFormat(Qt::PlainText);
    auto *snapshotRow = new QHBoxLayout;
    snapshotRow->addWidget(m_snapshotLabel);
    snapshotRow->addWidget(m_snapshotSlider, 1);
    m_snapshotStack->addWidget(m_table);
    m_snapshotStack->addWidget(m_histogramPage);
    auto *snapshotLayout = new QVBoxLayout(m_snapshotPage);
    snapshotLayout->setContentsMargins(0, 4, 0, 0);
    snapshotLayout->addLayout(snapshotRow);
    snapshotLayout->addWidget(m_snapshotStack, 1);

    m_mapTabs->setDocumentMode(true);
    m_mapTabs->addTab(m_chartPage, QIcon::fromTheme(u"office-chart-line"_s), tr("Chart over time"));
    m_mapTabs->addTab(m_snapshotPage, QIcon::fromTheme(u"view-list-details"_s), tr("Snapshot"));
    // A map with a call stack in its key also has its flame graph (see updateTabs()).
    m_mapTabs->addTab(m_flame, QIcon::fromTheme(u"view-process-tree"_s), tr("Flame graph"));
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_mapTitle, 1);
    titleRow->addWidget(m_export);
    auto *mapLayout = new QVBoxLayout(m_mapPage);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    mapLayout->addLayout(titleRow);
    mapLayout->addWidget(m_mapTabs, 1);

    m_overview->setWidgetResizable(true);
    m_overview->setFrameShape(QFrame::NoFrame);
    m_overview->setAccessibleName(tr("All maps"));
    // One content widget for good: replacing it would lose the scroll position and focus.
    auto *content = new QWidget;
    auto *contentLayout = new QVBoxLayout(content);
    const int gap = content->fontMetrics().height() / 2;
    contentLayout->setContentsMargins(gap, 0, gap, gap);
    contentLayout->addStretch(1);
    m_overview->setWidget(content);
    m_overviewTimer->setSingleShot(true);
    m_overviewTimer->setInterval(OverviewUpdateMs);
    connect(m_overviewTimer, &QTimer::timeout, this, [this] {
        if (m_overviewDirty && isShowingOverview() && isVisible())
            rebuildOverview();
    });

    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_overview);
    m_stack->addWidget(m_mapPage);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_list);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    // The names are short; the maps need the room. (A maximum width would leave a dead gap
    // in the splitter.)
    const int character = fontMetrics().averageCharWidth();
    splitter->setSizes({ 18 * character, 60 * character });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        const QListWidgetItem *item = m_list->item(row);
        if (item && item->data(OverviewRole).toBool())
            enterOverview();
        else
            showMap(item ? item->data(Qt::UserRole).toString() : QString());
    });
    connect(m_keys, &QComboBox::currentIndexChanged, this, &MapsView::showHistogramKey);
    connect(m_heatKeys, &QComboBox::currentIndexChanged, this,
        [this] { m_heatmap->setKey(m_heatKeys->currentData().toString()); });
    connect(m_mapTabs, &QTabWidget::currentChanged, this, [this] {
        if (!m_choosingTab)
            m_tabChosenFor = currentMap();
    });
    connect(m_snapshotSlider, &QSlider::valueChanged, this, [this] {
        updateSnapshotLabel();
        showSnapshotContent();
    });
}

void MapsView::setRun(Run *run)
{
    if (m_run)
        disconnect(m_run, nullptr, this, nullptr);
    m_run = run;
    if (m_run)
        connect(m_run, &Run::mapsChanged, this, [this] { setMaps(m_run->maps()); });
    setMaps(m_run ? m_run->maps() : RunResults());
    // Another run starts at the left edge: a scroll position means nothing across runs.
    m_table->horizontalScrollBar()->setValue(0);
    m_overview->horizontalScrollBar()->setValue(0);
    for (const OverviewSection &section : std::as_const(m_sections)) {
        if (section.table)
            section.table->horizontalScrollBar()->setValue(0);
    }
}

void MapsView::setMaps(const RunResults &maps)
{
    m_maps = maps;
    // A map printed during the run is listed even when only its series holds it.
    for (const QString &name : maps.seriesNames()) {
        const MapSeries *series = maps.series(name);
        if (!m_maps.contains(name) && series && !series->isEmpty())
            m_maps.insert(series->snapshots.constLast().map);
    }
    refresh();
}

QStringList MapsView::mapNames() const
{
    return m_maps.names();
}

void MapsView::refresh()
{
    const bool wasOverview = isShowingOverview();
    const QString current = currentMap();
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    if (m_maps.size() > 1) {
        auto *all = new QListWidgetItem(tr("All maps"), m_list);
        all->setData(OverviewRole, true);
        all->setIcon(QIcon::fromTheme(u"view-list-tree"_s));
    }
    for (const MapResult &map : m_maps.maps()) {
        const QString kind = kindSuffix(map);
        auto *item = new QListWidgetItem(kind.isEmpty() ? map.name() : u"%1  (%2)"_s.arg(map.name(), kind), m_list);
        item->setData(Qt::UserRole, map.name());
        item->setIcon(QIcon::fromTheme(map.isHistogram() ? u"view-statistics"_s : u"view-list-details"_s));
    }
    // The overview is brought up to date only where someone can see it (and then not on every
    // print()): enterOverview(), the timer, showEvent().
    m_overviewDirty = true;
    // Keep what the person was looking at; at first, everything at once (bpftrace prints all
    // maps at the end of a run, too).
    if (m_maps.contains(current)) {
        selectMap(current);
    } else if (m_maps.size() > 1 && wasOverview) {
        m_list->setCurrentRow(0);
        updateOverviewSoon();
    } else if (m_maps.size() > 1 && current.isEmpty()) {
        showOverview();
    } else if (!m_maps.isEmpty()) {
        selectMap(m_maps.names().constFirst());
    } else {
        m_stack->setCurrentWidget(m_empty);
    }
}

void MapsView::enterOverview()
{
    m_stack->setCurrentWidget(m_overview);
    if (m_overviewDirty)
        rebuildOverview();
    Q_EMIT currentMapChanged(QString());
}

void MapsView::updateOverviewSoon()
{
    // Not restarted by each update: a steady stream of print()s still shows every 250 ms.
    if (!m_overviewTimer->isActive())
        m_overviewTimer->start();
}

void MapsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_overviewDirty && isShowingOverview())
        rebuildOverview();
}

void MapsView::rebuildOverview()
{
    m_overviewTimer->stop();
    m_overviewDirty = false;
    ++m_overviewRebuilds;
    QScrollBar *scrollBar = m_overview->verticalScrollBar();
    const int scrolled = scrollBar->value();
    QWidget *content = m_overview->widget();
    auto *layout = static_cast<QVBoxLayout *>(content->layout());
    for (auto it = m_sections.begin(); it != m_sections.end();) {
        if (m_maps.contains(it.key())) {
            ++it;
        } else {
            delete it->box;
            it = m_sections.erase(it);
        }
    }
    // Out of the layout and back in map order (new maps can come between others); this keeps
    // the widgets.
    while (QLayoutItem *item = layout->takeAt(0))
        delete item;
    for (const MapResult &map : m_maps.maps()) {
        const QString shape = overviewShape(map, chartSeries(m_maps, map.name()));
        auto section = m_sections.find(map.name());
        if (section != m_sections.end() && section->shape == shape) {
            fillSection(*section, map);
        } else {
            if (section != m_sections.end())
                delete section->box;
            section = m_sections.insert(map.name(), createSection(content, map, shape));
        }
        layout->addWidget(section->box);
    }
    layout->addStretch(1);
    scrollBar->setValue(scrolled);
}

MapsView::OverviewSection MapsView::createSection(QWidget *content, const MapResult &map, const QString &shape)
{
    const QString name = map.name();
    OverviewSection section;
    section.shape = shape;
    section.box = new QWidget(content);
    auto *layout = new QVBoxLayout(section.box);
    layout->setContentsMargins(0, 0, 0, section.box->fontMetrics().height() / 2);
    const QString kind = kindSuffix(map);
    // The name is a link to the map on its own (sorting, every key, bigger chart). Traced names
    // go into rich text here, so they are escaped.
    auto *title = new QLabel(
        u"<a href=\"%1\"><b>%2</b></a> %3"_s.arg(name.toHtmlEscaped(), name.toHtmlEscaped(), kind.toHtmlEscaped()),
        section.box);
    title->setTextFormat(Qt::RichText);
    title->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    connect(title, &QLabel::linkActivated, this, [this](const QString &map) { selectMap(map); });
    layout->addWidget(title);
    // Keys and values are traced data: plain text, so "<b>" in them shows as it is.
    auto plainLabel = [&section] {
        auto *label = new QLabel(section.box);
        label->setTextFormat(Qt::PlainText);
        return label;
    };

    // Printed several times: the chart over time first (a heatmap stands for a histogram's bars;
    // the map alone has the bars of each print).
    const MapSeries *series = chartSeries(m_maps, name);
    if (series && map.isHistogram()) {
        section.heatmap = new HeatmapWidget(section.box);
        section.heatmap->setFixedHeight(OverviewChartHeight + 40);
        section.heatmap->setAccessibleName(tr("%1 heatmap").arg(name));
        layout->addWidget(section.heatmap);
    } else if (series) {
        section.lines = new TimeSeriesChart(section.box);
        section.lines->setFixedHeight(OverviewChartHeight);
        section.lines->setAccessibleName(tr("%1 chart over time").arg(name));
        layout->addWidget(section.lines);
    }
    if (section.heatmap) {
        // The heatmap says it all; no bars.
    } else if (map.isHistogram()) {
        const int charts = map.isKeyed() ? int(qMin(map.entryCount(), qsizetype(OverviewHistogramKeys))) : 1;
        for (int i = 0; i < charts; ++i) {
            if (map.isKeyed()) {
                section.keyLabels.append(plainLabel());
                layout->addWidget(section.keyLabels.last());
            }
            auto *chart = new HistogramWidget(section.box);
            chart->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
            section.charts.append(chart);
            layout->addWidget(chart);
        }
    } else if (showsAsTable(map)) {
        section.model = new MapTableModel(section.box);
        auto *proxy = new QSortFilterProxyModel(section.box);
        proxy->setSourceModel(section.model);
        proxy->setSortRole(MapTableModel::SortRole);
        section.table = new QTableView(section.box);
        section.table->setModel(proxy);
        section.table->setAccessibleName(tr("%1 table").arg(name));
        setUpMapTable(section.table);
        // Tab moves on to the next map instead of through every cell.
        section.table->setTabKeyNavigation(false);
        layout->addWidget(section.table);
    } else {
        section.value = plainLabel();
        layout->addWidget(section.value);
    }
    section.more = plainLabel();
    section.more->setForegroundRole(QPalette::PlaceholderText);
    section.more->hide();
    layout->addWidget(section.more);

    fillSection(section, map);
    if (section.table) {
        // Biggest values first, the way people read counts, unless the person chose an order
        // for this map before.
        const auto sort = m_overviewSorts.constFind(name);
        if (sort != m_overviewSorts.cend() && sort->first >= 0 && sort->first < section.model->columnCount())
            section.table->sortByColumn(sort->first, sort->second);
        else
            section.table->sortByColumn(section.model->valueColumn(), Qt::DescendingOrder);
        connect(section.table->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this, name](int column, Qt::SortOrder order) { m_overviewSorts.insert(name, { column, order }); });
    }
    return section;
}

void MapsView::fillSection(OverviewSection &section, const MapResult &map)
{
    const QString name = map.name();
    if (const MapSeries *series = m_maps.series(name); series && (section.lines || section.heatmap)) {
        if (section.lines)
            section.lines->setSeries(*series);
        if (section.heatmap)
            section.heatmap->setSeries(*series);
    }
    if (section.heatmap)
        return;
    if (map.isHistogram()) {
        if (!map.isKeyed()) {
            if (const Histogram *histogram = map.value().histogram())
                section.charts.first()->setHistogram(*histogram);
            section.charts.first()->setAccessibleName(tr("%1 chart").arg(name));
            return;
        }
        const QList<MapEntry> &entries = map.entries();
        // One scale for all keys, so their bars compare; each chart draws it.
        qint64 sharedMax = 0;
        for (const MapEntry &entry : entries)
            sharedMax = qMax(sharedMax, entry.value.histogram() ? entry.value.histogram()->maxCount() : 0);
        for (int i = 0; i < section.charts.size(); ++i) {
            section.charts.at(i)->setSharedScale(qMax<qint64>(1, sharedMax));
            const QString key = entries.at(i).key.text();
            section.keyLabels.at(i)->setText(u"[%1]"_s.arg(key));
            section.charts.at(i)->setAccessibleName(tr("%1 [%2] chart").arg(name, key));
            section.charts.at(i)->setHistogram(
                entries.at(i).value.histogram() ? *entries.at(i).value.histogram() : Histogram());
        }
        const int more = int(entries.size()) - int(section.charts.size());
        section.more->setText(tr("%n more keys: open the map to see each.", "", more));
        section.more->setVisible(more > 0);
    } else if (section.table) {
        if (map.entryCount() > OverviewTableMaxRows)
            section.model->setMap(map, map.entriesByWeight(OverviewTableMaxRows));
        else
            section.model->setMap(map);
        QTableView *table = section.table;
        // The proxy keeps its sort order across the model's reset; a column that is gone
        // (stats became a plain map) falls back to the values.
        if (table->horizontalHeader()->sortIndicatorSection() >= section.model->columnCount())
            table->sortByColumn(section.model->valueColumn(), Qt::DescendingOrder);
        fitColumns(table, section.model);
        const int visible = std::min(section.model->rowCount(), OverviewTableRows);
        table->setFixedHeight(table->horizontalHeader()->sizeHint().height()
            + visible * table->verticalHeader()->defaultSectionSize() + 2 * table->frameWidth()
            + (section.model->rowCount() > visible ? 0 : 2));
        section.more->setText(tr("%1 of %2 entries; open the map to see all of them.")
                .arg(QLocale().toString(section.model->rowCount()), QLocale().toString(map.entryCount())));
        section.more->setVisible(section.model->rowCount() < map.entryCount());
    } else {
        section.value->setText(map.value().text());
    }
}

bool MapsView::selectMap(const QString &name)
{
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(Qt::UserRole).toString() == name && !name.isEmpty()) {
            const QSignalBlocker blocker(m_list);
            m_list->setCurrentRow(row);
            showMap(name);
            return true;
        }
    }
    return false;
}

void MapsView::showOverview()
{
    if (m_maps.size() < 2)
        return;
    const QSignalBlocker blocker(m_list);
    m_list->setCurrentRow(0);
    enterOverview();
}

bool MapsView::isShowingOverview() const
{
    return m_stack->currentWidget() == m_overview;
}

QWidget *MapsView::overview() const
{
    return m_overview->widget();
}

QString MapsView::currentMap() const
{
    const QListWidgetItem *item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

bool MapsView::isShowingHistogram() const
{
    return m_stack->currentWidget() == m_mapPage && m_mapTabs->currentWidget() == m_snapshotPage
        && m_snapshotStack->currentWidget() == m_histogramPage;
}

bool MapsView::isShowingChart() const
{
    return m_stack->currentWidget() == m_mapPage && m_mapTabs->currentWidget() == m_chartPage && hasChart();
}

bool MapsView::hasChart() const
{
    return m_mapTabs->isTabVisible(m_mapTabs->indexOf(m_chartPage));
}

void MapsView::showChart()
{
    if (hasChart())
        m_mapTabs->setCurrentWidget(m_chartPage);
}

void MapsView::showSnapshot()
{
    m_mapTabs->setCurrentWidget(m_snapshotPage);
}

const MapSeries *MapsView::currentSeries() const
{
    return chartSeries(m_maps, currentMap());
}

int MapsView::snapshotIndex() const
{
    return currentSeries() ? m_snapshotSlider->value() : -1;
}

void MapsView::setSnapshotIndex(int index)
{
    m_snapshotSlider->setValue(index);
}

const MapResult *MapsView::displayedMap() const
{
    const MapSeries *series = currentSeries();
    const int index = m_snapshotSlider->value();
    if (series && index >= 0 && index < series->size())
        return &series->snapshots.at(index).map;
    return m_maps.find(currentMap());
}

QWidget *MapsView::currentChart() const
{
    if (isShowingFlameGraph())
        return m_flame->graph();
    if (isShowingChart())
        return m_chartStack->currentWidget();
    if (isShowingHistogram())
        return m_histogram;
    return nullptr;
}

void MapsView::showMap(const QString &name)
{
    const MapResult *map = name.isEmpty() ? nullptr : m_maps.find(name);
    if (!map) {
        m_stack->setCurrentWidget(m_empty);
        return;
    }
    const bool sameMap = m_mapTitle->property("map").toString() == name;
    m_mapTitle->setProperty("map", name);
    const QString kind = kindSuffix(*map);
    m_mapTitle->setText(kind.isEmpty() ? name : u"%1  (%2)"_s.arg(name, kind));
    const MapSeries *series = chartSeries(m_maps, name);
    updateTabs(*map, series, sameMap);

    // The snapshot slider: at the last print it follows new ones, elsewhere it stays put.
    {
        const QSignalBlocker blocker(m_snapshotSlider);
        const int last = series ? int(series->size()) - 1 : 0;
        const bool follow = !sameMap || m_snapshotSlider->value() >= m_snapshotSlider->maximum();
        m_snapshotSlider->setRange(0, last);
        if (follow)
            m_snapshotSlider->setValue(last);
    }
    m_snapshotSlider->setVisible(series != nullptr);
    m_snapshotLabel->setVisible(series != nullptr);
    updateSnapshotLabel();
    m_mapTabs->setTabText(m_mapTabs->indexOf(m_snapshotPage), map->isHistogram() ? tr("Histogram") : tr("Table"));
    m_stack->setCurrentWidget(m_mapPage);
    showSnapshotContent();
    Q_EMIT currentMapChanged(name);
}

void MapsView::updateTabs(const MapResult &map, const MapSeries *series, bool sameMap)
{
    const bool chart = series != nullptr;
    if (series && map.isHistogram()) {
        m_heatmap->setSeries(*series);
        // A keyed histogram: the sum of every key, or one key chosen (the heatmap says which).
        const QString chosen = m_heatKeys->currentData().toString();
        const QSignalBlocker blocker(m_heatKeys);
        m_heatKeys->clear();
        m_heatKeys->addItem(tr("Sum of all keys"), QString());
        for (const QString &key : m_heatmap->keys())
            m_heatKeys->addItem(key, key);
        const int index = sameMap ? m_heatKeys->findData(chosen) : 0;
        m_heatKeys->setCurrentIndex(qMax(0, index));
        m_heatmap->setKey(m_heatKeys->currentData().toString());
        m_heatKeys->setVisible(!m_heatmap->keys().isEmpty());
        m_heatKeyLabel->setVisible(!m_heatmap->keys().isEmpty());
        m_chartStack->setCurrentWidget(m_heatmap);
    } else if (series) {
        m_lineChart->setSeries(*series);
        m_heatKeys->hide();
        m_heatKeyLabel->hide();
        m_chartStack->setCurrentWidget(m_lineChart);
    }
    // A map whose key holds a call stack is read as a flame graph first.
    const bool stacks = !map.isHistogram() && map.isKeyed() && !map.entries().isEmpty()
        && map.entries().first().key.stackPart() != nullptr;
    const int flameTab = m_mapTabs->indexOf(m_flame);
    const bool hadFlame = m_mapTabs->isTabVisible(flameTab);
    m_mapTabs->setTabVisible(flameTab, stacks);
    if (!stacks)
        m_flame->clear();
    const int chartTab = m_mapTabs->indexOf(m_chartPage);
    const bool hadChart = m_mapTabs->isTabVisible(chartTab);
    m_mapTabs->setTabVisible(chartTab, chart);
    m_mapTabs->tabBar()->setVisible(chart || stacks);
    // The chart is the first thing to see of a map printed several times, unless the person
    // chose the table of this map.
    const QScopedValueRollback<bool> choosing(m_choosingTab, true);
    if (!sameMap)
        m_tabChosenFor.clear();
    if (stacks && (!sameMap || (!hadFlame && m_tabChosenFor != map.name())))
        m_mapTabs->setCurrentWidget(m_flame);
    else if (!chart && !(stacks && m_mapTabs->currentWidget() == m_flame))
        m_mapTabs->setCurrentWidget(m_snapshotPage);
    else if (chart && !stacks && (!sameMap || (!hadChart && m_tabChosenFor != map.name())))
        m_mapTabs->setCurrentWidget(m_chartPage);
}

bool MapsView::isShowingFlameGraph() const
{
    return m_stack->currentWidget() == m_mapPage && m_mapTabs->currentWidget() == m_flame
        && m_mapTabs->isTabVisible(m_mapTabs->indexOf(m_flame));
}

void MapsView::showFlameGraph()
{
    if (m_mapTabs->isTabVisible(m_mapTabs->indexOf(m_flame)))
        m_mapTabs->setCurrentWidget(m_flame);
}

void MapsView::updateSnapshotLabel()
{
    const MapSeries *series = currentSeries();
    const int index = m_snapshotSlider->value();
    if (!series || index < 0 || index >= series->size()) {
        m_snapshotLabel->clear();
        return;
    }
    const double seconds = double(series->snapshots.at(index).msSinceStart) / 1000.0;
    m_snapshotLabel->setText(tr("Snapshot %1 of %2, %3 s")
            .arg(QLocale().toString(index + 1), QLocale().toString(series->size()),
                QLocale().toString(seconds, 'f', 1)));
}

void MapsView::showSnapshotContent()
{
    const MapResult *map = displayedMap();
    if (!map)
        return;
    if (map->isHistogram()) {
        const QString previousKey = m_keys->currentText();
        const QSignalBlocker blocker(m_keys);
        m_keys->clear();
        if (map->isKeyed()) {
            for (const MapEntry &entry : map->entries())
                m_keys->addItem(entry.key.text());
            m_keys->setCurrentIndex(qMax(0, m_keys->findText(previousKey)));
        }
        m_keys->setEnabled(m_keys->count() > 1);
        m_keyLabel->setVisible(map->isKeyed());
        m_keys->setVisible(map->isKeyed());
        m_snapshotStack->setCurrentWidget(m_histogramPage);
        showHistogramKey();
        return;
    }
    const bool sameMap = m_model->name() == map->name();
    const int sortColumn = m_table->horizontalHeader()->sortIndicatorSection();
    const Qt::SortOrder order = m_table->horizontalHeader()->sortIndicatorOrder();
    m_model->setMap(*map);
    if (m_mapTabs->isTabVisible(m_mapTabs->indexOf(m_flame)))
        m_flame->setMap(*map);
    // Biggest values first, the way people read counts, unless the person chose an order.
    if (sameMap && sortColumn >= 0 && sortColumn < m_model->columnCount())
        m_table->sortByColumn(sortColumn, order);
    else
        m_table->sortByColumn(m_model->valueColumn(), Qt::DescendingOrder);
    fitColumns(m_table, m_model);
    if (!sameMap)
        m_table->horizontalScrollBar()->setValue(0);
    m_snapshotStack->setCurrentWidget(m_table);
}

void MapsView::showHistogramKey()
{
    const MapResult *map = displayedMap();
    const Histogram *histogram = nullptr;
    qint64 sharedMax = 0;
    if (map && !map->isKeyed()) {
        histogram = map->value().histogram();
    } else if (map) {
        const int index = m_keys->currentIndex();
        if (index >= 0 && index < map->entries().size())
            histogram = map->entries().at(index).value.histogram();
        // Each key on the scale of the largest, so switching keys compares them.
        for (const MapEntry &entry : map->entries())
            sharedMax = qMax(sharedMax, entry.value.histogram() ? entry.value.histogram()->maxCount() : 0);
    }
    m_histogram->setSharedScale(map && map->isKeyed() && map->entryCount() > 1 ? qMax<qint64>(1, sharedMax) : 0);
    m_histogram->setHistogram(histogram ? *histogram : Histogram());
}

void MapsView::openExportDialog(const QString &title, const QString &fileName, const QString &filter,
    std::function<bool(MapsView *, const QString &, QString *)> write)
{
    auto *dialog = new QFileDialog(this, title, ChartExport::savePath(fileName), filter);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this, write](const QString &path) {
        QString error;
        if (!write(this, path, &error))
            UiHelpers::showWarning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
    });
    dialog->open();
}

bool MapsView::exportTableCsv(const QString &path, QString *error) const
{
    const MapResult *map = displayedMap();
    if (!map) {
        *error = tr("no map is selected");
        return false;
    }
    // A table as it is shown (its order, one column per key part); a histogram a row per bucket.
    if (map->isHistogram())
        return ChartExport::writeText(path, ChartExport::mapCsv(*map), error);
    return ChartExport::writeText(path, ChartExport::modelCsv(m_proxy, MapTableModel::ExportRole), error);
}

bool MapsView::exportSeriesCsv(const QString &path, QString *error) const
{
    const MapSeries *series = m_maps.series(currentMap());
    if (!series) {
        *error = tr("the map was not printed during the run");
        return false;
    }
    return ChartExport::writeText(path, ChartExport::seriesCsv(*series), error);
}

bool MapsView::exportChart(const QString &path, QString *error) const
{
    QWidget *chart = currentChart();
    if (!chart) {
        *error = tr("no chart is shown");
        return false;
    }
    return ChartExport::writeImage(chart, path, error);
}

bool MapsView::exportMaps(const RunResults &maps, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    if (path.endsWith(".json"_L1, Qt::CaseInsensitive))
        file.write(QJsonDocument(maps.toJson()).toJson(QJsonDocument::Indented));
    else
        file.write(maps.toText().toUtf8());
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}
