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
#include <QSaveFile>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>

using namespace Qt::StringLiterals;

namespace {
constexpr int OverviewRole = Qt::UserRole + 1;
constexpr int OverviewTableRows = 10; // more scroll inside the table
constexpr int OverviewHistogramKeys = 6; // more: select the map to pick a key
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
{
    m_list->setAccessibleName(tr("Maps"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setText(tr("No maps yet. bpftrace prints its maps when the run ends (or when the script calls print())."));
    m_empty->setForegroundRole(QPalette::PlaceholderText);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(MapTableModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);

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
            m_stack->setCurrentWidget(m_overview);
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
        item->setIcon(QIcon::fromTheme(kind.endsWith("hist"_L1) ? u"view-statistics"_s : u"view-list-details"_s));
    }
    rebuildOverview();
    // Keep what the person was looking at; at first, everything at once (bpftrace prints all
    // maps at the end of a run, too).
    if (m_maps.contains(current)) {
        selectMap(current);
    } else if (m_maps.size() > 1 && (wasOverview || current.isEmpty())) {
        showOverview();
    } else if (!m_maps.isEmpty()) {
        selectMap(m_maps.begin().key());
    } else {
        m_stack->setCurrentWidget(m_empty);
    }
}

void MapsView::rebuildOverview()
{
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    const int gap = content->fontMetrics().height() / 2;
    layout->setContentsMargins(gap, 0, gap, gap);
    for (auto it = m_maps.begin(); it != m_maps.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        const QString kind = entry.value("kind"_L1).toString();
        const QJsonValue data = entry.value("data"_L1);
        // The name is a link to the map on its own (sorting, every key, bigger chart).
        auto *title = new QLabel(u"<a href=\"%1\"><b>%2</b></a> %3"_s.arg(it.key().toHtmlEscaped(),
                                     it.key().toHtmlEscaped(), kind.isEmpty() || kind == "map"_L1 ? QString() : kind),
            content);
        title->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
        connect(title, &QLabel::linkActivated, this, [this](const QString &name) { selectMap(name); });
        layout->addWidget(title);

        if (kind == "hist"_L1 || kind == "lhist"_L1) {
            auto addChart = [&](const QJsonArray &array) {
                const QList<HistBucket> buckets = HistogramWidget::parseBuckets(array);
                auto *chart = new HistogramWidget(content);
                chart->setBuckets(array, kind == "lhist"_L1 || HistogramWidget::looksLinear(buckets));
                chart->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
                layout->addWidget(chart);
            };
            if (data.isArray()) {
                addChart(data.toArray());
            } else {
                const QJsonObject keyed = data.toObject();
                int shown = 0;
                for (auto key = keyed.begin(); key != keyed.end() && shown < OverviewHistogramKeys; ++key, ++shown) {
                    layout->addWidget(new QLabel(u"[%1]"_s.arg(key.key()), content));
                    addChart(key.value().toArray());
                }
                if (keyed.size() > shown)
                    layout->addWidget(new QLabel(
                        tr("%n more key(s): open the map to see each.", nullptr, int(keyed.size()) - shown), content));
            }
        } else if (data.isObject()) {
            auto *model = new MapTableModel(content);
            model->setMap(it.key(), entry);
            auto *proxy = new QSortFilterProxyModel(content);
            proxy->setSourceModel(model);
            proxy->setSortRole(MapTableModel::SortRole);
            auto *table = new QTableView(content);
            table->setModel(proxy);
            table->setSortingEnabled(true);
            table->sortByColumn(1, Qt::DescendingOrder);
            table->setAlternatingRowColors(true);
            table->verticalHeader()->setVisible(false);
            table->horizontalHeader()->setStretchLastSection(true);
            const int rowHeight = table->fontMetrics().height() + 6;
            table->verticalHeader()->setDefaultSectionSize(rowHeight);
            table->resizeColumnToContents(0);
            const int rows = std::min(model->rowCount(), OverviewTableRows);
            table->setFixedHeight(table->horizontalHeader()->sizeHint().height() + rows * rowHeight
                + 2 * table->frameWidth() + (model->rowCount() > rows ? 0 : 2));
            layout->addWidget(table);
        } else {
            layout->addWidget(new QLabel(MapTableModel::valueText(data), content));
        }
        layout->addSpacing(gap);
    }
    layout->addStretch(1);
    m_overview->setWidget(content); // the previous content goes with it
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
    m_stack->setCurrentWidget(m_overview);
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
    if (kind == "hist"_L1 || kind == "lhist"_L1) {
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
    const QJsonArray buckets = data.isArray() ? data.toArray() : data.toObject().value(m_keys->currentText()).toArray();
    const bool linear = entry.value("kind"_L1).toString() == "lhist"_L1
        || HistogramWidget::looksLinear(HistogramWidget::parseBuckets(buckets));
    m_histogram->setBuckets(buckets, linear);
}

QString MapsView::mapsAsText(const QJsonObject &maps)
{
    QString text;
    for (auto it = maps.begin(); it != maps.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        const QString kind = entry.value("kind"_L1).toString();
        const QJsonValue data = entry.value("data"_L1);
        if (kind == "hist"_L1 || kind == "lhist"_L1) {
            auto render = [&kind](const QJsonArray &array) {
                const QList<HistBucket> buckets = HistogramWidget::parseBuckets(array);
                return HistogramWidget::toText(buckets, kind == "lhist"_L1 || HistogramWidget::looksLinear(buckets));
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
