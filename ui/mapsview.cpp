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

MapsView::MapsView(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_table(new QTableView(this))
    , m_model(new MapTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_histogramPage(new QWidget(this))
    , m_keys(new QComboBox(this))
    , m_histogram(new HistogramWidget(this))
{
    m_list->setAccessibleName(tr("Maps"));
    m_list->setMaximumWidth(220);
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

    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_histogramPage);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_list);
    splitter->addWidget(m_stack);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_list, &QListWidget::currentTextChanged, this, [this](const QString &) {
        const QListWidgetItem *item = m_list->currentItem();
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
    const QString current = currentMap();
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    for (auto it = m_maps.begin(); it != m_maps.end(); ++it) {
        const QString kind = it.value().toObject().value("kind"_L1).toString();
        auto *item = new QListWidgetItem(
            kind == "map"_L1 || kind.isEmpty() ? it.key() : u"%1  (%2)"_s.arg(it.key(), kind), m_list);
        item->setData(Qt::UserRole, it.key());
        item->setIcon(QIcon::fromTheme(kind.endsWith("hist"_L1) ? u"view-statistics"_s : u"view-list-details"_s));
    }
    QString target = m_maps.contains(current) ? current : QString();
    if (target.isEmpty() && !m_maps.isEmpty()) {
        // Histograms are usually why the script was written: show one first.
        target = m_maps.begin().key();
        for (auto it = m_maps.begin(); it != m_maps.end(); ++it) {
            if (it.value().toObject().value("kind"_L1).toString().endsWith("hist"_L1)) {
                target = it.key();
                break;
            }
        }
    }
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(Qt::UserRole).toString() == target)
            m_list->setCurrentRow(row);
    }
    showMap(target);
}

bool MapsView::selectMap(const QString &name)
{
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(Qt::UserRole).toString() == name) {
            m_list->setCurrentRow(row);
            showMap(name);
            return true;
        }
    }
    return false;
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
