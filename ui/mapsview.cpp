// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/mapsview.h"

#include "ui/histogramwidget.h"
#include "ui/maptablemodel.h"

#include "engine/run.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>

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

// A map as a table, the same on its own page and in the overview.
void setUpMapTable(QTableView *table)
{
    table->setSortingEnabled(true);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
}

// Keyed maps and stats (count, average, total) are tables; other scalars one line of text.
bool showsAsTable(const MapResult &map)
{
    return map.isKeyed() || map.isStats();
}

// Which widgets a map needs in the overview; a map whose shape stays is updated in place.
QString overviewShape(const MapResult &map)
{
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
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);

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
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_histogramPage);

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
}

void MapsView::setRun(Run *run)
{
    if (m_run)
        disconnect(m_run, nullptr, this, nullptr);
    m_run = run;
    if (m_run)
        connect(m_run, &Run::mapsChanged, this, [this] { setMaps(m_run->maps()); });
    setMaps(m_run ? m_run->maps() : RunResults());
}

void MapsView::setMaps(const RunResults &maps)
{
    m_maps = maps;
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
        const QString shape = overviewShape(map);
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

    if (map.isHistogram()) {
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
            section.table->sortByColumn(1, Qt::DescendingOrder);
        section.table->resizeColumnToContents(0);
        connect(section.table->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this, name](int column, Qt::SortOrder order) { m_overviewSorts.insert(name, { column, order }); });
    }
    return section;
}

void MapsView::fillSection(OverviewSection &section, const MapResult &map)
{
    const QString name = map.name();
    if (map.isHistogram()) {
        if (!map.isKeyed()) {
            if (const Histogram *histogram = map.value().histogram())
                section.charts.first()->setHistogram(*histogram);
            section.charts.first()->setAccessibleName(tr("%1 chart").arg(name));
            return;
        }
        const QList<MapEntry> &entries = map.entries();
        for (int i = 0; i < section.charts.size(); ++i) {
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
            table->sortByColumn(1, Qt::DescendingOrder);
        // Wider for longer keys, but never narrower than the person made it.
        if (static_cast<QAbstractItemView *>(table)->sizeHintForColumn(0) > table->columnWidth(0))
            table->resizeColumnToContents(0);
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
    return m_stack->currentWidget() == m_histogramPage;
}

void MapsView::showMap(const QString &name)
{
    const MapResult *map = name.isEmpty() ? nullptr : m_maps.find(name);
    if (!map) {
        m_stack->setCurrentWidget(m_empty);
        return;
    }
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
        m_stack->setCurrentWidget(m_histogramPage);
        showHistogramKey();
        return;
    }
    const bool sameMap = m_model->name() == name;
    const int sortColumn = m_table->horizontalHeader()->sortIndicatorSection();
    const Qt::SortOrder order = m_table->horizontalHeader()->sortIndicatorOrder();
    m_model->setMap(*map);
    // Biggest values first, the way people read counts, unless the person chose an order.
    if (sameMap && sortColumn >= 0 && sortColumn < m_model->columnCount())
        m_table->sortByColumn(sortColumn, order);
    else
        m_table->sortByColumn(1, Qt::DescendingOrder);
    m_table->resizeColumnToContents(0);
    m_stack->setCurrentWidget(m_table);
}

void MapsView::showHistogramKey()
{
    const MapResult *map = m_maps.find(currentMap());
    const Histogram *histogram = nullptr;
    if (map && !map->isKeyed()) {
        histogram = map->value().histogram();
    } else if (map) {
        const int index = m_keys->currentIndex();
        if (index >= 0 && index < map->entries().size())
            histogram = map->entries().at(index).value.histogram();
    }
    m_histogram->setHistogram(histogram ? *histogram : Histogram());
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
