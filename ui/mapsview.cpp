// SPDX-License-Identifier: GPL-2.0-or-later
#include "mapsview.h"

#include "histogramwidget.h"
#include "maptablemodel.h"

#include <run.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
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

bool isHistogram(const QString &kind)
{
    return kind == "hist"_L1 || kind == "lhist"_L1;
}

// bpftrace labels lhist buckets linearly, and so do we for a hist whose buckets look that way.
bool drawsLinear(const QString &kind, const QList<HistBucket> &buckets)
{
    return kind == "lhist"_L1 || HistogramWidget::looksLinear(buckets);
}

void showBuckets(HistogramWidget *chart, const QString &kind, const QJsonArray &buckets)
{
    chart->setBuckets(buckets, drawsLinear(kind, HistogramWidget::parseBuckets(buckets)));
}

// A map as a table, the same on its own page and in the overview.
void setUpMapTable(QTableView *table)
{
    table->setSortingEnabled(true);
    table->setAlternatingRowColors(true);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
}

// Which widgets a map needs in the overview; a map whose shape stays is updated in place.
QString overviewShape(const QJsonObject &entry)
{
    const QString kind = entry.value("kind"_L1).toString();
    const QJsonValue data = entry.value("data"_L1);
    if (isHistogram(kind)) {
        if (data.isArray())
            return kind + u":one"_s;
        return kind + u":keys:"_s + QString::number(qMin(data.toObject().size(), qsizetype(OverviewHistogramKeys)));
    }
    return kind + (data.isObject() ? u":table"_s : u":value"_s);
}

// The `count` entries with the biggest values (by count for stats), biggest first being how
// people read counts. Values that are not numbers have no "biggest": then the first keys.
QJsonObject overviewEntries(const QJsonObject &data, int count)
{
    auto rank = [](const QJsonValue &value) -> std::optional<double> {
        if (value.isDouble())
            return value.toDouble();
        const QJsonValue stats = value.toObject().value("count"_L1);
        if (stats.isDouble())
            return stats.toDouble();
        return std::nullopt;
    };
    QJsonObject shown;
    std::vector<std::pair<double, QString>> ranked;
    ranked.reserve(data.size());
    for (auto it = data.begin(); it != data.end(); ++it) {
        const std::optional<double> value = rank(it.value());
        if (!value) {
            for (auto key = data.begin(); key != data.end() && shown.size() < count; ++key)
                shown.insert(key.key(), key.value());
            return shown;
        }
        ranked.emplace_back(*value, it.key());
    }
    const auto end = ranked.begin() + std::min(ranked.size(), size_t(count));
    std::partial_sort(ranked.begin(), end, ranked.end(),
        [](const auto &a, const auto &b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    for (auto it = ranked.begin(); it != end; ++it)
        shown.insert(it->second, data.value(it->second));
    return shown;
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
    setMaps(m_run ? m_run->maps() : QJsonObject());
}

void MapsView::setMaps(const QJsonObject &maps)
{
    m_maps = maps;
    refresh();
}

QStringList MapsView::mapNames() const
{
    return m_maps.keys();
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
    for (auto it = m_maps.begin(); it != m_maps.end(); ++it) {
        const QString kind = it.value().toObject().value("kind"_L1).toString();
        auto *item = new QListWidgetItem(
            kind == "map"_L1 || kind.isEmpty() ? it.key() : u"%1  (%2)"_s.arg(it.key(), kind), m_list);
        item->setData(Qt::UserRole, it.key());
        item->setIcon(QIcon::fromTheme(isHistogram(kind) ? u"view-statistics"_s : u"view-list-details"_s));
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
        selectMap(m_maps.begin().key());
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
    for (auto it = m_maps.begin(); it != m_maps.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        const QString shape = overviewShape(entry);
        auto section = m_sections.find(it.key());
        if (section != m_sections.end() && section->shape == shape) {
            fillSection(*section, it.key(), entry);
        } else {
            if (section != m_sections.end())
                delete section->box;
            section = m_sections.insert(it.key(), createSection(content, it.key(), entry, shape));
        }
        layout->addWidget(section->box);
    }
    layout->addStretch(1);
    scrollBar->setValue(scrolled);
}

MapsView::OverviewSection MapsView::createSection(
    QWidget *content, const QString &name, const QJsonObject &entry, const QString &shape)
{
    OverviewSection section;
    section.shape = shape;
    section.box = new QWidget(content);
    auto *layout = new QVBoxLayout(section.box);
    layout->setContentsMargins(0, 0, 0, section.box->fontMetrics().height() / 2);
    const QString kind = entry.value("kind"_L1).toString();
    const QJsonValue data = entry.value("data"_L1);
    // The name is a link to the map on its own (sorting, every key, bigger chart). Traced names
    // go into rich text here, so they are escaped.
    auto *title = new QLabel(u"<a href=\"%1\"><b>%2</b></a> %3"_s.arg(name.toHtmlEscaped(), name.toHtmlEscaped(),
                                 kind.isEmpty() || kind == "map"_L1 ? QString() : kind.toHtmlEscaped()),
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

    if (isHistogram(kind)) {
        const int charts = data.isArray() ? 1 : int(qMin(data.toObject().size(), qsizetype(OverviewHistogramKeys)));
        for (int i = 0; i < charts; ++i) {
            if (!data.isArray()) {
                section.keyLabels.append(plainLabel());
                layout->addWidget(section.keyLabels.last());
            }
            auto *chart = new HistogramWidget(section.box);
            chart->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
            section.charts.append(chart);
            layout->addWidget(chart);
        }
    } else if (data.isObject()) {
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

    fillSection(section, name, entry);
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

void MapsView::fillSection(OverviewSection &section, const QString &name, const QJsonObject &entry)
{
    const QString kind = entry.value("kind"_L1).toString();
    const QJsonValue data = entry.value("data"_L1);
    if (isHistogram(kind)) {
        if (data.isArray()) {
            showBuckets(section.charts.first(), kind, data.toArray());
            section.charts.first()->setAccessibleName(tr("%1 chart").arg(name));
            return;
        }
        const QJsonObject keyed = data.toObject();
        auto key = keyed.begin();
        for (int i = 0; i < section.charts.size(); ++i, ++key) {
            section.keyLabels.at(i)->setText(u"[%1]"_s.arg(key.key()));
            section.charts.at(i)->setAccessibleName(tr("%1 [%2] chart").arg(name, key.key()));
            showBuckets(section.charts.at(i), kind, key.value().toArray());
        }
        const int more = int(keyed.size()) - int(section.charts.size());
        section.more->setText(tr("%n more key(s): open the map to see each.", nullptr, more));
        section.more->setVisible(more > 0);
    } else if (section.table) {
        const QJsonObject entries = data.toObject();
        QJsonObject shown = entry;
        if (entries.size() > OverviewTableMaxRows)
            shown.insert("data"_L1, overviewEntries(entries, OverviewTableMaxRows));
        section.model->setMap(name, shown);
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
                .arg(QLocale().toString(section.model->rowCount()), QLocale().toString(entries.size())));
        section.more->setVisible(section.model->rowCount() < entries.size());
    } else {
        section.value->setText(MapTableModel::valueText(data));
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
    if (name.isEmpty() || !m_maps.contains(name)) {
        m_stack->setCurrentWidget(m_empty);
        return;
    }
    const QJsonObject entry = m_maps.value(name).toObject();
    const QString kind = entry.value("kind"_L1).toString();
    if (isHistogram(kind)) {
        const QJsonValue data = entry.value("data"_L1);
        const QString previousKey = m_keys->currentText();
        const QSignalBlocker blocker(m_keys);
        m_keys->clear();
        if (data.isObject()) {
            const QJsonObject keyed = data.toObject();
            for (auto it = keyed.begin(); it != keyed.end(); ++it)
                m_keys->addItem(it.key());
            m_keys->setCurrentIndex(qMax(0, m_keys->findText(previousKey)));
        }
        m_keys->setEnabled(m_keys->count() > 1);
        m_keyLabel->setVisible(data.isObject());
        m_keys->setVisible(data.isObject());
        m_stack->setCurrentWidget(m_histogramPage);
        showHistogramKey();
        return;
    }
    const bool sameMap = m_model->name() == name;
    const int sortColumn = m_table->horizontalHeader()->sortIndicatorSection();
    const Qt::SortOrder order = m_table->horizontalHeader()->sortIndicatorOrder();
    m_model->setMap(name, entry);
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
    const QJsonObject entry = m_maps.value(currentMap()).toObject();
    const QJsonValue data = entry.value("data"_L1);
    showBuckets(m_histogram, entry.value("kind"_L1).toString(),
        data.isArray() ? data.toArray() : data.toObject().value(m_keys->currentText()).toArray());
}

QString MapsView::mapsAsText(const QJsonObject &maps)
{
    QString text;
    for (auto it = maps.begin(); it != maps.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        const QString kind = entry.value("kind"_L1).toString();
        const QJsonValue data = entry.value("data"_L1);
        if (isHistogram(kind)) {
            auto render = [&kind](const QJsonArray &array) {
                const QList<HistBucket> buckets = HistogramWidget::parseBuckets(array);
                return HistogramWidget::toText(buckets, drawsLinear(kind, buckets));
            };
            if (data.isArray()) {
                text += it.key() + u":\n"_s + render(data.toArray());
            } else {
                const QJsonObject keyed = data.toObject();
                for (auto k = keyed.begin(); k != keyed.end(); ++k)
                    text += it.key() + u'[' + k.key() + u"]:\n"_s + render(k.value().toArray()) + u'\n';
            }
        } else if (data.isObject()) {
            MapTableModel model;
            model.setMap(it.key(), entry);
            for (int row = 0; row < model.rowCount(); ++row) {
                QStringList values;
                for (int column = 1; column < model.columnCount(); ++column)
                    values.append(model.headerData(column, Qt::Horizontal).toString().toLower() + u' '
                        + MapTableModel::valueText(
                            QJsonValue::fromVariant(model.data(model.index(row, column), MapTableModel::SortRole))));
                const QString key = model.data(model.index(row, 0)).toString();
                text += (key == it.key() ? key : it.key() + u'[' + key + u']') + u": "_s
                    + (model.isStats() ? values.join(u", "_s)
                                       : MapTableModel::valueText(QJsonValue::fromVariant(
                                             model.data(model.index(row, 1), MapTableModel::SortRole))))
                    + u'\n';
            }
        } else {
            text += it.key() + u": "_s + MapTableModel::valueText(data) + u'\n';
        }
        text += u'\n';
    }
    return text;
}

bool MapsView::exportMaps(const QJsonObject &maps, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    if (path.endsWith(".json"_L1, Qt::CaseInsensitive))
        file.write(QJsonDocument(maps).toJson(QJsonDocument::Indented));
    else
        file.write(mapsAsText(maps).toUtf8());
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}
